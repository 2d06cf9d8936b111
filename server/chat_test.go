package server_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"stoa/account"
	"stoa/internal/stoatest"
	"stoa/server"
)

// chatDial opens a room's WebSocket as c, from a page of the site.
func chatDial(t *testing.T, site *stoatest.Site, c *stoatest.Client, room string) *websocket.Conn {
	t.Helper()
	u, _ := url.Parse(site.URL)
	d := websocket.Dialer{Jar: c.HTTP.Jar, HandshakeTimeout: 5 * time.Second}
	conn, resp, err := d.Dial("ws://"+u.Host+"/chat/"+room+"/ws", http.Header{"Origin": {site.URL}})
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial chat: %v (status %d)", err, status)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// chatNext reads frames until one of type kind arrives.
func chatNext(t *testing.T, conn *websocket.Conn, kind string) map[string]any {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		var f map[string]any
		if err := conn.ReadJSON(&f); err != nil {
			t.Fatalf("waiting for %q: %v", kind, err)
		}
		if f["type"] == kind {
			return f
		}
	}
}

// Chat works through the whole app, request logging included: the logger wraps the
// response writer, and the upgrade must still reach the connection.
func TestChatThroughTheWholeApp(t *testing.T) {
	site := stoatest.Start(t, func(c *server.Config) { c.Quiet = false })
	alice := site.Member(t, "alice", account.RoleMember)
	bob := site.Member(t, "bob", account.RoleMember)

	doc := alice.Doc("/chat", http.StatusOK)
	if doc.Find(`nav.primary a[href="/chat"][aria-current="page"]`).Length() != 1 {
		t.Error("the header does not mark Chat as the current section")
	}
	if doc.Find(`a[href="/chat/general"]`).Length() != 1 {
		t.Fatal("the default room general is not listed")
	}
	room := alice.Doc("/chat/general", http.StatusOK)
	if room.Find(`[data-disclosure="public"]`).Length() == 0 {
		t.Fatal("the room page has no disclosure")
	}
	src, _ := room.Find(`script[src^="/static/chat.js"]`).Attr("src")
	if nonce, _ := room.Find(`script[src^="/static/chat.js"]`).Attr("nonce"); src == "" || nonce == "" {
		t.Fatal("the room page does not load the chat script with a nonce")
	}
	alice.Get(src)
	if alice.Last.StatusCode != http.StatusOK || !strings.Contains(alice.Body, "WebSocket") {
		t.Fatalf("GET %s: %d", src, alice.Last.StatusCode)
	}

	cb := chatDial(t, site, bob, "general")
	ca := chatDial(t, site, alice, "general")
	ca.WriteJSON(map[string]any{"type": "send", "body": "hi bob", "nonce": "a1"})
	if f := chatNext(t, ca, "confirm_required"); f["nonce"] != "a1" {
		t.Fatalf("first message answered %v", f)
	}
	ca.WriteJSON(map[string]any{"type": "send", "body": "hi bob", "nonce": "a1", "confirm": true})
	if f := chatNext(t, ca, "message"); f["nonce"] != "a1" {
		t.Fatalf("ack %v", f)
	}
	if f := chatNext(t, cb, "message"); f["author"] != "alice" || !strings.Contains(f["html"].(string), "hi bob") {
		t.Fatalf("bob got %v", f)
	}
	// The site's public URL is an allowed origin; another site is not.
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
	u, _ := url.Parse(site.URL)
	if _, resp, err := d.Dial("ws://"+u.Host+"/chat/general/ws", http.Header{"Origin": {"https://evil.example"}}); err == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-origin upgrade: %v", err)
	}
}

func TestP15_ExportIncludesChatMessages(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	conn := chatDial(t, site, alice, "general")
	conn.WriteJSON(map[string]any{"type": "send", "body": "remember the **milk**", "nonce": "m1", "confirm": true})
	chatNext(t, conn, "message")

	alice.Get("/me/export")
	if alice.Last.StatusCode != http.StatusOK {
		t.Fatalf("export: %d", alice.Last.StatusCode)
	}
	z, err := zip.NewReader(bytes.NewReader([]byte(alice.Body)), int64(len(alice.Body)))
	if err != nil {
		t.Fatalf("export is not a zip archive: %v", err)
	}
	for _, f := range z.File {
		if f.Name != "chat_messages.json" {
			continue
		}
		r, _ := f.Open()
		data, _ := io.ReadAll(r)
		var msgs []map[string]any
		if err := json.Unmarshal(data, &msgs); err != nil {
			t.Fatal(err)
		}
		if len(msgs) != 1 || msgs[0]["markdown"] != "remember the **milk**" || msgs[0]["room"] != "general" {
			t.Fatalf("chat_messages.json holds %s", data)
		}
		return
	}
	t.Fatal("the export has no chat_messages.json")
}
