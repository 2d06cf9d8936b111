package server_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"stoa/account"
	"stoa/internal/stoatest"
	"stoa/storage"
)

// extrasExec changes the database directly, as another part of Stoa would.
func extrasExec(t *testing.T, site *stoatest.Site, q string, args ...any) {
	t.Helper()
	err := site.App.DB().Write(context.Background(), func(tx *storage.Tx) error { _, err := tx.Exec(q, args...); return err })
	if err != nil {
		t.Fatal(err)
	}
}

// TestP16_NotificationEmailOnlyWhenChosen: a notification reaches the mail outbox only for
// a member who chose email for its kind; everyone else is notified in Stoa alone.
func TestP16_NotificationEmailOnlyWhenChosen(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	site.Member(t, "carol", account.RoleMember)
	bob := site.Member(t, "bob", account.RoleMember)
	extrasExec(t, site, "update users set email = username || '@example.org', email_verified = 1")

	doc := alice.Doc("/me/notifications", http.StatusOK)
	if doc.Find(`select[name="mention"] option[value="email"]`).Length() != 1 {
		t.Fatal("email is not offered to a member with an address")
	}
	alice.PostForm("/me/notifications", url.Values{"mention": {"email"}, "reply": {"app"}, "watching": {"app"}, "chat_mention": {"app"}, "reaction": {"app"}})
	if alice.Last.StatusCode != http.StatusOK || !strings.Contains(alice.Body, "saved") {
		t.Fatalf("saving settings: status %d", alice.Last.StatusCode)
	}

	bob.PostForm("/c/general/new", url.Values{"title": {"Seed swap"}, "body": {"@alice @carol who has tomato seeds?"}, "token": {account.NewToken()}})
	if !regexp.MustCompile(`^/t/\d+/`).MatchString(bob.Path()) {
		t.Fatalf("posting ended at %s", bob.Path())
	}

	rows, err := site.App.DB().Query(context.Background(), "select recipient, kind, subject, body_text from mail_outbox")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var mails []string
	for rows.Next() {
		var to, kind, subject, text string
		if err := rows.Scan(&to, &kind, &subject, &text); err != nil {
			t.Fatal(err)
		}
		mails = append(mails, to+" "+kind+" "+subject)
		if !strings.Contains(text, site.URL+"/notifications/") {
			t.Errorf("the email does not link to the notification:\n%s", text)
		}
	}
	if len(mails) != 1 || mails[0] != "alice@example.org notification bob mentioned you in “Seed swap”" {
		t.Errorf("outbox holds %q, want one mention email to alice", mails)
	}
	// carol, who chose nothing, is notified in Stoa only.
	carol := site.Anonymous(t)
	carol.PostForm("/login", url.Values{"username": {"carol"}, "password": {"password-carol"}})
	if got := carol.Doc("/notifications", http.StatusOK).Find(".notification").Length(); got != 1 {
		t.Errorf("carol has %d notifications in Stoa, want 1", got)
	}
}

// TestSearchFeedsAndNotificationsAreReachableFromPages: search, the feeds and
// notifications are each linked from a page a member reaches by browsing.
func TestSearchFeedsAndNotificationsAreReachableFromPages(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	home := alice.Doc("/", http.StatusOK)
	for _, sel := range []string{`header a[href="/search"]`, `header a[href="/notifications"]`, `footer a[href="/feed.atom"]`} {
		if home.Find(sel).Length() == 0 {
			t.Errorf("the home page has no %s", sel)
		}
	}
	if alice.Doc("/me", http.StatusOK).Find(`a[href="/me/notifications"]`).Length() == 0 {
		t.Error("the account page does not link to notification settings")
	}
	if alice.Doc("/notifications", http.StatusOK).Find(`a[href="/me/notifications"]`).Length() == 0 {
		t.Error("the notifications page does not link to its settings")
	}
	reader := site.Anonymous(t)
	if reader.Doc("/", http.StatusOK).Find(`a[href="/notifications"]`).Length() != 0 {
		t.Error("an anonymous reader is offered notifications")
	}
	for _, path := range []string{"/notifications", "/me/notifications", "/notifications/1"} {
		if reader.Get(path); !strings.HasPrefix(reader.Path(), "/login") {
			t.Errorf("anonymous GET %s ended at %s, want the login page", path, reader.Path())
		}
	}
}

// TestThreadManagementIsAudited: pinning, closing and moving a thread each leave an entry
// in moderation's audit log, written with the change.
func TestThreadManagementIsAudited(t *testing.T) {
	site := stoatest.Start(t)
	admin := site.Member(t, "ada", account.RoleAdmin)
	admin.PostForm("/admin/categories", url.Values{"name": {"Archive"}, "slug": {"archive"}})
	mod := site.Member(t, "mia", account.RoleModerator)
	alice := site.Member(t, "alice", account.RoleMember)
	alice.PostForm("/c/general/new", url.Values{"title": {"Old news"}, "body": {"Yesterday's."}, "token": {account.NewToken()}})
	thread := strings.Split(alice.Path(), "/")[2]
	for _, form := range []url.Values{{"action": {"thread.pin"}, "reason": {"FAQ"}}, {"action": {"thread.close"}},
		{"action": {"thread.move"}, "category": {"archive"}}} {
		mod.PostForm("/t/"+thread+"/manage", form)
		if mod.Last.StatusCode != http.StatusOK {
			t.Fatalf("%v: status %d", form, mod.Last.StatusCode)
		}
	}
	rows, err := site.App.DB().Query(context.Background(), "select actor_name, target_kind, reason from audit_log order by id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var actor, kind, reason string
		if err := rows.Scan(&actor, &kind, &reason); err != nil {
			t.Fatal(err)
		}
		got = append(got, actor+" "+kind+" "+reason)
	}
	want := []string{"mia thread FAQ", "mia thread ", "mia thread From “General” to “Archive”."}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("audit log %q, want %q", got, want)
	}
}
