package server_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"stoa/account"
	"stoa/internal/stoatest"
	"stoa/server"
)

// register creates an account through the form and, when email is given, confirms the
// address with the link mailed to it.
func register(t *testing.T, site *stoatest.Site, name, email string) *stoatest.Client {
	t.Helper()
	c := site.Anonymous(t)
	c.PostForm("/register", url.Values{"username": {name}, "password": {"password-" + name}, "email": {email}})
	if !strings.Contains(c.Body, "Log out") {
		t.Fatalf("register %s: %d at %s", name, c.Last.StatusCode, c.Path())
	}
	if email == "" {
		return c
	}
	var text string
	err := site.App.DB().QueryRow(context.Background(), "select body_text from mail_outbox where kind = 'confirm' and recipient = ? order by id desc limit 1", email).Scan(&text)
	m := confirmLink.FindString(text)
	if err != nil || m == "" {
		t.Fatalf("no confirmation mail for %s: %v", email, err)
	}
	c.PostForm(m, nil)
	if c.Last.StatusCode != http.StatusOK {
		t.Fatalf("confirm %s: %d", email, c.Last.StatusCode)
	}
	return c
}

var confirmLink = regexp.MustCompile(`/me/email/confirm/[A-Za-z0-9_-]+`)

func noLimits(c *server.Config) { c.NoRateLimits = true }

// queryRow reads one row of query into dest, failing the test if it cannot: a check of
// what is (or is no longer) stored must not pass because its query failed.
func queryRow(t *testing.T, site *stoatest.Site, query string, args []any, dest ...any) {
	t.Helper()
	if err := site.App.DB().QueryRow(context.Background(), query, args...).Scan(dest...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

type outboxRow struct {
	Kind, To, Subject, Text, Headers string
	UserID                           int64
}

func outbox(t *testing.T, site *stoatest.Site) []outboxRow {
	t.Helper()
	// Address confirmations are the mail flow's business (and asked for by giving one).
	rows, err := site.App.DB().Query(context.Background(), `select kind, recipient, subject, body_text, headers, coalesce(user_id, 0)
		from mail_outbox where kind != 'confirm' order by id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []outboxRow
	for rows.Next() {
		var r outboxRow
		if err := rows.Scan(&r.Kind, &r.To, &r.Subject, &r.Text, &r.Headers, &r.UserID); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

type auditRow struct{ Action, Actor, Target, Reason string }

func auditLog(t *testing.T, site *stoatest.Site) []auditRow {
	t.Helper()
	rows, err := site.App.DB().Query(context.Background(), "select action, actor_name, target_label, reason from audit_log order by id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []auditRow
	for rows.Next() {
		var r auditRow
		if err := rows.Scan(&r.Action, &r.Actor, &r.Target, &r.Reason); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// enquiryID returns the id of the newest enquiry.
func enquiryID(t *testing.T, site *stoatest.Site) string {
	t.Helper()
	var id string
	if err := site.App.DB().QueryRow(context.Background(), "select id from enquiries order by id desc limit 1").Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// P9: anyone can write to the team; staff read it in their inbox and answer in the app
// or, for an anonymous sender who left an address, by email; a member's follow-up
// reaches staff again.
func TestP9_EnquiriesReachStaffAndAnswersReachSenders(t *testing.T) {
	site := stoatest.Start(t, noLimits)
	mod := site.Member(t, "mod", account.RoleModerator)

	anon := site.Anonymous(t)
	anon.PostForm("/contact", url.Values{"subject": {"What do you keep?"}, "body": {"About readers like me."}, "reply_to": {"reader@example.net"}})
	if anon.Path() != "/contact?sent=1" || !strings.Contains(anon.Body, "reached the team") {
		t.Fatalf("anonymous enquiry: %d at %s", anon.Last.StatusCode, anon.Path())
	}
	anonID := enquiryID(t, site)
	inbox := mod.Doc("/mod/enquiries", http.StatusOK)
	if !strings.Contains(inbox.Text(), "What do you keep?") || !strings.Contains(inbox.Text(), "anonymous visitor") {
		t.Fatalf("staff inbox lacks the enquiry:\n%s", inbox.Find("main").Text())
	}
	page := mod.Doc("/mod/enquiries/"+anonID, http.StatusOK)
	if strings.Contains(mod.Body, "reader@example.net") {
		t.Error("staff see the anonymous sender's address")
	}
	if page.Find("textarea[name=body]").Length() != 1 {
		t.Fatal("no answer form")
	}
	mod.PostForm("/mod/enquiries/"+anonID, url.Values{"body": {"We keep no data about readers."}})
	mails := outbox(t, site)
	if len(mails) != 1 || mails[0].To != "reader@example.net" || mails[0].Kind != "enquiry" || !strings.Contains(mails[0].Text, "We keep no data about readers.") {
		t.Fatalf("answer by email = %+v", mails)
	}

	alice := register(t, site, "alice", "alice@example.org")
	alice.PostForm("/contact", url.Values{"subject": {"Moderation question"}, "body": {"Why was my post hidden?"}})
	id := enquiryID(t, site)
	mod.PostForm("/mod/enquiries/"+id, url.Values{"body": {"It broke rule 3."}})
	home := alice.Doc("/", http.StatusOK)
	if !strings.Contains(home.Find(".banner").Text(), "answered your enquiry") {
		t.Error("no banner tells alice about the answer")
	}
	doc := alice.Doc("/me/enquiries/"+id, http.StatusOK)
	if !strings.Contains(doc.Text(), "It broke rule 3.") {
		t.Fatal("the answer does not reach alice in the app")
	}
	if strings.Contains(alice.Doc("/", http.StatusOK).Find(".banner").Text(), "answered your enquiry") {
		t.Error("the banner stays after reading the answer")
	}
	alice.PostForm("/me/enquiries/"+id, url.Values{"body": {"Thanks, understood."}})
	if !strings.Contains(mod.Doc("/mod/enquiries/"+id, http.StatusOK).Text(), "Thanks, understood.") {
		t.Error("alice's follow-up does not reach staff")
	}
	if !strings.Contains(mod.Doc("/mod/enquiries", http.StatusOK).Text(), "Moderation question") {
		t.Error("the follow-up did not reopen the enquiry")
	}
	// Others' enquiries stay private.
	bob := site.Member(t, "bob", account.RoleMember)
	if bob.Get("/me/enquiries/"+id).StatusCode != http.StatusNotFound || bob.Get("/mod/enquiries").StatusCode != http.StatusForbidden {
		t.Error("a member reached someone else's enquiry or the staff inbox")
	}
}

// P12: an admin can export one member's data for a lawful request, only with a stated
// reason, and the export is written to the audit log.
func TestP12_LegalExportIsAudited(t *testing.T) {
	site := stoatest.Start(t, noLimits)
	alice := register(t, site, "alice", "alice@example.org")
	post(t, alice, "Alice's thread", "Something alice wrote.")
	admin := site.Member(t, "root", account.RoleAdmin)
	if doc := admin.Doc("/admin/users/alice/export", http.StatusOK); doc.Find("textarea[name=reason]").Length() != 1 {
		t.Fatal("export form asks for no reason")
	}
	admin.PostForm("/admin/users/alice/export", url.Values{"reason": {""}})
	if admin.Last.StatusCode != http.StatusUnprocessableEntity || len(auditLog(t, site)) != 0 {
		t.Fatalf("export without a reason: %d, audit %v", admin.Last.StatusCode, auditLog(t, site))
	}
	admin.PostForm("/admin/users/alice/export", url.Values{"reason": {"Court order 2024-17 from the district court"}})
	if admin.Last.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("export: %d %s", admin.Last.StatusCode, admin.Last.Header.Get("Content-Type"))
	}
	files := unzip(t, []byte(admin.Body))
	if !strings.Contains(files["posts.json"], "Something alice wrote.") || !strings.Contains(files["profile.json"], "alice@example.org") {
		t.Errorf("legal export lacks alice's data: %v", keys(files))
	}
	log := auditLog(t, site)
	if len(log) != 1 || log[0] != (auditRow{"export_member_data", "root", "alice", "Court order 2024-17 from the district court"}) {
		t.Errorf("audit log = %+v", log)
	}
	mod := site.Member(t, "mod", account.RoleModerator)
	mod.PostForm("/admin/users/alice/export", url.Values{"reason": {"curious about alice"}})
	if mod.Last.StatusCode != http.StatusForbidden || len(auditLog(t, site)) != 1 {
		t.Errorf("a moderator exported a member's data: %d", mod.Last.StatusCode)
	}
}

// P13: moderators never see a member's email address; an admin can, after giving a
// reason, and that access is written to the audit log.
func TestP13_EmailHiddenFromModeratorsAndAdminAccessAudited(t *testing.T) {
	site := stoatest.Start(t, noLimits)
	const secret = "alice.secret@example.org"
	alice := register(t, site, "alice", secret)
	post(t, alice, "Alice's thread", "Hello.")
	alice.PostForm("/contact", url.Values{"subject": {"Help"}, "body": {"Please help."}})
	id := enquiryID(t, site)
	mod := site.Member(t, "mod", account.RoleModerator)
	for _, p := range []string{"/u/alice", "/mod", "/mod/enquiries", "/mod/enquiries/" + id, "/mod/users/alice", "/admin/users/alice/email", "/admin/privacy?user=alice"} {
		mod.Get(p)
		if strings.Contains(mod.Body, secret) {
			t.Errorf("a moderator sees alice's address on %s", p)
		}
	}
	if mod.Get("/admin/users/alice/email").StatusCode != http.StatusForbidden {
		t.Error("a moderator reached the email page")
	}
	mod.PostForm("/admin/users/alice/email", url.Values{"reason": {"I would like to know"}})
	if mod.Last.StatusCode != http.StatusForbidden || strings.Contains(mod.Body, secret) {
		t.Error("a moderator got the address by posting the form")
	}

	admin := site.Member(t, "root", account.RoleAdmin)
	if admin.Doc("/admin", http.StatusOK).Find("a[href='/admin/privacy']").Length() != 1 {
		t.Error("the admin dashboard does not link the personal data page")
	}
	tools := admin.Doc("/admin/privacy", http.StatusOK)
	if tools.Find("form[action='/admin/privacy'] input[name=user]").Length() != 1 {
		t.Error("the admin's personal data page has no member lookup")
	}
	admin.Get("/admin/privacy?user=alice&action=email")
	if admin.Path() != "/admin/users/alice/email" || strings.Contains(admin.Body, secret) {
		t.Fatalf("lookup went to %s, or showed the address before a reason", admin.Path())
	}
	admin.PostForm("/admin/users/alice/email", url.Values{"reason": {"no"}})
	if admin.Last.StatusCode != http.StatusUnprocessableEntity || strings.Contains(admin.Body, secret) || len(auditLog(t, site)) != 0 {
		t.Fatal("the address was shown for a reason too short to mean anything")
	}
	admin.PostForm("/admin/users/alice/email", url.Values{"reason": {"Alice asked us to confirm the address on file"}})
	if admin.Last.StatusCode != http.StatusOK || !strings.Contains(admin.Body, secret) {
		t.Fatalf("admin with a reason did not see the address: %d", admin.Last.StatusCode)
	}
	if admin.Last.Header.Get("Cache-Control") != "no-store" {
		t.Error("the page with the address may be cached")
	}
	log := auditLog(t, site)
	if len(log) != 1 || log[0] != (auditRow{"view_email", "root", "alice", "Alice asked us to confirm the address on file"}) {
		t.Errorf("audit log = %+v", log)
	}
}

func unzip(t *testing.T, b []byte) map[string]string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a zip archive: %v", err)
	}
	out := map[string]string{}
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = string(data)
	}
	return out
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// The contact form is open to anyone, so it is rate-limited per visitor; a refused message
// comes back with its text, and a bad address gets a sentence saying what to do.
func TestContactFormLimitsAndErrors(t *testing.T) {
	site := stoatest.Start(t, noLimits)
	anon := site.Anonymous(t)
	anon.PostForm("/contact", url.Values{"subject": {"Hi"}, "body": {"Text"}, "reply_to": {"not an address"}})
	if anon.Last.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(anon.Body, "Enter an email address like") {
		t.Fatalf("bad reply address: %d", anon.Last.StatusCode)
	}
	if v, _ := anon.Parse().Find("textarea[name=body]").Html(); v != "Text" {
		t.Errorf("the message was lost: %q", v)
	}
	var refused bool
	for i := 0; i < 8 && !refused; i++ {
		anon.PostForm("/contact", url.Values{"subject": {"Again"}, "body": {"Message number " + string(rune('a'+i))}})
		refused = anon.Last.StatusCode == http.StatusTooManyRequests
	}
	if !refused {
		t.Fatal("eight enquiries in a row were all accepted")
	}
	if !strings.Contains(anon.Body, "Wait a few minutes") || !strings.Contains(anon.Body, "Message number") {
		t.Error("the refusal does not explain itself or lost the text")
	}
	// A robot filling in the hidden field is told it worked, and nothing is kept.
	var before, after int
	queryRow(t, site, "select count(*) from enquiries", nil, &before)
	bot := site.Anonymous(t)
	bot.PostForm("/contact", url.Values{"subject": {"Cheap pills"}, "body": {"Buy"}, "website": {"http://spam.example"}})
	queryRow(t, site, "select count(*) from enquiries", nil, &after)
	if bot.Path() != "/contact?sent=1" || after != before {
		t.Errorf("honeypot: at %s, %d enquiries became %d", bot.Path(), before, after)
	}
}
