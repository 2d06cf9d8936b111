package forum

import (
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Anonymous readers all get the same thread page, and a page changes only when something
// is written, so the forum keeps each rendered page (headers aside, the whole response)
// and serves it again for as long as it is certainly current:
//   - the database's generation has not moved since the page's data was read (every
//     committed write moves it, before the writer is answered: a reply, an edit, a
//     deletion, moderators hiding a post, a reaction, a pin, a move, a category renamed,
//     an account erased all count, whichever package made them), and
//   - it is younger than pageCacheTTL, because pages show relative times ("5 minutes
//     ago") that go out of date without any write.
//
// Only anonymous readers are served from it: members see their own controls, reading
// position and banners. The anonymous thread page carries no per-request values (no
// form token, no CSP nonce: it has no script), so one copy fits every anonymous reader.
const (
	pageCacheTTL = 2 * time.Second
	// pageCacheMax bounds the number of pages kept; query strings are part of the key,
	// so a crawler trying many of them must not grow it without end.
	pageCacheMax = 4096
)

// pageKey names one anonymous response: the thread, the slug in the address and the
// query string (which holds the page number). Keying on the raw query rather than the
// page it selects costs a copy per spelling, never a wrong page.
type pageKey struct {
	thread int64
	slug   string
	query  string
}

type cachedPage struct {
	gen    uint64
	at     time.Time
	body   []byte
	length string
}

type pageCache struct {
	mu      sync.RWMutex
	entries map[pageKey]*cachedPage
	ttl     time.Duration
	now     func() time.Time
}

func newPageCache() *pageCache {
	return &pageCache{entries: map[pageKey]*cachedPage{}, ttl: pageCacheTTL, now: time.Now}
}

func threadPageKey(r *http.Request) (pageKey, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return pageKey{}, false
	}
	return pageKey{thread: id, slug: r.PathValue("slug"), query: r.URL.RawQuery}, true
}

// get returns the page stored under k if it was read under generation gen and is still
// fresh.
func (c *pageCache) get(k pageKey, gen uint64) *cachedPage {
	c.mu.RLock()
	e := c.entries[k]
	c.mu.RUnlock()
	if e == nil || e.gen != gen || c.now().Sub(e.at) >= c.ttl {
		return nil
	}
	return e
}

// put keeps body under k; gen must have been read before any of the page's data, and at
// taken before it was rendered.
func (c *pageCache) put(k pageKey, gen uint64, at time.Time, body []byte) {
	e := &cachedPage{gen: gen, at: at, body: body, length: strconv.Itoa(len(body))}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.entries[k]; old != nil && old.gen > gen {
		return // a newer page was stored meanwhile
	}
	if len(c.entries) >= pageCacheMax {
		// Entries of an older generation are dead already; drop them, and everything if
		// that is not enough.
		for key, old := range c.entries {
			if old.gen != gen {
				delete(c.entries, key)
			}
		}
		if len(c.entries) >= pageCacheMax {
			clear(c.entries)
		}
	}
	c.entries[k] = e
}

// write sends a stored page as Responder.Render sends a fresh one.
func (e *cachedPage) write(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", e.length)
	w.WriteHeader(http.StatusOK)
	w.Write(e.body)
}
