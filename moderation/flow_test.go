package moderation_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"stoa/account"
	"stoa/internal/stoatest"
)

// TestP10_NoticeFlow walks the whole path a rule-breaker's notice takes: two members
// report a post, a moderator reviews it in the queue, hides it, sends a notice citing a
// rule with a one-day silence; the member sees the banner, cannot post, reads the
// notice, replies; the moderator sees the reply and when the notice was read.
func TestP10_NoticeFlow(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	bob := site.Member(t, "bob", account.RoleMember)
	carol := site.Member(t, "carol", account.RoleMember)
	mod := site.Member(t, "mia", account.RoleModerator)

	newThread(t, bob, "Welcome", "Say hello here.")
	thread := bob.Path()
	post := replyTo(t, alice, thread, "Everyone here is an idiot, especially bob.")

	// Reports: bob twice (collapsed into one), carol once.
	report(t, bob, "post", post, "harassment", "Insults me by name.")
	report(t, bob, "post", post, "harassment", "Still there.")
	if !strings.Contains(bob.Body, "already reported") {
		t.Errorf("a repeated report should say it was merged: %s", text(bob.Body))
	}
	report(t, carol, "post", post, "other", "Rude.")

	// The author edits after being reported: the queue keeps what was reported.
	alice.PostForm("/p/"+post+"/edit", url.Values{"body": {"I take it back."}})

	doc := mod.Doc("/mod", http.StatusOK)
	card := doc.Find(".mod-item")
	if card.Length() != 1 {
		t.Fatalf("queue has %d items, want 1 (grouped by target)\n%s", card.Length(), text(mod.Body))
	}
	ct := text(card.Text())
	for _, want := range []string{"2 reporters", "especially bob", "Harassment", "Still there.", "Rude.", "by alice",
		"No earlier notices or sanctions.", "Suggested next step: a notice"} {
		if !strings.Contains(ct, want) {
			t.Errorf("queue card lacks %q: %s", want, ct)
		}
	}
	if card.Find(".mod-reports li").Length() != 2 {
		t.Errorf("bob's repeated report should collapse: %d reports listed", card.Find(".mod-reports li").Length())
	}

	review, _ := card.Find("a.button").Attr("href")
	form := mod.Doc(review, http.StatusOK).Find("form.mod-actions")
	if _, checked := form.Find(`input[name=send_notice]`).Attr("checked"); !checked {
		t.Error("the suggested notice is not preselected")
	}
	if form.Find(`input[name=rule]`).Length() < 2 {
		t.Fatalf("the community agreement's rules are not offered: %s", text(mod.Body))
	}

	mod.PostForm(review, url.Values{"do": {"apply"}, "hide": {"1"}, "send_notice": {"1"}, "rule": {"2"},
		"notice": {"Calling people idiots breaks our rules. Please keep it civil."}, "sanction": {"silence"},
		"silence_for": {"24"}, "reason": {"Insulting another member"}})
	if mod.Last.StatusCode != http.StatusOK || !strings.Contains(mod.Path(), "done=1") {
		t.Fatalf("act: status %d at %s\n%s", mod.Last.StatusCode, mod.Path(), text(mod.Body))
	}
	if doc := mod.Doc("/mod", http.StatusOK); doc.Find(".mod-item").Length() != 0 {
		t.Error("the reports stay in the queue after acting")
	}

	// The public sees the post hidden; the author still sees it.
	anon := site.Anonymous(t)
	anon.Get(thread)
	if strings.Contains(anon.Body, "I take it back") || !strings.Contains(anon.Body, "Hidden by moderators") {
		t.Errorf("the public should see the post hidden: %s", text(anon.Body))
	}
	if alice.Get(thread); !strings.Contains(alice.Body, "I take it back") {
		t.Error("the author no longer sees their hidden post")
	}
	if carol.Get("/report?post=" + post); carol.Last.StatusCode != http.StatusNotFound || strings.Contains(carol.Body, "I take it back") {
		t.Errorf("the report form shows a hidden post to another member: %d", carol.Last.StatusCode)
	}

	// The member: banner on every page, silenced, reads, replies.
	doc = alice.Doc("/", http.StatusOK)
	banner := doc.Find(".banner-notice")
	if !strings.Contains(banner.Text(), "notice") || banner.Find(`a[href="/notices"]`).Length() == 0 {
		t.Fatalf("no notice banner: %s", text(doc.Find("body").Text()))
	}
	alice.Get("/c/general/new")
	if alice.Last.StatusCode != http.StatusForbidden || !strings.Contains(alice.Body, "silenced until") {
		t.Errorf("silenced member opened the composer: %d %s", alice.Last.StatusCode, text(alice.Body))
	}
	alice.PostForm("/t/"+threadID(thread)+"/reply", url.Values{"body": {"let me reply"}})
	if alice.Last.StatusCode != http.StatusForbidden {
		t.Errorf("silenced member replied: %d", alice.Last.StatusCode)
	}

	doc = alice.Doc("/notices", http.StatusOK)
	link, _ := doc.Find(".notice-list a.title").Attr("href")
	if link == "" || doc.Find(".notice-list .tag").Length() == 0 {
		t.Fatalf("notice list: %s", text(alice.Body))
	}
	page := text(alice.Doc(link, http.StatusOK).Find("main").Text())
	for _, want := range []string{"The moderators", "Please keep it civil", "No harassment", "version 1",
		"especially bob", "silenced for 1 day"} {
		if !strings.Contains(page, want) {
			t.Errorf("notice page lacks %q: %s", want, page)
		}
	}
	if strings.Contains(page, "mia") {
		t.Error("the member sees the moderator's name")
	}
	if doc := alice.Doc("/", http.StatusOK); strings.Contains(doc.Find(".banner-notice").Text(), "sent you a notice") {
		t.Error("the notice banner stays after reading")
	}
	alice.PostForm(link+"/reply", url.Values{"body": {"Sorry, I was angry. It will not happen again."}})
	if alice.Last.StatusCode != http.StatusOK || !strings.Contains(alice.Body, "It will not happen again") {
		t.Fatalf("silenced member could not reply to the notice: %d %s", alice.Last.StatusCode, text(alice.Body))
	}

	// The moderator sees the reply and the read receipt; any moderator's answer reaches alice.
	doc = mod.Doc("/mod", http.StatusOK)
	if !strings.Contains(doc.Text(), "1 notice with replies") {
		t.Errorf("the queue does not point to the member's reply: %s", text(mod.Body))
	}
	doc = mod.Doc("/mod/notices", http.StatusOK)
	staffLink, _ := doc.Find("table a").First().Attr("href")
	doc = mod.Doc(staffLink, http.StatusOK)
	if _, ok := doc.Find("[data-read-at]").Attr("data-read-at"); !ok || !strings.Contains(doc.Text(), "It will not happen again") {
		t.Errorf("staff do not see the read time and the reply: %s", text(mod.Body))
	}
	if !strings.Contains(doc.Text(), "mia (moderator)") {
		t.Error("staff do not see which moderator sent the notice")
	}
	other := site.Member(t, "otto", account.RoleModerator)
	other.PostForm(staffLink+"/reply", url.Values{"body": {"Thank you. The silence ends tomorrow."}})
	if other.Last.StatusCode != http.StatusOK {
		t.Fatalf("second moderator's reply: %d %s", other.Last.StatusCode, text(other.Body))
	}
	if doc := alice.Doc("/", http.StatusOK); !strings.Contains(doc.Find(".banner-notice").Text(), "notice") {
		t.Error("no banner for the moderators' reply")
	}
	page = text(alice.Doc(link, http.StatusOK).Find("main").Text())
	if !strings.Contains(page, "The silence ends tomorrow") || strings.Contains(page, "otto") {
		t.Errorf("the member should see the answer signed by the moderators: %s", page)
	}

	// The public log lists the hide and the silence with reasons, never who did them.
	log := text(anon.Doc("/modlog", http.StatusOK).Find("main").Text())
	for _, want := range []string{"Post hidden", "Member silenced", "Insulting another member"} {
		if !strings.Contains(log, want) {
			t.Errorf("modlog lacks %q: %s", want, log)
		}
	}
	for _, never := range []string{"mia", "Notice sent", "Calling people idiots"} {
		if strings.Contains(log, never) {
			t.Errorf("modlog shows %q: %s", never, log)
		}
	}
}
