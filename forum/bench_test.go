package forum

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync/atomic"
	"testing"

	"stoa/account"
)

// benchReply is a typical reply of about 500 bytes with no personal information.
const benchReply = "Thanks for the **detailed** write-up! I tried the steps from [the guide](https://example.com/guide) and it mostly worked.\n\n" +
	"Two things I noticed:\n\n1. The config file lives in `~/.config/stoa`, not `/etc`.\n2. After the upgrade I had to restart *twice* before the cache cleared.\n\n" +
	"> Make sure you back up the database first.\n\nGood advice, and ~~the old flag~~ is gone now."

// benchForum is a forum on a fresh database with one member and one thread of posts
// posts, built with the posting pace off: benchmarks post far faster than any member.
type benchForum struct {
	*testForum
	user   *account.User
	thread *Thread
}

func newBenchForum(b *testing.B, posts int) *benchForum {
	b.Helper()
	ctx := context.Background()
	f := newTestForum(b, func(o *Options) { o.NoRateLimits = true })
	u := f.member
	t, err := f.Service.CreateThread(ctx, u, NewThread{CategoryID: 1, Title: "How do you back up your server?", Body: benchReply})
	if err != nil {
		b.Fatal(err)
	}
	for i := 1; i < posts; i++ {
		if _, _, err := f.Service.Reply(ctx, u, NewReply{ThreadID: t.ID, Body: benchReply}); err != nil {
			b.Fatal(err)
		}
	}
	return &benchForum{testForum: f, user: u, thread: t}
}

// BenchmarkReply measures the whole reply path below HTTP: checks, the detector,
// Markdown and sanitising, and the durable group-committed write. "sequential" waits
// for each commit; "concurrent64" has 64 members' requests share commits.
func BenchmarkReply(b *testing.B) {
	b.Run("sequential", func(b *testing.B) {
		f := newBenchForum(b, 1)
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := f.Service.Reply(ctx, f.user, NewReply{ThreadID: f.thread.ID, Body: benchReply}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("concurrent64", func(b *testing.B) {
		f := newBenchForum(b, 1)
		ctx := context.Background()
		var seq atomic.Int64
		p := runtime.GOMAXPROCS(0)
		b.SetParallelism((64 + p - 1) / p)
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				// A token per reply, as the reply form sends: it is looked up on every post.
				tok := fmt.Sprintf("bench-%d", seq.Add(1))
				if _, _, err := f.Service.Reply(ctx, f.user, NewReply{ThreadID: f.thread.ID, Body: benchReply, Token: tok}); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// BenchmarkThreadPage measures a thread page of a 50-post thread (its first 20 posts) as
// an anonymous reader gets it from the forum's handler, without the network and the
// server's middleware: served from the page cache, as it is between writes.
func BenchmarkThreadPage(b *testing.B) { benchThreadPage(b, true) }

// BenchmarkThreadPageRender is BenchmarkThreadPage with the page cache off: the queries,
// the view structs and the templ rendering, as on the first read after a write.
func BenchmarkThreadPageRender(b *testing.B) { benchThreadPage(b, false) }

func benchThreadPage(b *testing.B, cached bool) {
	f := newBenchForum(b, 50)
	mux := http.NewServeMux()
	if !cached {
		f.pages.cache.ttl = 0
	}
	f.Routes(mux)
	path := f.thread.URL()
	check := httptest.NewRecorder()
	mux.ServeHTTP(check, httptest.NewRequest(http.MethodGet, path, nil))
	if check.Code != http.StatusOK {
		b.Fatalf("GET %s: %d", path, check.Code)
	}
	b.SetBytes(int64(check.Body.Len()))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			w := httptest.NewRecorder()
			mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
			if w.Code != http.StatusOK {
				b.Errorf("GET %s: %d", path, w.Code)
				return
			}
		}
	})
}

// BenchmarkThreadPosts measures loading one page of 20 posts: through the store as it
// is ("store"), and the same SQL as a statement prepared once ("prepared"), which shows
// what caching prepared statements would save on the busiest query of the site.
func BenchmarkThreadPosts(b *testing.B) {
	f := newBenchForum(b, 50)
	ctx := context.Background()
	b.Run("store", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := f.Service.Store().Posts(ctx, f.thread.ID, PostsPerPage, 0); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("prepared", func(b *testing.B) {
		stmt, err := f.db.Read().PrepareContext(ctx, "select "+postColumns+` from posts p
			left join users u on u.id = p.author_id and u.deleted_at is null
			where p.thread_id = ? order by p.number limit ? offset ?`)
		if err != nil {
			b.Fatal(err)
		}
		defer stmt.Close()
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				rows, err := stmt.QueryContext(ctx, f.thread.ID, PostsPerPage, 0)
				if err != nil {
					b.Error(err)
					return
				}
				for rows.Next() {
					if _, err := scanPost(rows); err != nil {
						b.Error(err)
					}
				}
				rows.Close()
			}
		})
	})
}
