package privacy_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"stoa/privacy"
)

func TestBrowserFamily(t *testing.T) {
	for ua, want := range map[string]string{
		"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0":                                                       "Firefox",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36":              "Chrome",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 Edg/126.0":        "Edge",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15":           "Safari",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0 Mobile/15E148":    "Chrome",
		"Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 OPR/111.0":                    "Opera",
		"Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0 Mobile Safari/537.36": "Samsung Internet",
		"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)":                                                     "Bots and tools",
		"curl/8.8.0": "Bots and tools",
		"":           "Unknown",
		"Lynx/2.9.0": "Other",
	} {
		if got := privacy.BrowserFamily(ua); got != want {
			t.Errorf("BrowserFamily(%q) = %q, want %q", ua, got, want)
		}
	}
}

func TestReferrerHost(t *testing.T) {
	for _, c := range []struct{ ref, host, want string }{
		{"https://www.example.com/some/page?q=1", "forum.test", "example.com"},
		{"https://news.ycombinator.com/item?id=1", "forum.test", "news.ycombinator.com"},
		{"https://forum.test/t/1", "forum.test", ""},
		{"http://127.0.0.1:8080/t/1", "127.0.0.1:8080", ""},
		{"http://192.168.1.20/", "forum.test", "(an IP address)"},
		{"http://[2001:db8::1]/", "forum.test", "(an IP address)"},
		{"android-app://com.example", "forum.test", ""},
		{"not a url", "forum.test", ""},
		{"", "forum.test", ""},
	} {
		if got := privacy.ReferrerHost(c.ref, c.host); got != c.want {
			t.Errorf("ReferrerHost(%q, %q) = %q, want %q", c.ref, c.host, got, c.want)
		}
	}
}

func TestPageKind(t *testing.T) {
	for path, want := range map[string]string{
		"/": "home", "/t/3/hello": "thread", "/c/general": "category", "/c/general/new": "composer",
		"/u/alice": "profile", "/chat/general": "chat", "/chat/general/ws": "", "/static/stoa.css": "",
		"/feed.atom": "", "/healthz": "", "/policies/privacy": "policy", "/me/export": "account", "/weird": "other",
	} {
		if got := privacy.PageKind(path); got != want {
			t.Errorf("PageKind(%q) = %q, want %q", path, got, want)
		}
	}
}

// P4: visits become per-day totals of page kind, browser family and referring site, and
// nothing else: no User-Agent, no address, no path, no per-visit row.
func TestP4_AnalyticsHoldOnlyDailyAggregates(t *testing.T) {
	db := openDB(t)
	a := privacy.NewAnalytics(db)
	site := http.NewServeMux()
	site.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte("<p>home</p>"))
	})
	site.HandleFunc("GET /t/{id}/{slug}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte("<p>thread</p>"))
	})
	site.HandleFunc("GET /static/x.css", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("css")) })
	site.HandleFunc("POST /{$}", func(w http.ResponseWriter, r *http.Request) {})
	h := a.Middleware(site)
	const ua = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0 DistinctiveAgent/42"
	visit := func(method, path, ref string) {
		req := httptest.NewRequest(method, "http://forum.test"+path, nil)
		req.RemoteAddr = "203.0.113.77:5555"
		req.Header.Set("User-Agent", ua)
		if ref != "" {
			req.Header.Set("Referer", ref)
		}
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	visit("GET", "/", "https://www.example.com/links")
	visit("GET", "/", "")
	visit("GET", "/t/1/hello", "http://forum.test/")
	visit("GET", "/static/x.css", "")
	visit("GET", "/missing", "")
	visit("POST", "/", "")
	if err := a.Stop(); err != nil { // never started: Stop just flushes
		t.Fatal(err)
	}
	rows, err := db.Query(context.Background(), "select day, dimension, value, count from analytics_daily order by dimension, value")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	today := time.Now().UTC().Format(time.DateOnly)
	for rows.Next() {
		var day, dim, val string
		var n int
		if err := rows.Scan(&day, &dim, &val, &n); err != nil {
			t.Fatal(err)
		}
		if day != today {
			t.Errorf("day %q, want %q", day, today)
		}
		got = append(got, dim+"="+val+":"+strconv.Itoa(n))
	}
	want := "browser=Firefox:3 page=home:2 page=thread:1 referrer=example.com:1"
	if strings.Join(got, " ") != want {
		t.Errorf("analytics rows = %v, want %s", got, want)
	}
	for _, s := range got {
		if strings.Contains(s, "Distinctive") || strings.Contains(s, "203.0.113") {
			t.Errorf("identifying value stored: %s", s)
		}
	}

	rep, err := a.Report(context.Background(), 30)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Days) != 30 || rep.Days[29].Value != today || rep.Days[29].Count != 3 || rep.Total != 3 {
		t.Errorf("report days: last %+v, total %d", rep.Days[len(rep.Days)-1], rep.Total)
	}
	if len(rep.Browsers) != 1 || rep.Browsers[0] != (privacy.ValueCount{Value: "Firefox", Count: 3}) {
		t.Errorf("browsers = %+v", rep.Browsers)
	}
	// A second flush adds to the same rows rather than adding rows.
	a.Count("home", "Chrome", "")
	if err := a.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRow(context.Background(), "select count from analytics_daily where dimension = 'page' and value = 'home'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("home views after second flush = %d, want 3", n)
	}
}

// A flood of made-up referrers cannot grow memory or the table without bound.
func TestAnalyticsBoundsDistinctValues(t *testing.T) {
	db := openDB(t)
	a := privacy.NewAnalytics(db)
	for i := 0; i < 2000; i++ {
		a.Count("home", "Firefox", "spam"+strconv.Itoa(i)+".example")
	}
	if err := a.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	var distinct, other int
	if err := db.QueryRow(context.Background(), "select count(*) from analytics_daily where dimension = 'referrer'").Scan(&distinct); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(context.Background(), "select count from analytics_daily where dimension = 'referrer' and value = 'other'").Scan(&other); err != nil {
		t.Fatal(err)
	}
	if distinct > 501 || other != 1500 {
		t.Errorf("referrer rows = %d, other = %d", distinct, other)
	}
}

// Retention runs every purge, reports failures without stopping the others, and stops.
func TestRetentionRunsEveryPurge(t *testing.T) {
	var calls []string
	var logged []string
	r := privacy.NewRetention(func(name string, err error) { logged = append(logged, name) },
		privacy.Purge{Name: "a", Run: func(context.Context, time.Time) error { calls = append(calls, "a"); return errors.New("disk full") }},
		privacy.Purge{Name: "b", Run: func(context.Context, time.Time) error { calls = append(calls, "b"); return nil }})
	if err := r.RunOnce(context.Background()); err == nil || !strings.Contains(err.Error(), "purge a") {
		t.Errorf("RunOnce = %v", err)
	}
	if strings.Join(calls, ",") != "a,b" || strings.Join(logged, ",") != "a" {
		t.Errorf("calls %v, logged %v", calls, logged)
	}
	done := make(chan struct{}, 1)
	r2 := privacy.NewRetention(func(string, error) {}, privacy.Purge{Name: "c", Run: func(context.Context, time.Time) error {
		select {
		case done <- struct{}{}:
		default:
		}
		return nil
	}})
	r2.Start(time.Hour)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Start did not run the purges at once")
	}
	r2.Stop()
	r2.Stop() // a second Stop is harmless
}
