package moderation_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"stoa/account"
	"stoa/internal/stoatest"
)

// TestInlineModerationInThreadsAndChat: staff hide a post from the thread itself, without
// a report, land back on it, and the action is audited like one from the queue; members
// get no such controls. In chat, staff get the member's record beside each message.
func TestInlineModerationInThreadsAndChat(t *testing.T) {
	site := stoatest.Start(t)
	admin := site.Member(t, "ada", account.RoleAdmin)
	alice := site.Member(t, "alice", account.RoleMember)
	bob := site.Member(t, "bob", account.RoleMember)
	mod := site.Member(t, "mia", account.RoleModerator)
	newThread(t, bob, "Garden", "Show your tomatoes.")
	thread := bob.Path()
	post := replyTo(t, alice, thread, "Buy my seeds at example.com")

	if bob.Doc(thread, http.StatusOK).Find(".post-mod").Length() != 0 {
		t.Error("a member sees the moderators' inline controls")
	}
	li := mod.Doc(thread, http.StatusOK).Find("li#p" + post)
	if _, ok := li.Find(`.post-mod a[href="/mod/users/alice"]`).Attr("href"); !ok {
		t.Errorf("no “moderate member” link on alice's post: %s", text(li.Text()))
	}
	form := li.Find(".post-mod form")
	action, _ := form.Attr("action")
	values := url.Values{}
	form.Find("input").Each(func(_ int, s *goquery.Selection) {
		n, _ := s.Attr("name")
		v, _ := s.Attr("value")
		values.Set(n, v)
	})
	mod.PostForm(action, values)
	if mod.Last.StatusCode != http.StatusOK || !strings.HasPrefix(mod.Path(), "/t/") {
		t.Fatalf("inline hide: %d at %s %s", mod.Last.StatusCode, mod.Path(), text(mod.Body))
	}
	if site.Anonymous(t).Doc(thread, http.StatusOK).Find("li#p"+post+".is-hidden").Length() != 1 {
		t.Error("the post is not hidden from the public")
	}
	if got := mod.Parse().Find("li#p" + post + " .post-mod button").Text(); got != "Show again" {
		t.Errorf("after hiding, the inline control reads %q, want “Show again”", got)
	}
	log := text(admin.Doc("/admin/audit?action=hide_post", http.StatusOK).Find("table").Text())
	if !strings.Contains(log, "mia") || !strings.Contains(log, "Post hidden") {
		t.Errorf("the inline hide is not audited: %s", log)
	}

	// Chat: a moderator sees "Moderate member" beside alice's message.
	alice.PostForm("/chat/general/ack", nil)
	tok := alice.FormToken("/chat/general")
	alice.PostForm("/chat/general/messages", url.Values{"body": {"hello room"}, "token": {tok}, "confirm": {"1"}})
	room := mod.Doc("/chat/general", http.StatusOK)
	msg := room.Find(".chat-msg").FilterFunction(func(_ int, s *goquery.Selection) bool { return strings.Contains(s.Text(), "hello room") })
	if msg.Length() != 1 {
		t.Fatalf("alice's message is not in the room: %s", text(mod.Body))
	}
	if _, ok := msg.Find(`a.chat-mod-member[href="/mod/users/alice"]`).Attr("href"); !ok {
		t.Errorf("no “moderate member” beside alice's chat message: %s", text(msg.Text()))
	}
	del, _ := msg.Find("a.chat-mod-delete").Attr("href")
	if !strings.Contains(del, "next=%2Fchat%2Fgeneral") {
		t.Errorf("the moderator's delete does not lead back to the room: %s", del)
	}
	if next, _ := mod.Doc(del, http.StatusOK).Find(`form.mod-actions input[name=next]`).Attr("value"); next != "/chat/general" {
		t.Errorf("the review page forgets the room: next %q", next)
	}
	if bob.Doc("/chat/general", http.StatusOK).Find("a.chat-mod-member").Length() != 0 {
		t.Error("a member sees “moderate member” in chat")
	}
}
