// Package crashtest runs the real stoa binary, kills it with SIGKILL in the middle of
// load, and checks that nothing it acknowledged was lost.
package crashtest

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"stoa/storage"
)

// buildStoa compiles the binary once per test run.
func buildStoa(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "stoa")
	cmd := exec.Command("go", "build", "-tags", "sqlite_fts5", "-o", bin, "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build stoa: %v\n%s", err, out)
	}
	return bin
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

type server struct {
	t    *testing.T
	bin  string
	data string
	addr string
	cmd  *exec.Cmd
	logs *strings.Builder
}

func (s *server) run(args ...string) string {
	s.t.Helper()
	cmd := exec.Command(s.bin, args...)
	cmd.Env = append(os.Environ(), "STOA_PASSWORD=crash-test-password")
	out, err := cmd.CombinedOutput()
	if err != nil {
		s.t.Fatalf("stoa %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (s *server) start() { s.startWith() }

func (s *server) startWith(extra ...string) {
	s.t.Helper()
	s.logs = &strings.Builder{}
	s.cmd = exec.Command(s.bin, append([]string{"serve", "--addr", s.addr, "--data", s.data, "--no-rate-limits"}, extra...)...)
	s.cmd.Stdout, s.cmd.Stderr = s.logs, s.logs
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get("http://" + s.addr + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.t.Fatalf("server did not come up:\n%s", s.logs)
}

func (s *server) kill() {
	s.cmd.Process.Signal(syscall.SIGKILL)
	s.cmd.Wait()
}

func (s *server) stop() {
	s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		s.t.Error("server did not stop within 20 s of SIGTERM")
		s.kill()
	}
}

// member is a logged-in HTTP client that does not follow redirects, so a 303 after a
// post is the acknowledgement itself.
func (s *server) member(name string) *http.Client {
	s.t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := post(c, "http://"+s.addr+"/login", url.Values{"username": {name}, "password": {"crash-test-password"}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		s.t.Fatalf("log in %s: %v %v", name, err, resp)
	}
	return c
}

func post(c *http.Client, target string, form url.Values) (*http.Response, error) {
	req, _ := http.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := c.Do(req)
	if err == nil {
		resp.Body.Close()
	}
	return resp, err
}

// load posts replies from several members until stop closes, and returns the bodies the
// server acknowledged with a redirect.
func (s *server) load(t *testing.T, members []*http.Client, thread string, stop <-chan struct{}) []string {
	var mu sync.Mutex
	var acked []string
	var wg sync.WaitGroup
	for i, c := range members {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				body := fmt.Sprintf("crash-marker-%d-%d", i, n)
				resp, err := post(c, "http://"+s.addr+thread+"/reply", url.Values{"body": {body}, "token": {body}})
				if err != nil {
					return // the server died: whatever was not answered was not acknowledged
				}
				if resp.StatusCode == http.StatusSeeOther {
					mu.Lock()
					acked = append(acked, body)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return acked
}

func openDB(t *testing.T, path string) *storage.DB {
	t.Helper()
	db, err := storage.Open(context.Background(), path, storage.Options{})
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() { db.Close() })
	var ok string
	if err := db.Read().QueryRow("pragma integrity_check").Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check of %s: %q %v", path, ok, err)
	}
	return db
}

func missing(t *testing.T, db *sql.DB, acked []string) int {
	t.Helper()
	n := 0
	for _, body := range acked {
		var id int64
		if err := db.QueryRow("select id from posts where source = ?", body).Scan(&id); err != nil {
			n++
		}
	}
	return n
}

func TestKill9LosesNoAcknowledgedWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real binary")
	}
	s := &server{t: t, bin: buildStoa(t), data: t.TempDir(), addr: freeAddr(t)}
	s.run("user", "add", "--data", s.data, "--role", "admin", "crash-admin")
	for i := range 4 {
		s.run("user", "add", "--data", s.data, "--role", "member", fmt.Sprintf("crash-%d", i))
	}
	s.start()
	var members []*http.Client
	for i := range 4 {
		members = append(members, s.member(fmt.Sprintf("crash-%d", i)))
	}
	resp, err := post(members[0], "http://"+s.addr+"/c/general/new", url.Values{"title": {"Crash test"}, "body": {"first"}, "token": {"t0"}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create thread: %v %v", err, resp)
	}
	thread := resp.Header.Get("Location")
	thread = thread[:strings.LastIndex(thread, "/")]

	stop := make(chan struct{})
	result := make(chan []string)
	go func() { result <- s.load(t, members[:2], thread, stop) }()
	type chatResult struct {
		acked []string
		err   error
	}
	chatDone := make(chan chatResult)
	go func() {
		acked, err := s.chatLoad(members[2:], stop)
		chatDone <- chatResult{acked, err}
	}()

	// A backup taken under load must hold every write acknowledged before it started.
	time.Sleep(400 * time.Millisecond)
	var before int
	func() {
		db := openDBNoCheck(t, filepath.Join(s.data, "stoa.db"))
		defer db.Close()
		db.Read().QueryRow("select count(*) from posts").Scan(&before)
	}()
	backup := filepath.Join(t.TempDir(), "backup.db")
	s.run("backup", "--data", s.data, backup)

	time.Sleep(600 * time.Millisecond)
	s.kill() // mid-load, no warning
	close(stop)
	acked := <-result
	chat := <-chatDone
	if chat.err != nil {
		t.Fatal(chat.err)
	}
	if len(acked) < 20 || len(chat.acked) < 20 {
		t.Fatalf("only %d posts and %d chat messages acknowledged before the kill; the load did not run", len(acked), len(chat.acked))
	}

	db := openDB(t, filepath.Join(s.data, "stoa.db"))
	if n := missing(t, db.Read(), acked); n != 0 {
		t.Fatalf("%d of %d acknowledged posts are missing after kill -9", n, len(acked))
	}
	lost := 0
	for _, body := range chat.acked {
		var id int64
		if err := db.Read().QueryRow("select id from chat_messages where source = ?", body).Scan(&id); err != nil {
			lost++
		}
	}
	if lost != 0 {
		t.Fatalf("%d of %d acknowledged chat messages are missing after kill -9", lost, len(chat.acked))
	}
	db.Close()

	bdb := openDB(t, backup)
	var inBackup int
	bdb.Read().QueryRow("select count(*) from posts").Scan(&inBackup)
	if inBackup < before {
		t.Fatalf("backup holds %d posts, but %d were committed before it started", inBackup, before)
	}

	// The server restarts on the same data and serves the thread.
	s.start()
	defer s.stop()
	r, err := http.Get("http://" + s.addr + thread)
	if err != nil || r.StatusCode != 200 {
		t.Fatalf("after restart: %v %v", err, r)
	}
	r.Body.Close()
	t.Logf("%d posts and %d chat messages acknowledged, all present after kill -9; backup held %d posts (≥ %d)",
		len(acked), len(chat.acked), inBackup, before)
}

// openDBNoCheck opens the live database read-only-ish without an integrity check.
func openDBNoCheck(t *testing.T, path string) *storage.DB {
	t.Helper()
	db, err := storage.Open(context.Background(), path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return db
}
