package server_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"stoa/account"
	"stoa/internal/stoatest"
)

// presenceWithout waits until a presence frame leaves name out.
func presenceWithout(t *testing.T, conn *websocket.Conn, name string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		conn.SetReadDeadline(deadline)
		var f struct {
			Type  string   `json:"type"`
			Users []string `json:"users"`
		}
		if err := conn.ReadJSON(&f); err != nil {
			t.Fatalf("waiting for %s to leave \"here now\": %v", name, err)
		}
		if f.Type == "presence" && !slices.Contains(f.Users, name) {
			return
		}
	}
}

// TestSuspendedMemberLeavesChatAndKeepsOnlyTheirNotices (issue 15, bug 5): a suspension
// closes the member's chat sockets and takes them out of "here now"; they may still sign
// in, to read and answer their notices and nothing else that writes; chat refuses
// their message with the code "suspended".
func TestSuspendedMemberLeavesChatAndKeepsOnlyTheirNotices(t *testing.T) {
	site := stoatest.Start(t)
	sam := site.Member(t, "sam", account.RoleMember)
	bob := site.Member(t, "bob", account.RoleMember)
	mod := site.Member(t, "mia", account.RoleModerator)
	tok := sam.FormToken("/c/general/new")
	sam.PostForm("/c/general/new", url.Values{"title": {"Mine"}, "body": {"Before the suspension"}, "token": {tok}})
	thread := sam.Path()
	modChatSay(t, site, bob, "general", "hello")

	samConn := chatDial(t, site, sam, "general")
	chatNext(t, samConn, "presence")
	watcher := chatDial(t, site, bob, "general")
	chatNext(t, watcher, "presence")

	mod.PostForm("/mod/users/sam", url.Values{"do": {"apply"}, "send_notice": {"1"}, "notice": {"Three days off."},
		"sanction": {"suspend"}, "suspend_for": {"72"}, "reason": {"Flooding"}})
	if mod.Last.StatusCode != http.StatusOK || !strings.Contains(mod.Path(), "done=1") {
		t.Fatalf("suspend: %d", mod.Last.StatusCode)
	}
	// Their socket is closed at once, and they leave "here now".
	samConn.SetReadDeadline(time.Now().Add(20 * time.Second))
	for {
		var f map[string]any
		err := samConn.ReadJSON(&f)
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			if ce.Code != websocket.ClosePolicyViolation {
				t.Errorf("suspended member's socket closed with %d %q", ce.Code, ce.Text)
			}
			break
		}
		if err != nil {
			t.Fatalf("suspended member's socket: %v", err)
		}
		if f["type"] == "message" {
			t.Fatal("the suspended member's socket still receives messages")
		}
	}
	presenceWithout(t, watcher, "sam")

	// A usual login is refused with the reason, and offers the notices.
	again := site.Anonymous(t)
	again.PostForm("/login", url.Values{"username": {"sam"}, "password": {"password-sam"}})
	if again.Last.StatusCode != http.StatusForbidden || !strings.Contains(again.Body, "suspended until") ||
		again.Parse().Find(`form input[name=notices_only]`).Length() != 1 {
		t.Fatalf("usual login while suspended: %d %s", again.Last.StatusCode, again.Body)
	}
	again.PostForm("/login", url.Values{"username": {"sam"}, "password": {"password-sam"}, "notices_only": {"1"}})
	if again.Last.StatusCode != http.StatusOK || again.Path() != "/notices" || !strings.Contains(again.Body, "Three days off.") {
		t.Fatalf("sign in to the notices: %d at %s %s", again.Last.StatusCode, again.Path(), again.Body)
	}
	if again.Get("/notices/1"); again.Last.StatusCode != http.StatusOK {
		t.Errorf("reading the notice: %d", again.Last.StatusCode)
	}
	again.PostForm("/notices/1/reply", url.Values{"body": {"I understand, sorry."}})
	if again.Last.StatusCode != http.StatusOK || !strings.Contains(again.Body, "I understand, sorry.") {
		t.Errorf("answering the notice while suspended: %d", again.Last.StatusCode)
	}

	// Nothing else that writes.
	for _, w := range []struct {
		path string
		form url.Values
	}{
		{"/c/general/new", url.Values{"title": {"New"}, "body": {"text"}, "token": {"x1"}}},
		{"/t/" + strings.Split(thread, "/")[2] + "/reply", url.Values{"body": {"text"}, "token": {"x2"}}},
		{"/t/" + strings.Split(thread, "/")[2] + "/watch", url.Values{"watch": {"0"}}},
		{"/report", url.Values{"kind": {"user"}, "id": {"2"}, "reason": {"spam"}}},
		{"/p/1/delete", nil},
	} {
		again.PostForm(w.path, w.form)
		if again.Last.StatusCode != http.StatusForbidden || !strings.Contains(again.Body, "suspended until") {
			t.Errorf("POST %s while suspended: %d", w.path, again.Last.StatusCode)
		}
	}
	if doc := site.Anonymous(t).Doc(thread, http.StatusOK); !strings.Contains(doc.Text(), "Before the suspension") {
		t.Error("a refused write changed the thread")
	}

	// Chat refuses with the protocol's "suspended", not "silenced"; reading the room does
	// not bring them back to "here now".
	conn := chatDial(t, site, again, "general")
	if f := chatNext(t, conn, "presence"); strings.Contains(fmt.Sprint(f["users"]), "sam") {
		t.Errorf("the suspended member is back in \"here now\": %v", f)
	}
	conn.WriteJSON(map[string]any{"type": "send", "body": "still here", "nonce": "s1", "confirm": true})
	f := chatNext(t, conn, "error")
	if f["code"] != "suspended" || !strings.Contains(f["message"].(string), "suspended until") {
		t.Errorf("chat send while suspended answered %v", f)
	}
}
