package moderation_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"stoa/account"
	"stoa/internal/stoatest"
)

// The cases of issue 15, bug 6: what moderators met where staff, deleted content and a
// second moderator are involved.

// TestStaffNotesWordingFitsTheReader: the staff-notes hint never tells an administrator
// that they "never see" notes they are reading; for a member it still says so.
func TestStaffNotesWordingFitsTheReader(t *testing.T) {
	site := stoatest.Start(t)
	admin := site.Member(t, "ada", account.RoleAdmin)
	mod := site.Member(t, "mia", account.RoleModerator)
	site.Member(t, "alice", account.RoleMember)

	own := text(admin.Doc("/mod/users/ada", http.StatusOK).Find("#h-notes").Parent().Text())
	if strings.Contains(own, "never sees them") {
		t.Errorf("ada reads that she never sees notes about herself: %s", own)
	}
	if !strings.Contains(own, "you can read them") {
		t.Errorf("ada is not told that notes about her are visible to her: %s", own)
	}
	other := text(mod.Doc("/mod/users/ada", http.StatusOK).Find("#h-notes").Parent().Text())
	if strings.Contains(other, "never sees them") || !strings.Contains(other, "ada is staff") {
		t.Errorf("a moderator reading notes on an administrator: %s", other)
	}
	member := text(mod.Doc("/mod/users/alice", http.StatusOK).Find("#h-notes").Parent().Text())
	if !strings.Contains(member, "alice never sees them") {
		t.Errorf("notes on a member: %s", member)
	}
}

// TestModeratorsCannotSendNoticesToStaff: a notice to another staff member or to oneself
// is refused with a clear message, and the record page does not offer it.
func TestModeratorsCannotSendNoticesToStaff(t *testing.T) {
	site := stoatest.Start(t)
	site.Member(t, "ada", account.RoleAdmin)
	mod := site.Member(t, "mia", account.RoleModerator)
	site.Member(t, "otto", account.RoleModerator)
	site.Member(t, "alice", account.RoleMember)

	for _, name := range []string{"ada", "otto", "mia"} {
		doc := mod.Doc("/mod/users/"+name, http.StatusOK)
		if doc.Find(`input[name=send_notice]`).Length() != 0 {
			t.Errorf("the record of %s offers mia a notice", name)
		}
		mod.PostForm("/mod/users/"+name, url.Values{"do": {"apply"}, "send_notice": {"1"}, "notice": {"Behave."}})
		if mod.Last.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(mod.Body, "Notices go to members") {
			t.Errorf("notice to %s: %d %s", name, mod.Last.StatusCode, text(mod.Body))
		}
	}
	var n int
	if err := site.App.DB().QueryRow(context.Background(), "select count(*) from notices").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d notices were sent to staff", n)
	}
	if mod.Doc("/mod/users/alice", http.StatusOK).Find(`input[name=send_notice]`).Length() != 1 {
		t.Error("a member's record no longer offers a notice")
	}
}

// TestAuditReasonIsTheModerators: when a moderator gives no reason, the audit log's
// Reason column stays empty rather than showing the reporter's category.
func TestAuditReasonIsTheModerators(t *testing.T) {
	site := stoatest.Start(t)
	admin := site.Member(t, "ada", account.RoleAdmin)
	alice := site.Member(t, "alice", account.RoleMember)
	bob := site.Member(t, "bob", account.RoleMember)
	mod := site.Member(t, "mia", account.RoleModerator)
	post := newThread(t, alice, "Deals", "Buy cheap watches")
	report(t, bob, "post", post, "spam", "")
	mod.PostForm("/mod/review/post/"+post, url.Values{"do": {"apply"}, "reports_open": {"1"}, "hide": {"1"}})
	if mod.Last.StatusCode != http.StatusOK {
		t.Fatalf("hide: %d %s", mod.Last.StatusCode, text(mod.Body))
	}
	row := admin.Doc("/admin/audit?action=hide_post", http.StatusOK).Find("table tbody tr").First()
	if row.Length() == 0 {
		t.Fatal("no audit row for the hidden post")
	}
	if strings.Contains(row.Text(), "Spam") {
		t.Errorf("the audit log shows the reporter's category as the moderator's reason: %s", text(row.Text()))
	}
	if strings.Contains(site.Anonymous(t).Doc("/modlog", http.StatusOK).Find("table").Text(), "Spam") {
		t.Error("the public log shows the reporter's category as the reason")
	}
}

// TestHandledPageListsEverythingDone: the second moderator's "another moderator handled
// this" page lists every action the first took, the notice and the sanction included.
func TestHandledPageListsEverythingDone(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	bob := site.Member(t, "bob", account.RoleMember)
	mia := site.Member(t, "mia", account.RoleModerator)
	otto := site.Member(t, "otto", account.RoleModerator)
	post := newThread(t, alice, "Deals", "Buy cheap watches")
	report(t, bob, "post", post, "spam", "")
	form := url.Values{"do": {"apply"}, "reports_open": {"1"}, "hide": {"1"}, "lock": {"1"}, "send_notice": {"1"},
		"notice": {"No ads."}, "sanction": {"silence"}, "silence_for": {"24"}, "reason": {"Advertising"}}
	mia.PostForm("/mod/review/post/"+post, form)
	if mia.Last.StatusCode != http.StatusOK {
		t.Fatalf("first moderator: %d %s", mia.Last.StatusCode, text(mia.Body))
	}
	otto.PostForm("/mod/review/post/"+post, form)
	if otto.Last.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("second moderator: %d", otto.Last.StatusCode)
	}
	done := text(otto.Parse().Find(".mod-log").Text())
	for _, want := range []string{"Post hidden", "Thread closed", "Notice sent", "Member silenced"} {
		if !strings.Contains(done, want) {
			t.Errorf("the handled page does not list %q: %s", want, done)
		}
	}
}

// TestReportOnDeletedContentAgreed: a report on a post its author deleted can be closed
// as "agreed — already removed", and the audit log says so.
func TestReportOnDeletedContentAgreed(t *testing.T) {
	site := stoatest.Start(t)
	admin := site.Member(t, "ada", account.RoleAdmin)
	alice := site.Member(t, "alice", account.RoleMember)
	bob := site.Member(t, "bob", account.RoleMember)
	mod := site.Member(t, "mia", account.RoleModerator)
	newThread(t, alice, "Hello", "First post.")
	post := replyTo(t, alice, alice.Path(), "Something rude about bob.")
	report(t, bob, "post", post, "harassment", "")
	alice.PostForm("/p/"+post+"/delete", url.Values{})
	if alice.Last.StatusCode != http.StatusOK {
		t.Fatalf("author delete: %d", alice.Last.StatusCode)
	}

	doc := mod.Doc("/mod/review/post/"+post, http.StatusOK)
	btn := doc.Find(`button[name=do][value=removed]`)
	if btn.Length() != 1 || !strings.Contains(btn.Text(), "already removed") {
		t.Fatalf("the review page of a deleted post offers no “agreed — already removed”: %s", text(mod.Body))
	}
	mod.PostForm("/mod/review/post/"+post, url.Values{"do": {"removed"}, "next": {"/mod"}})
	if mod.Last.StatusCode != http.StatusOK || mod.Parse().Find(".mod-item").Length() != 0 {
		t.Fatalf("agree: %d at %s %s", mod.Last.StatusCode, mod.Path(), text(mod.Body))
	}
	var resolution string
	if err := site.App.DB().QueryRow(context.Background(), "select resolution from reports").Scan(&resolution); err != nil {
		t.Fatal(err)
	}
	if resolution != "actioned" {
		t.Errorf("the report was closed as %q, want it counted as agreed (actioned)", resolution)
	}
	log := text(admin.Doc("/admin/audit", http.StatusOK).Find("table").Text())
	if !strings.Contains(log, "Reports agreed — already removed") || strings.Contains(log, "Reports dismissed") {
		t.Errorf("audit log: %s", log)
	}
	// It is not offered while the post exists.
	other := replyTo(t, alice, "/t/"+threadID(alice.Path()), "Another rude one.")
	report(t, bob, "post", other, "harassment", "")
	if mod.Doc("/mod/review/post/"+other, http.StatusOK).Find(`button[name=do][value=removed]`).Length() != 0 {
		t.Error("“already removed” is offered for a post that still exists")
	}
	mod.PostForm("/mod/review/post/"+other, url.Values{"do": {"removed"}})
	if mod.Last.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("agreeing that an existing post was removed: %d", mod.Last.StatusCode)
	}
}
