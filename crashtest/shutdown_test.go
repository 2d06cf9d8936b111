package crashtest

import (
	"errors"
	"net/http"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// SIGTERM: open WebSockets are closed with 1001 (going away), a message acknowledged just
// before is on disk, and the process exits promptly.
func TestSIGTERMClosesSocketsWith1001AndKeepsAcknowledgedWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real binary")
	}
	s := &server{t: t, bin: buildStoa(t), data: t.TempDir(), addr: freeAddr(t)}
	s.run("user", "add", "--data", s.data, "--role", "member", "leaver")
	s.start()
	member := s.member("leaver")
	conn, err := s.chatSender(member)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	watcher, _, err := websocket.DefaultDialer.Dial("ws://"+s.addr+"/chat/general/ws", http.Header{"Origin": {"http://" + s.addr}})
	if err != nil {
		t.Fatal(err)
	}
	defer watcher.Close()

	body := "said just before the restart"
	if err := conn.WriteJSON(map[string]any{"type": "send", "body": body, "nonce": "n1", "confirm": true}); err != nil {
		t.Fatal(err)
	}
	for {
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		var f frame
		if err := conn.ReadJSON(&f); err != nil {
			t.Fatalf("no acknowledgement: %v", err)
		}
		if f.Nonce == "n1" && f.Type == "message" {
			break
		}
	}

	start := time.Now()
	s.cmd.Process.Signal(syscall.SIGTERM)
	watcher.SetReadDeadline(time.Now().Add(15 * time.Second))
	var closeErr *websocket.CloseError
	for {
		if _, _, err := watcher.ReadMessage(); err != nil {
			if !errors.As(err, &closeErr) {
				t.Fatalf("socket ended without a close frame: %v", err)
			}
			break
		}
	}
	if closeErr.Code != websocket.CloseGoingAway {
		t.Fatalf("close code %d, want 1001 (going away)", closeErr.Code)
	}
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, s.logs)
		}
	case <-time.After(15 * time.Second):
		s.kill()
		t.Fatal("still running 15 s after SIGTERM")
	}
	t.Logf("stopped %v after SIGTERM", time.Since(start).Round(time.Millisecond))

	db := openDB(t, filepath.Join(s.data, "stoa.db"))
	var n int
	db.Read().QueryRow("select count(*) from chat_messages where source = ?", body).Scan(&n)
	if n != 1 {
		t.Fatalf("the acknowledged message is in the database %d times, want 1", n)
	}
}
