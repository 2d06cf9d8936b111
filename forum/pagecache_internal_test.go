package forum

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/a-h/templ"

	"stoa/account"
	"stoa/storage"
)

func TestPageCacheServesTheSamePageUntilAWriteOrItsTTL(t *testing.T) {
	ctx := context.Background()
	x := newTestForum(t)
	mod := x.mod
	th, err := x.Service.CreateThread(ctx, mod, NewThread{CategoryID: 1, Title: "Cache", Body: "First words."})
	if err != nil {
		t.Fatal(err)
	}
	// Only this test's requests write from now on: the search index, which writes on its
	// own, is stopped once it has indexed the thread.
	x.index.close()
	if err := x.index.upToDate(ctx); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	x.Routes(mux)
	cache := x.pages.cache
	clock := time.Now()
	cache.now = func() time.Time { return clock }
	get := func(u *account.User, ctx context.Context) *httptest.ResponseRecorder {
		t.Helper()
		r := httptest.NewRequest(http.MethodGet, th.URL(), nil)
		if u != nil {
			ctx = account.WithUser(ctx, u)
		}
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r.WithContext(ctx))
		if w.Code != http.StatusOK {
			t.Fatalf("GET %s: %d", th.URL(), w.Code)
		}
		return w
	}

	fresh := get(nil, ctx).Body.String()
	if len(cache.entries) != 1 {
		t.Fatalf("%d pages kept after an anonymous read, want 1", len(cache.entries))
	}
	if cached := get(nil, ctx); cached.Body.String() != fresh || cached.Header().Get("Content-Length") != cache.entries[pageKey{th.ID, th.Slug, ""}].length {
		t.Fatal("the cached page differs from the page it keeps")
	}
	// Nothing in the anonymous page differs between requests (no form token, no nonce):
	// rendered again, it is the same page.
	clear(cache.entries)
	if again := get(nil, templ.WithNonce(ctx, "c29tZS1ub25jZQ")).Body.String(); again != fresh {
		t.Fatal("two renderings of the anonymous page differ: it holds something per request")
	}

	// A change that bypasses the writer (another process) is not seen until the TTL ends:
	// on SQLite a connection of its own to the file, on PostgreSQL the bare pool (whose
	// placeholders are $1, $2, …).
	other := outsideWriter(t, x.db)
	if err := other("update posts set html = '<p>Changed outside.</p>' where thread_id = ?", th.ID); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(get(nil, ctx).Body.String(), "Changed outside.") {
		t.Fatal("the page was rendered again within its TTL, with no write through the writer")
	}
	clock = clock.Add(pageCacheTTL)
	if !strings.Contains(get(nil, ctx).Body.String(), "Changed outside.") {
		t.Fatal("the page outlived its TTL")
	}

	// Members are never served the anonymous page, and their pages are not kept.
	clear(cache.entries)
	get(nil, ctx)
	if body := get(mod, ctx).Body.String(); !strings.Contains(body, `id="reply"`) {
		t.Error("a member was served the anonymous page")
	}
	if len(cache.entries) != 1 {
		t.Errorf("%d pages kept, want only the anonymous one", len(cache.entries))
	}

	// A page carrying the request's CSP nonce is never kept. The thread page has no
	// script, so pretend the post shows the nonce.
	clear(cache.entries)
	nonce := "bm9uY2Utb2YtdGhpcy1yZXF1ZXN0"
	if err := other("update posts set html = ? where thread_id = ?", "<p>"+nonce+"</p>", th.ID); err != nil {
		t.Fatal(err)
	}
	get(nil, templ.WithNonce(ctx, nonce))
	if len(cache.entries) != 0 {
		t.Error("a page with the request's nonce was kept")
	}
}

func TestPageCacheStaysBounded(t *testing.T) {
	c := newPageCache()
	for i := range pageCacheMax + 10 {
		c.put(pageKey{thread: 1, query: strings.Repeat("x", i%50) + string(rune('a'+i%26)) + time.Duration(i).String()}, 7, time.Now(), []byte("page"))
	}
	if len(c.entries) > pageCacheMax {
		t.Errorf("%d pages kept, more than %d", len(c.entries), pageCacheMax)
	}
	// An older generation never replaces a newer page.
	k := pageKey{thread: 2}
	c.put(k, 9, time.Now(), []byte("new"))
	c.put(k, 8, time.Now(), []byte("old"))
	if e := c.get(k, 9); e == nil || string(e.body) != "new" {
		t.Error("an older page replaced a newer one")
	}
}

// outsideWriter returns a way to change db as another process would, past its writer.
func outsideWriter(t *testing.T, db *storage.DB) func(query string, args ...any) error {
	t.Helper()
	if db.Dialect() == storage.Postgres {
		return func(query string, args ...any) error {
			for n := 1; strings.Contains(query, "?"); n++ {
				query = strings.Replace(query, "?", fmt.Sprintf("$%d", n), 1)
			}
			_, err := db.Read().Exec(query, args...)
			return err
		}
	}
	other, err := sql.Open("sqlite3", "file:"+db.Path()+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	return func(query string, args ...any) error {
		_, err := other.Exec(query, args...)
		return err
	}
}
