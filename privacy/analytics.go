package privacy

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"stoa/storage"
	"stoa/web"
)

// Analytics counts page views in memory, by page kind, browser family and referring
// site, and adds the counts to per-day totals in the database (P4). Nothing identifies a
// visitor: the User-Agent is reduced to a family name in memory and never kept, and
// there is no per-visit row.
type Analytics struct {
	store    store
	now      func() time.Time
	mu       sync.Mutex
	counts   map[counterKey]int64
	distinct map[string]int // values per day and dimension, to bound memory
	stop     chan struct{}
	done     chan struct{}
	once     sync.Once
}

type counterKey struct{ day, dimension, value string }

// maxValuesPerDay bounds the referrer hosts (and anything else open-ended) counted per
// day; the rest are counted as "other", so a flood of made-up referrers cannot fill memory.
const maxValuesPerDay = 500

// NewAnalytics returns counters that flush into db.
func NewAnalytics(db *storage.DB) *Analytics {
	return &Analytics{store: store{db}, now: time.Now, counts: map[counterKey]int64{}, distinct: map[string]int{}}
}

// Start flushes the counters every interval until Stop; log hears about failed flushes,
// whose counts are kept for the next.
func (a *Analytics) Start(interval time.Duration, log func(error)) {
	a.stop, a.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(a.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				if err := a.Flush(context.Background()); err != nil {
					log(err)
				}
			case <-a.stop:
				return
			}
		}
	}()
}

// Stop ends the periodic flush and writes what was counted since the last one.
func (a *Analytics) Stop() error {
	a.once.Do(func() {
		if a.stop != nil {
			close(a.stop)
			<-a.done
		}
	})
	return a.Flush(context.Background())
}

func (a *Analytics) add(day, dimension, value string) {
	k := counterKey{day, dimension, value}
	if _, ok := a.counts[k]; !ok {
		dk := day + "\x00" + dimension
		if a.distinct[dk] >= maxValuesPerDay {
			k.value = "other"
		} else {
			a.distinct[dk]++
		}
	}
	a.counts[k]++
}

// Count records one page view.
func (a *Analytics) Count(kind, browser, referrer string) {
	day := a.now().UTC().Format(time.DateOnly)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.add(day, "page", kind)
	a.add(day, "browser", browser)
	if referrer != "" {
		a.add(day, "referrer", referrer)
	}
}

// Flush adds the counts so far to the daily totals and starts counting afresh.
func (a *Analytics) Flush(ctx context.Context) error {
	a.mu.Lock()
	counts := a.counts
	a.counts, a.distinct = map[counterKey]int64{}, map[string]int{}
	a.mu.Unlock()
	if len(counts) == 0 {
		return nil
	}
	if err := a.store.addCounts(ctx, counts); err != nil {
		// Keep the counts for the next flush rather than lose them.
		a.mu.Lock()
		for k, n := range counts {
			a.counts[k] += n
		}
		a.mu.Unlock()
		return fmt.Errorf("privacy: flush analytics: %w", err)
	}
	return nil
}

// Middleware counts every successful GET of an HTML page. It looks at the User-Agent and
// Referer only to classify them here, in memory.
func (a *Analytics) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			next.ServeHTTP(w, r)
			return
		}
		kind := PageKind(r.URL.Path)
		if kind == "" {
			next.ServeHTTP(w, r)
			return
		}
		rec := &web.StatusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.Status == http.StatusOK && strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
			a.Count(kind, BrowserFamily(r.UserAgent()), ReferrerHost(r.Referer(), r.Host))
		}
	})
}

// PageKind names the kind of page at path for the statistics, or "" for what is not a
// page (static files, feeds, WebSockets, health checks).
func PageKind(path string) string {
	if path == "/" {
		return "home"
	}
	first, rest, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	switch {
	case first == "static" || first == "healthz" || strings.HasSuffix(path, ".atom") || strings.HasSuffix(path, "/ws"):
		return ""
	case first == "c" && strings.HasSuffix(rest, "/new"):
		return "composer"
	}
	switch first {
	case "c":
		return "category"
	case "t", "p":
		return "thread"
	case "u":
		return "profile"
	case "chat", "search", "contact", "login", "register", "admin":
		return first
	case "policies":
		return "policy"
	case "me", "notices":
		return "account"
	case "mod", "modlog":
		return "moderation"
	}
	return "other"
}

// BrowserFamily reduces a User-Agent to its browser's family name. Order matters: most
// browsers also claim to be Safari, Chrome or Mozilla.
func BrowserFamily(ua string) string {
	l := strings.ToLower(ua)
	switch {
	case l == "":
		return "Unknown"
	case strings.Contains(l, "bot") || strings.Contains(l, "crawl") || strings.Contains(l, "spider") ||
		strings.Contains(l, "curl/") || strings.Contains(l, "wget/") || strings.Contains(l, "python") ||
		strings.Contains(l, "go-http-client") || strings.Contains(l, "feed"):
		return "Bots and tools"
	case strings.Contains(l, "edg/") || strings.Contains(l, "edge/") || strings.Contains(l, "edga/") || strings.Contains(l, "edgios/"):
		return "Edge"
	case strings.Contains(l, "opr/") || strings.Contains(l, "opera"):
		return "Opera"
	case strings.Contains(l, "samsungbrowser/"):
		return "Samsung Internet"
	case strings.Contains(l, "firefox/") || strings.Contains(l, "fxios/"):
		return "Firefox"
	case strings.Contains(l, "chrome/") || strings.Contains(l, "crios/") || strings.Contains(l, "chromium/"):
		return "Chrome"
	case strings.Contains(l, "safari/"):
		return "Safari"
	}
	return "Other"
}

// ReferrerHost returns the host of a referring page on another site, without "www.";
// links from this site itself (host) and anything that is not an http(s) URL give "".
func ReferrerHost(ref, host string) string {
	if ref == "" {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	h := strings.ToLower(u.Hostname())
	own := strings.ToLower(host)
	if hh, _, err := net.SplitHostPort(own); err == nil {
		own = hh
	}
	if h == own || len(h) > 100 {
		return ""
	}
	if net.ParseIP(h) != nil {
		// An address, unlike a name, may be a visitor's own machine: keep only that it was one.
		return "(an IP address)"
	}
	return strings.TrimPrefix(h, "www.")
}
