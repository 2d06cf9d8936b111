// Package stoatest starts a real Stoa (real database, real HTTP server) for tests and
// drives it like a browser would: cookie jars, forms, same-origin headers. The database
// is a SQLite file in the data folder, or with STOA_TEST_ENGINE=postgres a PostgreSQL
// database created for the test (storagetest), beside a data folder all the same.
package stoatest

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"stoa/account"
	"stoa/server"
	"stoa/storage"
	"stoa/storage/storagetest"
)

// Site is a running Stoa for one test.
type Site struct {
	App    *server.App
	Server *httptest.Server
	URL    string
	Dir    string
}

// Start runs Stoa on a fresh data folder (and, with STOA_TEST_ENGINE=postgres, a fresh
// PostgreSQL database) behind an httptest server; it stops at cleanup. edit, when given,
// changes the configuration before start.
func Start(t testing.TB, edit ...func(*server.Config)) *Site {
	t.Helper()
	return StartEngine(t, storagetest.Engine(), edit...)
}

// StartEngine is Start on the given engine, for tests that need one engine whatever
// STOA_TEST_ENGINE says.
func StartEngine(t testing.TB, engine storage.Dialect, edit ...func(*server.Config)) *Site {
	t.Helper()
	dir := t.TempDir()
	srv := httptest.NewUnstartedServer(nil)
	cfg := server.Config{Addr: srv.Listener.Addr().String(), DataDir: dir, Quiet: true, LogFormat: "text"}
	if engine == storage.Postgres {
		cfg.DatabaseURL = storagetest.NewMigratedPostgres(t)
	}
	for _, e := range edit {
		e(&cfg)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	app, err := server.NewApp(context.Background(), cfg, log)
	if err != nil {
		t.Fatalf("start stoa: %v", err)
	}
	srv.Config.Handler = app.Handler()
	srv.Start()
	t.Cleanup(func() {
		srv.Close()
		app.Close()
	})
	return &Site{App: app, Server: srv, URL: srv.URL, Dir: dir}
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// Client is one browser: its own cookie jar, following redirects.
type Client struct {
	t    testing.TB
	site *Site
	HTTP *http.Client
	// Last is the most recent response (its body already read into Body).
	Last *http.Response
	Body string
}

// Anonymous returns a client with no account.
func (s *Site) Anonymous(t testing.TB) *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{t: t, site: s, HTTP: &http.Client{Jar: jar}}
}

// Member creates an account with role and returns a client logged in as it. The
// password is always "password-" + name.
func (s *Site) Member(t testing.TB, name string, role account.Role) *Client {
	t.Helper()
	if _, err := s.App.Accounts().CreateUser(context.Background(), name, "password-"+name, role); err != nil {
		t.Fatalf("create %s %q: %v", role, name, err)
	}
	c := s.Anonymous(t)
	c.PostForm("/login", url.Values{"username": {name}, "password": {"password-" + name}})
	if c.Last.StatusCode != http.StatusOK || !strings.Contains(c.Body, "Log out") {
		t.Fatalf("log in as %q: status %d", name, c.Last.StatusCode)
	}
	return c
}

func (c *Client) do(req *http.Request) *http.Response {
	c.t.Helper()
	resp, err := c.HTTP.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		c.t.Fatalf("%s %s: read body: %v", req.Method, req.URL, err)
	}
	c.Last, c.Body = resp, string(b)
	return resp
}

func (c *Client) abs(path string) string {
	if strings.HasPrefix(path, "http") {
		return path
	}
	return c.site.URL + path
}

// Get fetches path and returns the response; the body is in c.Body.
func (c *Client) Get(path string) *http.Response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.abs(path), nil)
	return c.do(req)
}

// PostForm submits a form as a same-origin browser would.
func (c *Client) PostForm(path string, form url.Values) *http.Response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.abs(path), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", c.site.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.do(req)
}

// Doc fetches path and parses it as HTML, failing the test unless the status is want.
func (c *Client) Doc(path string, want int) *goquery.Document {
	c.t.Helper()
	resp := c.Get(path)
	if resp.StatusCode != want {
		c.t.Fatalf("GET %s: status %d, want %d", path, resp.StatusCode, want)
	}
	return c.Parse()
}

// Parse parses the last response's body.
func (c *Client) Parse() *goquery.Document {
	c.t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(c.Body))
	if err != nil {
		c.t.Fatalf("parse HTML: %v", err)
	}
	return doc
}

// FormToken fetches a page and returns the one-time token of its first form that has one.
func (c *Client) FormToken(path string) string {
	c.t.Helper()
	doc := c.Doc(path, http.StatusOK)
	tok, ok := doc.Find(`input[name="token"]`).First().Attr("value")
	if !ok {
		c.t.Fatalf("GET %s: no form token", path)
	}
	return tok
}

// Path is the path (and query) of the last response's final URL, after redirects.
func (c *Client) Path() string {
	u := c.Last.Request.URL
	if u.RawQuery != "" {
		return u.Path + "?" + u.RawQuery
	}
	return u.Path
}
