package moderation_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"stoa/account"
	"stoa/internal/stoatest"
)

// TestHiddenOpeningPostLeavesThreadReadable (issue 15, bug 1): hiding a thread's opening
// post no longer makes the thread 404. The public sees the thread with a placeholder and
// its replies; the author sees their post with a label; staff see it as before; the
// notice's "What this is about" link opens for the author.
func TestHiddenOpeningPostLeavesThreadReadable(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	bob := site.Member(t, "bob", account.RoleMember)
	mod := site.Member(t, "mia", account.RoleModerator)

	first := newThread(t, alice, "A heated start", "Everyone here is an OFFENSIVE-OPENING idiot.")
	thread := alice.Path()
	replyTo(t, bob, thread, "A calm and useful reply.")
	report(t, bob, "post", first, "harassment", "")

	mod.PostForm("/mod/review/post/"+first, url.Values{"do": {"apply"}, "hide": {"1"}, "send_notice": {"1"},
		"notice": {"Please keep it civil."}, "reason": {"Insults"}, "reports_open": {"1"}})
	if mod.Last.StatusCode != http.StatusOK || !strings.Contains(mod.Path(), "done=1") {
		t.Fatalf("hide the opening post: %d %s", mod.Last.StatusCode, text(mod.Body))
	}

	anon := site.Anonymous(t)
	doc := anon.Doc(thread, http.StatusOK)
	page := text(doc.Text())
	if strings.Contains(page, "OFFENSIVE-OPENING") || !strings.Contains(doc.Find("#p"+first).Text(), "Hidden by moderators") {
		t.Errorf("the public should see a placeholder for the opening post: %s", page)
	}
	if !strings.Contains(page, "A calm and useful reply.") || !strings.Contains(page, "A heated start") {
		t.Errorf("the public should still see the thread and its replies: %s", page)
	}

	doc = alice.Doc(thread, http.StatusOK)
	if own := text(doc.Find("#p" + first).Text()); !strings.Contains(own, "OFFENSIVE-OPENING") || !strings.Contains(own, "Only you and staff see it") {
		t.Errorf("the author should see their post with a label: %s", own)
	}
	if staff := text(mod.Doc(thread, http.StatusOK).Find("#p" + first).Text()); !strings.Contains(staff, "OFFENSIVE-OPENING") ||
		!strings.Contains(staff, "Only the author and staff see it") {
		t.Errorf("staff should see the hidden post as before: %s", staff)
	}
	// The notice's link to what it is about works for the author.
	notices := alice.Doc("/notices", http.StatusOK)
	link, ok := notices.Find(`a[href^="/notices/"]`).First().Attr("href")
	if !ok {
		t.Fatalf("alice has no notice: %s", text(alice.Body))
	}
	about, ok := alice.Doc(link, http.StatusOK).Find(".mod-snapshot a").Attr("href")
	if !ok {
		t.Fatalf("the notice has no link to what it is about: %s", text(alice.Body))
	}
	alice.Get(about)
	if alice.Last.StatusCode != http.StatusOK || !strings.Contains(alice.Body, "OFFENSIVE-OPENING") {
		t.Errorf("the notice's link %s answers %d for its author", about, alice.Last.StatusCode)
	}
	// Other members read it, but its replies are closed while the opening post is hidden.
	if doc := bob.Doc(thread, http.StatusOK); doc.Find("form#reply").Length() != 0 || !strings.Contains(doc.Text(), "takes no new replies") {
		t.Errorf("a member is offered a reply form in a thread whose opening post is hidden: %s", text(bob.Body))
	}
}
