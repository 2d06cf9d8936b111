package moderation_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"stoa/account"
	"stoa/internal/stoatest"
	"stoa/mail/mailtest"
	"stoa/server"
	"stoa/storage"
)

// confirmEmail gives a member a confirmed address, as the confirmation link would.
func confirmEmail(t *testing.T, site *stoatest.Site, name, email string) {
	t.Helper()
	err := site.App.DB().Write(context.Background(), func(tx *storage.Tx) error {
		_, err := tx.Exec("update users set email = ?, email_verified = 1 where username = ?", email, name)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestP10_NoticeReachesTheMemberByEmail: a plain notice from the member's record, with
// no report, is delivered by email to a confirmed address through a real SMTP server.
func TestP10_NoticeReachesTheMemberByEmail(t *testing.T) {
	smtp := mailtest.Start(t, mailtest.Options{})
	site := stoatest.Start(t, func(c *server.Config) { c.SMTPURL = smtp.URL() })
	site.Member(t, "alice", account.RoleMember)
	mod := site.Member(t, "mia", account.RoleModerator)
	confirmEmail(t, site, "alice", "alice@example.org")

	doc := mod.Doc("/mod/users/alice", http.StatusOK)
	if doc.Find("form.mod-actions").Length() != 1 {
		t.Fatal("the member's record has no form to send a notice")
	}
	mod.PostForm("/mod/users/alice", url.Values{"do": {"apply"}, "send_notice": {"1"}, "rule": {"4"},
		"notice": {"Please stop posting the same link in every thread."}})
	if mod.Last.StatusCode != http.StatusOK || !strings.Contains(mod.Path(), "done=1") {
		t.Fatalf("plain notice: %d %s", mod.Last.StatusCode, text(mod.Body))
	}
	m := smtp.Wait(1, 10*time.Second)[0]
	if len(m.To) != 1 || m.To[0] != "alice@example.org" {
		t.Fatalf("mail went to %v", m.To)
	}
	for _, want := range []string{"Please stop posting the same link", "4. No spam", "version 1", "/notices/"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("mail lacks %q:\n%s", want, m.Text)
		}
	}
	if strings.Contains(m.Text, "mia") {
		t.Error("the mail names the moderator")
	}
}

// TestNoMailWithoutAConfirmedAddress: an unconfirmed address gets nothing; the notice
// is in-app only.
func TestNoMailWithoutAConfirmedAddress(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	mod := site.Member(t, "mia", account.RoleModerator)
	err := site.App.DB().Write(context.Background(), func(tx *storage.Tx) error {
		_, err := tx.Exec("update users set email = 'alice@example.org', email_verified = 0 where username = 'alice'")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	mod.PostForm("/mod/users/alice", url.Values{"do": {"apply"}, "send_notice": {"1"}, "notice": {"Hello."}})
	var n int
	if err := site.App.DB().QueryRow(context.Background(), "select count(*) from mail_outbox where kind = 'notice'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d notice mails queued for an unconfirmed address", n)
	}
	if doc := alice.Doc("/notices", http.StatusOK); doc.Find(".notice-list li").Length() != 1 {
		t.Error("the in-app notice is missing")
	}
}

// TestP13_ModeratorsNeverSeeEmailAddresses: no moderation page shows a member's email.
func TestP13_ModeratorsNeverSeeEmailAddresses(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	bob := site.Member(t, "bob", account.RoleMember)
	mod := site.Member(t, "mia", account.RoleModerator)
	admin := site.Member(t, "ada", account.RoleAdmin)
	confirmEmail(t, site, "alice", "alice.secret@example.org")
	post := newThread(t, alice, "Hi", "Hello all")
	report(t, bob, "post", post, "spam", "")
	report(t, bob, "user", "1", "other", "Odd profile")
	mod.PostForm("/mod/review/post/"+post, url.Values{"do": {"apply"}, "send_notice": {"1"}, "notice": {"Note."}})
	for _, c := range []*stoatest.Client{mod, admin} {
		for _, path := range []string{"/mod", "/mod/users/alice", "/mod/review/post/" + post, "/mod/review/user/1",
			"/mod/notices", "/mod/notices/1", "/admin/users", "/admin/users?q=ali", "/admin/audit", "/report?user=alice"} {
			c.Get(path)
			if c.Last.StatusCode != http.StatusOK && !(c == mod && strings.HasPrefix(path, "/admin")) {
				t.Errorf("GET %s: %d", path, c.Last.StatusCode)
			}
			if strings.Contains(c.Body, "alice.secret") {
				t.Errorf("GET %s shows alice's email address", path)
			}
		}
	}
}

// TestAdminsManageRoles: promoting makes a moderator at once; demoting takes the tools
// away; admins cannot change their own role; every change is audited and public.
func TestAdminsManageRoles(t *testing.T) {
	site := stoatest.Start(t)
	admin := site.Member(t, "ada", account.RoleAdmin)
	bob := site.Member(t, "bob", account.RoleMember)

	doc := admin.Doc("/admin", http.StatusOK)
	for _, href := range []string{"/admin/categories", "/admin/users", "/admin/audit"} {
		if doc.Find(`main a[href="`+href+`"]`).Length() == 0 {
			t.Errorf("the admin dashboard does not link %s", href)
		}
	}
	if bob.Get("/mod"); bob.Last.StatusCode != http.StatusForbidden {
		t.Fatalf("member opened /mod: %d", bob.Last.StatusCode)
	}
	admin.PostForm("/admin/users/bob/role", url.Values{"role": {"moderator"}})
	if admin.Last.StatusCode != http.StatusOK || !strings.Contains(admin.Body, "role of bob was changed") {
		t.Fatalf("promote: %d %s", admin.Last.StatusCode, text(admin.Body))
	}
	if bob.Get("/mod"); bob.Last.StatusCode != http.StatusOK {
		t.Errorf("promoted moderator cannot open /mod: %d", bob.Last.StatusCode)
	}
	if bob.Get("/admin/users"); bob.Last.StatusCode != http.StatusForbidden {
		t.Errorf("moderator opened the roles page: %d", bob.Last.StatusCode)
	}
	bob.PostForm("/admin/users/ada/role", url.Values{"role": {"member"}})
	if bob.Last.StatusCode != http.StatusForbidden {
		t.Errorf("moderator changed a role: %d", bob.Last.StatusCode)
	}
	admin.PostForm("/admin/users/bob/role", url.Values{"role": {"member"}})
	if bob.Get("/mod"); bob.Last.StatusCode != http.StatusForbidden {
		t.Errorf("demoted member still opens /mod: %d", bob.Last.StatusCode)
	}
	admin.PostForm("/admin/users/ada/role", url.Values{"role": {"member"}})
	if admin.Last.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(admin.Body, "your own role") {
		t.Errorf("self-demotion: %d %s", admin.Last.StatusCode, text(admin.Body))
	}
	admin.PostForm("/admin/users/bob/role", url.Values{"role": {"king"}})
	if admin.Last.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("unknown role: %d", admin.Last.StatusCode)
	}
	log := text(site.Anonymous(t).Doc("/modlog", http.StatusOK).Text())
	if !strings.Contains(log, "bob: member → moderator") || !strings.Contains(log, "bob: moderator → member") || strings.Contains(log, "ada") {
		t.Errorf("modlog: %s", log)
	}
	if doc := admin.Doc("/admin/users?role=admin", http.StatusOK); doc.Find("tbody tr").Length() != 1 {
		t.Errorf("filter by role lists %d admins", doc.Find("tbody tr").Length())
	}
}

// TestP15_ExportAndEraseNotices: the member's export holds their notices (signed by the
// moderators), sanctions and the reports they filed; erasing the account removes their
// notices and their words, and keeps the moderation record (issue 15 bug 7: the sanction,
// and the report they filed without their details).
func TestP15_ExportAndEraseNotices(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	bob := site.Member(t, "bob", account.RoleMember)
	mod := site.Member(t, "mia", account.RoleModerator)
	post := newThread(t, bob, "Hi", "Hello")
	report(t, alice, "post", post, "off_topic", "Wrong place")
	mod.PostForm("/mod/users/alice", url.Values{"do": {"apply"}, "send_notice": {"1"}, "notice": {"Please read the rules."},
		"sanction": {"silence"}, "silence_for": {"1"}, "reason": {"Testing"}})
	alice.Get("/notices/1")
	alice.PostForm("/notices/1/reply", url.Values{"body": {"Understood."}})

	resp := alice.Get("/me/export")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("export: %d", resp.StatusCode)
	}
	z, err := zip.NewReader(bytes.NewReader([]byte(alice.Body)), int64(len(alice.Body)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name] = string(b)
	}
	var notices []struct {
		From         string
		Message      string
		Conversation []struct{ From, Text string }
	}
	if err := json.Unmarshal([]byte(files["notices.json"]), &notices); err != nil || len(notices) != 1 {
		t.Fatalf("notices.json: %v %s", err, files["notices.json"])
	}
	n := notices[0]
	if n.From != "the moderators" || n.Message != "Please read the rules." || len(n.Conversation) != 1 || n.Conversation[0].Text != "Understood." {
		t.Errorf("exported notice: %+v", n)
	}
	if strings.Contains(files["notices.json"], "mia") {
		t.Error("the export names the moderator")
	}
	if !strings.Contains(files["sanctions.json"], "silenced for 1 hour") || !strings.Contains(files["reports_filed.json"], "Wrong place") {
		t.Errorf("sanctions %s\nreports %s", files["sanctions.json"], files["reports_filed.json"])
	}

	alice.PostForm("/me/delete", url.Values{"content": {"erase"}, "password": {"password-alice"}})
	var left, sanctions, reports int
	if err := site.App.DB().QueryRow(context.Background(), `select (select count(*) from notices) + (select count(*) from notice_replies),
		(select count(*) from sanctions), (select count(*) from reports where details = '')`).Scan(&left, &sanctions, &reports); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Errorf("%d notices or replies of alice remain after erasing her account", left)
	}
	if sanctions != 1 || reports != 1 {
		t.Errorf("after erasing, %d sanctions and %d reports without her words kept, want 1 and 1", sanctions, reports)
	}
	var audit int
	if err := site.App.DB().QueryRow(context.Background(), "select count(*) from audit_log").Scan(&audit); err != nil {
		t.Fatal(err)
	}
	if audit == 0 {
		t.Error("erasing an account removed audit entries")
	}
}
