package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"stoa/account"
	"stoa/internal/stoatest"
)

// A way back into an account without mail (issue 16, bug 2): an administrator makes a
// reset link on the member's admin page, the member uses it, then changes the password
// again from their account page.
func TestResetLinkAndChangePasswordInBrowser(t *testing.T) {
	site := stoatest.Start(t)
	site.Member(t, "root", account.RoleAdmin)
	site.Member(t, "alice", account.RoleMember)
	b := newBrowser(t)
	admin, alice := b.tab(site), b.tab(site)

	admin.login("root")
	admin.open("/admin")
	admin.follow(chromedp.Click(chromedp.CSS(`a[href="/admin/users"]`), chromedp.NodeVisible))
	admin.follow(chromedp.Click(chromedp.CSS(`a[href="/admin/users/alice"]`), chromedp.NodeVisible))
	admin.fill("Reason (for the audit log, optional)", "alice wrote to the contact form: locked out")
	admin.press("Make a reset link")
	link := eval[string](admin, `document.querySelector('input.reset-link-value').value`)
	if !strings.HasPrefix(link, site.URL+"/reset/") {
		t.Fatalf("the admin page shows %q, want a reset link", link)
	}

	alice.do(chromedp.Navigate(link))
	if got := alice.text("main"); !strings.Contains(got, "alice") {
		t.Fatalf("the reset page reads %q", got)
	}
	alice.fill("New password", "alice chose this one")
	alice.press("Save password")
	if got := alice.text("main h1"); got != "Password changed" {
		t.Fatalf("after saving, the page says %q", got)
	}
	alice.open("/login")
	alice.fill("Username", "alice")
	alice.fill("Password", "alice chose this one")
	alice.press("Log in")
	if got := alice.text("nav.account .who"); got != "alice" {
		t.Fatalf("logging in with the new password shows %q", got)
	}

	alice.open("/me")
	alice.follow(chromedp.Click(chromedp.CSS(`a[href="/me/password"]`), chromedp.NodeVisible))
	alice.fill("Current password", "alice chose this one")
	alice.fill("New password", "and now another one")
	alice.press("Change password")
	if got := alice.text("main h1"); got != "Password changed" {
		t.Fatalf("after changing, the page says %q", got)
	}
	alice.open("/me")
	if got := alice.text("nav.account .who"); got != "alice" {
		t.Fatalf("changing the password logged this browser out (header %q)", got)
	}
}
