package server_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"stoa/account"
	"stoa/chat"
	"stoa/internal/stoatest"
	"stoa/storage"
)

// chatClosed reads until the server closes conn and returns its close frame.
func chatClosed(t *testing.T, conn *websocket.Conn) *websocket.CloseError {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		if _, _, err := conn.ReadMessage(); err != nil {
			var ce *websocket.CloseError
			if !errors.As(err, &ce) {
				t.Fatalf("the connection ended without a close frame: %v", err)
			}
			return ce
		}
	}
}

// chatReady opens a room's socket as c, acknowledged so that messages go straight out.
func chatReady(t *testing.T, site *stoatest.Site, c *stoatest.Client) *websocket.Conn {
	t.Helper()
	conn := chatDial(t, site, c, "general")
	// Each socket says something of its own: the same text twice is refused as a duplicate.
	conn.WriteJSON(map[string]any{"type": "send", "body": "hello from " + conn.LocalAddr().String(), "nonce": "n0", "confirm": true})
	chatNext(t, conn, "message")
	return conn
}

// A chat WebSocket does not outlive its session: logging out, a password reset, deleting
// the account and a ban each close the member's sockets with a reason, and nothing more
// is stored as them.
func TestChatSocketsEndWithTheirSession(t *testing.T) {
	site := stoatest.Start(t)
	messages := func(name string) int {
		var n int
		site.App.DB().QueryRow(context.Background(), `select count(*) from chat_messages m join users u on u.id = m.author_id
			where u.username = ?`, name).Scan(&n)
		return n
	}

	// Logout closes the sockets of that session, not the member's other sessions.
	alice := site.Member(t, "alice", account.RoleMember)
	other := site.Anonymous(t)
	other.PostForm("/login", url.Values{"username": {"alice"}, "password": {"password-alice"}})
	mine, elsewhere := chatReady(t, site, alice), chatReady(t, site, other)
	alice.PostForm("/logout", nil)
	if ce := chatClosed(t, mine); ce.Code != chat.CloseSessionEnded || !strings.Contains(ce.Text, "logged out") {
		t.Errorf("after logout: close %d %q", ce.Code, ce.Text)
	}
	elsewhere.WriteJSON(map[string]any{"type": "send", "body": "still here", "nonce": "n1"})
	if f := chatNext(t, elsewhere, "message"); f["nonce"] != "n1" {
		t.Errorf("the other session's socket: %v", f)
	}

	// Deleting the account (erasing what was posted) closes every socket of it.
	bob := site.Member(t, "bob", account.RoleMember)
	cb := chatReady(t, site, bob)
	before := messages("bob")
	bob.PostForm("/me/delete", url.Values{"content": {"erase"}, "password": {"password-bob"}})
	if ce := chatClosed(t, cb); ce.Code != chat.CloseSessionEnded {
		t.Errorf("after deleting the account: close %d %q", ce.Code, ce.Text)
	}
	if n := messages("bob"); n > before {
		t.Errorf("%d messages stored as bob after his account was deleted", n-before)
	}

	// A sanction closes them too: a suspension ends the sessions, a silence the chat.
	mia := site.Member(t, "mia", account.RoleModerator)
	site.Member(t, "carol", account.RoleMember)
	site.Member(t, "erin", account.RoleMember)
	for _, c := range []struct{ name, kind, field string }{{"carol", "suspend", "suspend_for"}, {"erin", "silence", "silence_for"}} {
		client := site.Anonymous(t)
		client.PostForm("/login", url.Values{"username": {c.name}, "password": {"password-" + c.name}})
		conn := chatReady(t, site, client)
		mia.PostForm("/mod/users/"+c.name, url.Values{"do": {"apply"}, "sanction": {c.kind}, c.field: {"24"}, "reason": {"Spam"}})
		if mia.Last.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", c.kind, mia.Last.StatusCode)
		}
		if ce := chatClosed(t, conn); ce.Code != chat.CloseSessionEnded {
			t.Errorf("after %s: close %d %q", c.kind, ce.Code, ce.Text)
		}
	}
}

// Every message checks its session: a socket whose session ended without its event
// (another node, a missed event) is closed at its next message, which is not stored.
func TestChatChecksTheSessionOnEverySend(t *testing.T) {
	site := stoatest.Start(t)
	dave := site.Member(t, "dave", account.RoleMember)
	conn := chatReady(t, site, dave)
	// The session ends behind chat's back.
	if err := site.App.DB().Write(context.Background(), func(tx *storage.Tx) error {
		_, err := tx.Exec("delete from sessions")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	conn.WriteJSON(map[string]any{"type": "send", "body": "after the session", "nonce": "n2"})
	if ce := chatClosed(t, conn); ce.Code != chat.CloseSessionEnded {
		t.Errorf("close %d %q", ce.Code, ce.Text)
	}
	var n int
	site.App.DB().QueryRow(context.Background(), "select count(*) from chat_messages where source = 'after the session'").Scan(&n)
	if n != 0 {
		t.Error("a message was stored after its session ended")
	}
	// The page reconnects as a reader, which may watch.
	reader := chatDial(t, site, site.Anonymous(t), "general")
	reader.WriteJSON(map[string]any{"type": "send", "body": "x", "nonce": "n3"})
	if f := chatNext(t, reader, "error"); f["code"] != "forbidden" && !strings.Contains(f["message"].(string), "Log in") {
		t.Errorf("an anonymous send answered %v", f)
	}
}
