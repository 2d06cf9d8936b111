package forum_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"stoa/account"
	"stoa/internal/stoatest"
)

// notifications returns the texts on a member's notifications page, newest first.
func notifications(t *testing.T, c *stoatest.Client) []string {
	t.Helper()
	var out []string
	c.Doc("/notifications", http.StatusOK).Find(".notification a").Each(func(_ int, s *goquery.Selection) {
		out = append(out, strings.Join(strings.Fields(s.Text()), " "))
	})
	return out
}

// badge is the unread count in the page header, "" when there is none.
func badge(t *testing.T, c *stoatest.Client) string {
	t.Helper()
	b := c.Doc("/", http.StatusOK).Find(".notifications-link .badge").Clone()
	b.Find(".visually-hidden").Remove()
	return strings.TrimSpace(b.Text())
}

func TestMentionAndReplyNotificationsArriveOnce(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	bob := site.Member(t, "bob", account.RoleMember)
	carol := site.Member(t, "carol", account.RoleMember)
	dave := site.Member(t, "dave", account.RoleMember)
	thread := xThread(t, alice, "general", "Garden plans", "What should we plant this spring?")

	// A reply that also mentions the thread's author notifies her once, as a mention.
	post := xReply(t, bob, thread, "@alice and @Carol: tomatoes! (and @bob, @nobody, `@dave` in code)")
	if got := notifications(t, alice); len(got) != 1 || got[0] != "Unread: bob mentioned you in “Garden plans”" {
		t.Errorf("alice has %q", got)
	}
	if got := notifications(t, carol); len(got) != 1 || !strings.Contains(got[0], "bob mentioned you") {
		t.Errorf("carol has %q", got)
	}
	if got := notifications(t, bob); len(got) != 0 {
		t.Errorf("bob is notified of his own post: %q", got)
	}
	if got := notifications(t, dave); len(got) != 0 {
		t.Errorf("a mention inside code notified dave: %q", got)
	}
	if got := badge(t, alice); got != "1" {
		t.Errorf("alice's badge reads %q, want 1", got)
	}

	// Editing the post notifies nobody again.
	bob.PostForm(fmt.Sprintf("/p/%d/edit", post), url.Values{"body": {"@alice and @carol: tomatoes and beans!"}})
	if n := len(notifications(t, alice)) + len(notifications(t, carol)); n != 2 {
		t.Errorf("after an edit alice and carol have %d notifications, want 2", n)
	}

	// Dave watches; the next reply notifies alice as the author and dave as a watcher.
	dave.PostForm(fmt.Sprintf("/t/%d/watch", thread), url.Values{"watch": {"1"}})
	if !strings.Contains(dave.Body, "Stop watching") {
		t.Fatal("after watching, the thread does not offer to stop watching")
	}
	peppers := xReply(t, bob, thread, "Also peppers.")
	if got := notifications(t, alice); len(got) != 2 || got[0] != "Unread: bob replied to your thread “Garden plans”" {
		t.Errorf("alice has %q", got)
	}
	if got := notifications(t, dave); len(got) != 1 || got[0] != "Unread: bob posted in “Garden plans”, which you watch" {
		t.Errorf("dave has %q", got)
	}
	if got := notifications(t, carol); len(got) != 1 {
		t.Errorf("carol, who does not watch, has %q", got)
	}
	if got := badge(t, alice); got != "2" {
		t.Errorf("alice's badge reads %q, want 2", got)
	}

	// Opening a notification leads to the post; the thread page it opens shows both
	// posts alice was notified about, which marks both read.
	href, _ := alice.Doc("/notifications", http.StatusOK).Find(".notification a").First().Attr("href")
	alice.Get(href)
	if alice.Last.Request.URL.Fragment != fmt.Sprintf("p%d", peppers) {
		t.Errorf("the notification led to %s, want post %d", alice.Last.Request.URL, peppers)
	}
	if got := badge(t, alice); got != "" {
		t.Errorf("after reading the thread, alice's badge reads %q", got)
	}
	if got := notifications(t, alice); len(got) != 2 || strings.HasPrefix(got[0]+got[1], "Unread") || strings.Contains(got[1], "Unread") {
		t.Errorf("after reading, alice has %q", got)
	}
	// Someone else's notification is not found, and cannot be opened.
	carol.Get(href)
	if carol.Last.StatusCode != http.StatusNotFound {
		t.Errorf("carol opened alice's notification: %d", carol.Last.StatusCode)
	}

	// The author who stops watching gets no more reply notifications.
	alice.PostForm(fmt.Sprintf("/t/%d/watch", thread), url.Values{"watch": {"0"}})
	xReply(t, bob, thread, "And basil.")
	if got := notifications(t, alice); len(got) != 2 {
		t.Errorf("after unwatching alice has %q", got)
	}
	dave.PostForm("/notifications/read", nil)
	if got := badge(t, dave); got != "" {
		t.Errorf("after marking all read dave's badge reads %q", got)
	}
}

func TestNotificationsOfADeletedPostAreWithdrawn(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	bob := site.Member(t, "bob", account.RoleMember)
	thread := xThread(t, alice, "general", "Hello", "Hi all.")
	post := xReply(t, bob, thread, "Hi @alice")
	bob.PostForm(fmt.Sprintf("/p/%d/delete", post), nil)
	if got := notifications(t, alice); len(got) != 0 {
		t.Errorf("alice is still sent to a deleted post: %q", got)
	}
}

func TestNotificationSettings(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	bob := site.Member(t, "bob", account.RoleMember)
	alice.Doc("/me", http.StatusOK)
	if !strings.Contains(alice.Body, `href="/me/notifications"`) {
		t.Error("the account page does not link to notification settings")
	}
	doc := alice.Doc("/me/notifications", http.StatusOK)
	if doc.Find(`select[name="mention"] option[value="email"]`).Length() != 0 {
		t.Error("email is offered to a member without an email address")
	}
	if v, _ := doc.Find(`select[name="mention"] option[selected]`).Attr("value"); v != "app" {
		t.Errorf("mentions default to %q, want app", v)
	}
	alice.PostForm("/me/notifications", url.Values{"mention": {"email"}, "reply": {"app"}, "watching": {"app"}, "chat_mention": {"app"}, "reaction": {"app"}})
	if alice.Last.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(alice.Body, "no confirmed email address") {
		t.Errorf("email without an address: status %d", alice.Last.StatusCode)
	}
	alice.PostForm("/me/notifications", url.Values{"mention": {"off"}, "reply": {"app"}, "watching": {"app"}, "chat_mention": {"app"}, "reaction": {"app"}})
	if !strings.Contains(alice.Body, "settings are saved") {
		t.Fatalf("saving settings: status %d", alice.Last.StatusCode)
	}

	// With mentions off, a reply that mentions her still notifies her, as a reply.
	thread := xThread(t, alice, "general", "Settings", "Testing.")
	xReply(t, bob, thread, "@alice hello")
	if got := notifications(t, alice); len(got) != 1 || !strings.Contains(got[0], "replied to your thread") {
		t.Errorf("alice has %q", got)
	}
}
