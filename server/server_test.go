package server

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"stoa/storage"
	"stoa/storage/storagetest"
	"stoa/web"
)

func TestVersionAndHelp(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"version"}, nil, &out, &errOut); code != 0 || !strings.HasPrefix(out.String(), "stoa ") {
		t.Fatalf("version: code %d, output %q", code, out.String())
	}
	out.Reset()
	if code := run([]string{"bogus"}, nil, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "unknown command") {
		t.Fatalf("unknown command: code %d, stderr %q", code, errOut.String())
	}
	errOut.Reset()
	if code := run([]string{"serve", "--help"}, nil, &out, &errOut); code != 0 || !strings.Contains(errOut.String(), "-addr") {
		t.Fatalf("serve --help: code %d, stderr %q", code, errOut.String())
	}
}

// SQLite only: stoa backup copies the SQLite file (PostgreSQL is backed up with pg_dump).
func TestUserAddAndBackupCommands(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	stdin := strings.NewReader("a long password\n")
	if code := run([]string{"user", "add", "--data", dir, "--role", "admin", "root-admin"}, stdin, &out, &errOut); code != 0 {
		t.Fatalf("user add: code %d: %s", code, errOut.String())
	}
	t.Setenv("STOA_PASSWORD", "another password")
	if code := run([]string{"user", "add", "--data", dir, "--role", "moderator", "mod-one"}, nil, &out, &errOut); code != 0 {
		t.Fatalf("user add from env: code %d: %s", code, errOut.String())
	}
	errOut.Reset()
	if code := run([]string{"user", "add", "--data", dir, "--role", "moderator", "MOD-ONE"}, nil, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "already exists") {
		t.Fatalf("duplicate user: code %d: %s", code, errOut.String())
	}
	errOut.Reset()
	if code := run([]string{"user", "add", "--data", dir, "--role", "king", "x"}, nil, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "unknown role") {
		t.Fatalf("bad role: code %d: %s", code, errOut.String())
	}

	dest := filepath.Join(t.TempDir(), "backup.db")
	if code := run([]string{"backup", "--data", dir, dest}, nil, &out, &errOut); code != 0 {
		t.Fatalf("backup: code %d: %s", code, errOut.String())
	}
	db, err := storage.Open(context.Background(), dest, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var roles string
	if err := db.QueryRow(context.Background(), "select group_concat(role, ',') from (select role from users order by id)").Scan(&roles); err != nil {
		t.Fatal(err)
	}
	if roles != "admin,moderator" {
		t.Fatalf("backup holds roles %q", roles)
	}
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

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

func TestServePrintsSetupLinkAndShutsDownGracefully(t *testing.T) {
	addr := freeAddr(t)
	var logs syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	app, err := NewApp(ctx, onTestEngine(t, Config{Addr: addr, DataDir: t.TempDir(), LogFormat: "text", NodeName: "node-a"}), slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	done := make(chan error, 1)
	go func() { done <- app.ListenAndServe(ctx) }()

	var resp *http.Response
	for i := 0; i < 100; i++ {
		if resp, err = http.Get("http://" + addr + "/healthz"); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("server never answered: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(string(body), "ok\n") ||
		!strings.Contains(string(body), "database: ok ("+storagetest.Engine().String()+")") || !strings.Contains(string(body), "node: node-a") {
		t.Fatalf("healthz: %d %q", resp.StatusCode, body)
	}
	if !strings.Contains(logs.String(), "node=node-a") {
		t.Fatalf("the log does not name the node:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "setup: open http://"+addr+"/setup/") {
		t.Fatalf("no setup line in the log:\n%s", logs.String())
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("shutdown: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("server did not stop within 15 s of the signal")
	}
}

func TestPanickingHandlerBecomesA500AndTheServerLives(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	x := &web.Responder{Log: log}
	mux := http.NewServeMux()
	mux.HandleFunc("/boom", func(http.ResponseWriter, *http.Request) { panic("kaboom") })
	mux.HandleFunc("/fine", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "fine") })
	srv := httptest.NewServer(recoverPanics(log, x, mux))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/boom")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 500 || strings.Contains(string(body), "kaboom") {
		t.Fatalf("panic: status %d, body leaks internals: %v", resp.StatusCode, strings.Contains(string(body), "kaboom"))
	}
	resp, err = http.Get(srv.URL + "/fine")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("server unusable after a panic: %v", err)
	}
	resp.Body.Close()
}

// newTestSite serves a fresh app from an httptest server and returns its URL.
func newTestSite(t *testing.T) string {
	t.Helper()
	app, err := NewApp(context.Background(), onTestEngine(t, Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), Quiet: true, LogFormat: "text"}),
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler())
	t.Cleanup(func() {
		srv.Close()
		app.Close()
	})
	return srv.URL
}

func TestSecurityHeadersOnEveryPage(t *testing.T) {
	base := newTestSite(t)
	nonces := map[string]bool{}
	for _, path := range []string{"/", "/login", "/nope", "/static/stoa.css"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		csp := resp.Header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "frame-ancestors 'none'", "script-src 'self' 'nonce-"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, want)
			}
		}
		nonces[csp] = true
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Referrer-Policy") == "" {
			t.Errorf("%s: missing nosniff or Referrer-Policy", path)
		}
		if len(resp.Cookies()) != 0 {
			t.Errorf("%s: anonymous response sets a cookie", path)
		}
	}
	if len(nonces) != 4 {
		t.Error("CSP nonces repeat across responses")
	}
}

// onTestEngine returns cfg on a fresh PostgreSQL database when STOA_TEST_ENGINE=postgres
// (the data folder stays for the rest), and unchanged on SQLite.
func onTestEngine(t testing.TB, cfg Config) Config {
	t.Helper()
	if storagetest.Engine() == storage.Postgres {
		cfg.DatabaseURL = storagetest.NewMigratedPostgres(t)
	}
	return cfg
}

func TestMain(m *testing.M) {
	os.Unsetenv("STOA_PASSWORD")
	os.Exit(m.Run())
}
