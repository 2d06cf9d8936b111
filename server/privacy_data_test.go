package server_test

import (
	"bytes"
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"stoa/account"
	"stoa/internal/stoatest"
	"stoa/server"
)

// Marks a visitor's requests carry; none may reach the disk or the logs (P3).
const (
	probeAgent = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0 ProbeAgent/7.7"
	probeIP    = "203.0.113.99"
)

// identifying adds what a browser and a proxy would say about the visitor.
type identifying struct{ next http.RoundTripper }

func (t identifying) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("User-Agent", probeAgent)
	r.Header.Set("X-Forwarded-For", probeIP)
	r.Header.Set("X-Real-IP", probeIP)
	r.Header.Set("Forwarded", "for="+probeIP)
	if r.Header.Get("Referer") == "" {
		r.Header.Set("Referer", "https://referrer.example/a/page")
	}
	return t.next.RoundTrip(r)
}

// syncBuffer collects log output from concurrent handlers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// P3: after a visitor browses, registers, posts, logs in and out, writes to the team
// and downloads their data, neither any file in the data folder nor the default request
// logs contain their IP address (127.0.0.1 here, or the one a proxy reports) or their
// User-Agent.
func TestP3_NoIPOrUserAgentAtRest(t *testing.T) {
	for _, proxied := range []bool{false, true} {
		t.Run(map[bool]string{false: "direct", true: "behind a proxy"}[proxied], func(t *testing.T) {
			// SQLite only: the scan below reads the database file in the data folder.
			dir := t.TempDir()
			logs := &syncBuffer{}
			srv := httptest.NewUnstartedServer(nil)
			cfg := server.Config{Addr: srv.Listener.Addr().String(), DataDir: dir, LogFormat: "text",
				BaseURL: "https://forum.example", TrustProxy: proxied}
			app, err := server.NewApp(context.Background(), cfg, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
			if err != nil {
				t.Fatal(err)
			}
			srv.Config.Handler = app.Handler()
			srv.Start()
			closed := false
			defer func() {
				if !closed {
					srv.Close()
					app.Close()
				}
			}()
			site := &stoatest.Site{App: app, Server: srv, URL: srv.URL, Dir: dir}
			browse := func(c *stoatest.Client) *stoatest.Client {
				c.HTTP.Transport = identifying{http.DefaultTransport}
				return c
			}
			reader := browse(site.Anonymous(t))
			for _, p := range []string{"/", "/c/general", "/policies/privacy", "/search?q=hello", "/chat", "/nowhere"} {
				reader.Get(p)
			}
			reader.PostForm("/contact", url.Values{"subject": {"Question"}, "body": {"What do you keep?"}, "reply_to": {"reader@example.net"}})
			reader.PostForm("/login", url.Values{"username": {"ghost"}, "password": {"wrong password"}})

			member := browse(site.Anonymous(t))
			member.PostForm("/register", url.Values{"username": {"probe"}, "password": {"password-probe"}, "email": {"probe@example.org"}})
			if !strings.Contains(member.Body, "Log out") {
				t.Fatalf("register: %d at %s", member.Last.StatusCode, member.Path())
			}
			thread := post(t, member, "Probe thread", "Hello from the probe.")
			member.PostForm("/t/"+strings.Split(thread, "/")[2]+"/reply", url.Values{"body": {"A reply."}, "token": {account.NewToken()}})
			member.Get("/me/export")
			member.PostForm("/me/preferences", url.Values{"announcements": {"1"}})
			member.PostForm("/contact", url.Values{"subject": {"Member question"}, "body": {"Hello team"}})
			member.PostForm("/logout", nil)
			member.PostForm("/login", url.Values{"username": {"probe"}, "password": {"password-probe"}})
			cross := browse(site.Anonymous(t))
			req, _ := http.NewRequest(http.MethodPost, site.URL+"/contact", strings.NewReader("subject=x&body=y"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			if resp, err := cross.HTTP.Do(req); err == nil {
				resp.Body.Close()
			}
			admin := browse(site.Member(t, "root", account.RoleAdmin))
			admin.Get("/admin/analytics") // flushes the counters to disk

			srv.Close()
			if err := app.Close(); err != nil {
				t.Fatal(err)
			}
			closed = true
			if !strings.Contains(logs.String(), "path=/c/general") {
				t.Fatalf("request logging is not on, so the test proves nothing:\n%s", logs.String())
			}
			needles := []string{probeIP, "127.0.0.1", "ProbeAgent", probeAgent}
			for _, n := range needles {
				if strings.Contains(logs.String(), n) {
					t.Errorf("the log contains %q", n)
				}
			}
			files := 0
			err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				b, err := os.ReadFile(path)
				if err != nil {
					return err
				}
				files++
				for _, n := range needles {
					// SQLite may store text as UTF-16 too; look for both.
					if bytes.Contains(b, []byte(n)) || bytes.Contains(b, utf16le(n)) {
						t.Errorf("%s contains %q", filepath.Base(path), n)
					}
				}
				return nil
			})
			if err != nil || files == 0 {
				t.Fatalf("scan %s: %d files, %v", dir, files, err)
			}
		})
	}
}

func utf16le(s string) []byte {
	b := make([]byte, 0, 2*len(s))
	for i := 0; i < len(s); i++ {
		b = append(b, s[i], 0)
	}
	return b
}

// P4: the statistics are per-day totals of page kind, browser family and referring site,
// shown to admins as charts; the table has no room for anything per visitor.
func TestP4_AnonymousAnalyticsAggregatesOnly(t *testing.T) {
	site := stoatest.Start(t)
	publicPages(t, site)
	reader := site.Anonymous(t)
	reader.HTTP.Transport = identifying{http.DefaultTransport}
	for _, p := range []string{"/", "/", "/c/general", "/policies/privacy", "/static/stoa.css", "/nowhere"} {
		reader.Get(p)
	}
	admin := site.Member(t, "root", account.RoleAdmin)
	doc := admin.Doc("/admin/analytics", http.StatusOK)
	if doc.Find("svg.chart-plot polyline.chart-line").Length() != 1 || doc.Find("table.bar-chart svg rect.chart-bar").Length() < 2 {
		t.Error("analytics page lacks its line and bar charts")
	}
	if !strings.Contains(doc.Find("#h-browsers").Parent().Text(), "Firefox") {
		t.Error("browser chart does not show Firefox")
	}
	if !strings.Contains(doc.Find("#h-refs").Parent().Find("table").Text(), "referrer.example") {
		t.Error("referrer table does not show referrer.example")
	}
	cols := columnsOf(t, site, "analytics_daily")
	if strings.Join(cols, ",") != "day,dimension,value,count" {
		t.Errorf("analytics_daily columns = %v", cols)
	}
	var visits int
	queryRow(t, site, "select count from analytics_daily where dimension = 'page' and value = 'home'", nil, &visits)
	if visits < 2 {
		t.Errorf("home page views = %d, want at least 2", visits)
	}
	var bad int
	queryRow(t, site, "select count(*) from analytics_daily where value like '%ProbeAgent%' or value like '%203.0.113%' or value like '%/%'", nil, &bad)
	if bad != 0 {
		t.Errorf("%d analytics rows hold a raw User-Agent, address or path", bad)
	}
	reader.Get("/admin/analytics")
	if !strings.HasPrefix(reader.Path(), "/login") {
		t.Error("an anonymous visitor reached the statistics")
	}
	member := site.Member(t, "someone", account.RoleModerator)
	if member.Get("/admin/analytics").StatusCode != http.StatusForbidden {
		t.Error("a moderator reached the statistics")
	}
}
