package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"stoa/account"
	"stoa/internal/stoatest"
)

// TestSilencedMemberCannotPostReplyEditOrChat: a silence reaches every way of writing in
// public, with the same sentence; reading and replying to the notice still work.
func TestSilencedMemberCannotPostReplyEditOrChat(t *testing.T) {
	site := stoatest.Start(t)
	sam := site.Member(t, "sam", account.RoleMember)
	mod := site.Member(t, "mia", account.RoleModerator)
	tok := sam.FormToken("/c/general/new")
	sam.PostForm("/c/general/new", url.Values{"title": {"Mine"}, "body": {"Before the silence"}, "token": {tok}})
	thread := sam.Path()
	modChatSay(t, site, sam, "general", "before the silence")

	mod.PostForm("/mod/users/sam", url.Values{"do": {"apply"}, "send_notice": {"1"}, "notice": {"Take a day off."},
		"sanction": {"silence"}, "silence_for": {"24"}, "reason": {"Flooding"}})
	if mod.Last.StatusCode != http.StatusOK {
		t.Fatalf("silence: %d", mod.Last.StatusCode)
	}

	refused := func(what string, status int, body string) {
		t.Helper()
		if status != http.StatusForbidden || !strings.Contains(body, "silenced until") || !strings.Contains(body, "Flooding") {
			t.Errorf("%s while silenced: %d", what, status)
		}
	}
	sam.PostForm("/c/general/new", url.Values{"title": {"New"}, "body": {"text"}, "token": {"t2"}})
	refused("new thread", sam.Last.StatusCode, sam.Body)
	sam.PostForm("/t/"+strings.Split(thread, "/")[2]+"/reply", url.Values{"body": {"text"}, "token": {"t3"}})
	refused("reply", sam.Last.StatusCode, sam.Body)
	sam.PostForm("/p/1/edit", url.Values{"body": {"edited"}})
	refused("edit", sam.Last.StatusCode, sam.Body)
	doc := sam.Doc(thread, http.StatusOK)
	if doc.Find("form#reply").Length() != 0 || !strings.Contains(doc.Text(), "silenced until") {
		t.Error("the thread page offers a silenced member the reply form")
	}

	conn := chatDial(t, site, sam, "general")
	conn.WriteJSON(map[string]any{"type": "send", "body": "still here", "nonce": "s1", "confirm": true})
	f := chatNext(t, conn, "error")
	if f["code"] != "silenced" || !strings.Contains(f["message"].(string), "silenced until") {
		t.Errorf("chat send while silenced answered %v", f)
	}

	// Reading and answering the moderators still work.
	if sam.Get("/notices/1"); sam.Last.StatusCode != http.StatusOK {
		t.Errorf("notice: %d", sam.Last.StatusCode)
	}
	sam.PostForm("/notices/1/reply", url.Values{"body": {"Sorry."}})
	if sam.Last.StatusCode != http.StatusOK || !strings.Contains(sam.Body, "Sorry.") {
		t.Errorf("notice reply while silenced: %d", sam.Last.StatusCode)
	}
}

// TestReportedChatMessageIsDeletedFromTheQueue: a chat message reported by a member is
// reviewed and deleted by a moderator; connected clients drop it at once.
func TestReportedChatMessageIsDeletedFromTheQueue(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	bob := site.Member(t, "bob", account.RoleMember)
	mod := site.Member(t, "mia", account.RoleModerator)
	modChatSay(t, site, alice, "general", "buy cheap pills")
	watcher := chatDial(t, site, bob, "general")
	chatNext(t, watcher, "presence")

	doc := bob.Doc("/report?message=1", http.StatusOK)
	if !strings.Contains(doc.Find(".mod-snapshot").Text(), "buy cheap pills") {
		t.Fatalf("the report form does not show the message: %s", doc.Text())
	}
	bob.PostForm("/report", url.Values{"kind": {"message"}, "id": {"1"}, "reason": {"spam"}})
	if bob.Last.StatusCode != http.StatusOK {
		t.Fatalf("report: %d", bob.Last.StatusCode)
	}
	doc = mod.Doc("/mod", http.StatusOK)
	if !strings.Contains(doc.Find(".mod-item").Text(), "Chat message in #general") {
		t.Fatalf("queue: %s", doc.Text())
	}
	if mod.Doc("/mod/review/message/1", http.StatusOK).Find(`input[name=delete]`).Length() != 1 {
		t.Fatal("the review page does not offer to delete the message")
	}
	mod.PostForm("/mod/review/message/1", url.Values{"do": {"apply"}, "delete": {"1"}, "send_notice": {"1"},
		"notice": {"No advertising in chat."}, "rule": {"4"}})
	if mod.Last.StatusCode != http.StatusOK {
		t.Fatalf("delete: %d", mod.Last.StatusCode)
	}
	if f := chatNext(t, watcher, "deleted"); f["id"] != float64(1) {
		t.Errorf("deleted frame %v", f)
	}
	if doc := site.Anonymous(t).Doc("/chat/general", http.StatusOK); strings.Contains(doc.Text(), "buy cheap pills") {
		t.Error("the deleted message is still in the room's history")
	}
	page := alice.Doc("/notices/1", http.StatusOK).Text()
	if !strings.Contains(page, "buy cheap pills") || !strings.Contains(page, "No advertising in chat") {
		t.Errorf("the notice does not quote the message: %s", page)
	}
	if log := site.Anonymous(t).Doc("/modlog", http.StatusOK).Text(); !strings.Contains(log, "Chat message deleted") {
		t.Errorf("modlog: %s", log)
	}
}
