package e2e

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"stoa/account"
	"stoa/internal/stoatest"
	"stoa/mail/mailtest"
	"stoa/server"
	"stoa/storage"
)

// linkFrom waits for the n-th mail and returns the path of its link under prefix.
func linkFrom(t *testing.T, site *stoatest.Site, smtp *mailtest.Server, n int, prefix string) string {
	t.Helper()
	m := smtp.Wait(n, 15*time.Second)[n-1]
	link := regexp.MustCompile(regexp.QuoteMeta(site.URL+prefix) + `[A-Za-z0-9_\-]+`).FindString(m.Text)
	if link == "" {
		t.Fatalf("mail %q has no %s link:\n%s", m.Header.Get("Subject"), prefix, m.Text)
	}
	return strings.TrimPrefix(link, site.URL)
}

// A member registers with an address, confirms it from the mail, forgets their password
// and sets a new one through the link they are emailed.
func TestConfirmAddressThenResetForgottenPassword(t *testing.T) {
	smtp := mailtest.Start(t, mailtest.Options{})
	site := stoatest.Start(t, func(c *server.Config) { c.SMTPURL = smtp.URL() })
	b := newBrowser(t)
	tab := b.tab(site)

	tab.open("/register")
	tab.fill("Username", "nora")
	tab.fill("Password", "password-nora")
	tab.fill("Email (optional)", "nora@example.org")
	tab.press("Create account")
	tab.open(linkFrom(t, site, smtp, 1, "/me/email/confirm/"))
	if got := tab.text("main"); !strings.Contains(got, "nora@example.org") {
		t.Fatalf("confirmation page: %q", got)
	}
	tab.press("Confirm address")
	if got := tab.text("main h1"); got != "Address confirmed" {
		t.Fatalf("after confirming: %q", got)
	}
	tab.open("/me")
	tab.follow(chromedp.Click(chromedp.CSS(`a[href="/me/email"]`)))
	if got := tab.text("main .facts"); !strings.Contains(strings.ToLower(got), "confirmed") {
		t.Fatalf("email page: %q", got)
	}

	// Another browser: the forgotten password.
	other := b.tab(site)
	other.open("/login")
	other.follow(chromedp.Click(chromedp.Search(`//a[normalize-space(.)='Forgot your password?']`)))
	other.fill("Username or email", "nora@example.org")
	other.press("Send reset link")
	if got := other.text("main h1"); got != "Check your email" {
		t.Fatalf("after asking for a link: %q", got)
	}
	other.open(linkFrom(t, site, smtp, 2, "/reset/"))
	other.fill("New password", "a long new password")
	other.press("Save password")
	if got := other.text("main h1"); got != "Password changed" {
		t.Fatalf("after resetting: %q", got)
	}
	// The first browser's session ended with the reset.
	tab.open("/me")
	if p := tab.path(); !strings.HasPrefix(p, "/login") {
		t.Fatalf("old session still open: at %s", p)
	}
	other.open("/login")
	other.fill("Username", "nora")
	other.fill("Password", "a long new password")
	other.press("Log in")
	if got := other.text("nav.account .who"); got != "nora" {
		t.Fatalf("login with the new password: header shows %q", got)
	}
}

// The email, reset and outbox pages fit a 375-pixel-wide phone without sideways scrolling.
func TestMailPagesFitAPhone(t *testing.T) {
	site := stoatest.Start(t)
	if _, err := site.App.Accounts().CreateUser(context.Background(), "root", "password-root", account.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	// A long failed mail, the widest row the outbox page shows.
	err := site.App.DB().Write(context.Background(), func(tx *storage.Tx) error {
		_, err := tx.Exec(`insert into mail_outbox(kind, recipient, subject, body_text, body_html, message_id, status,
			attempts, next_attempt_at, last_error, created_at) values ('announcement', 'someone.with.a.long.name@a-very-long-domain.example.org',
			'A rather long subject line announcing something to every member', 'Hi', '<p>Hi</p>', '<outbox-1.x@localhost>', 'failed', 8, 0,
			'mail: connect to smtp.a-very-long-domain.example.org:587: dial tcp: lookup smtp.a-very-long-domain.example.org: no such host', 0)`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t)
	tab := b.tab(site)
	tab.login("root")
	tab.do(chromedp.EmulateViewport(375, 800))
	for _, path := range []string{"/forgot", "/me/email", "/admin/mail", "/reset/unknown-token"} {
		tab.open(path)
		if dir := os.Getenv("STOA_SCREENSHOTS"); dir != "" {
			tab.screenshot(dir, "mail"+strings.ReplaceAll(path, "/", "-")+"-phone")
		}
		if w := eval[int](tab, "document.documentElement.scrollWidth"); w > 375 {
			t.Errorf("%s is %d px wide on a 375 px screen", path, w)
		}
	}
}
