package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"stoa/account"
	"stoa/internal/stoatest"
)

// A member changes their password on /me/password: the current one is required, this
// browser stays logged in and every other session ends (issue 16, bug 2).
func TestChangePasswordEndsOtherSessions(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	phone := site.Anonymous(t)
	phone.PostForm("/login", url.Values{"username": {"alice"}, "password": {"password-alice"}})
	if !strings.Contains(phone.Body, "Log out") {
		t.Fatal("the second device could not log in")
	}
	if alice.Doc("/me", http.StatusOK).Find(`a[href="/me/password"]`).Length() != 1 {
		t.Fatal("the account page does not link to the change-password page")
	}
	doc := alice.Doc("/me/password", http.StatusOK)
	for _, label := range []string{"Current password", "New password"} {
		if doc.Find("label:contains('"+label+"')").Length() != 1 {
			t.Errorf("the form has no %q field", label)
		}
	}

	alice.PostForm("/me/password", url.Values{"current": {"not my password"}, "password": {"a brand new password"}})
	if alice.Last.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(alice.Body, "That is not your password") {
		t.Fatalf("a wrong current password: %d", alice.Last.StatusCode)
	}
	alice.PostForm("/me/password", url.Values{"current": {"password-alice"}, "password": {"short"}})
	if alice.Last.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(alice.Body, "at least 8 characters") {
		t.Fatalf("a short new password: %d", alice.Last.StatusCode)
	}
	alice.PostForm("/me/password", url.Values{"current": {"password-alice"}, "password": {"a brand new password"}})
	if alice.Last.StatusCode != http.StatusOK || !strings.Contains(alice.Body, "Password changed") {
		t.Fatalf("changing the password answered %d", alice.Last.StatusCode)
	}
	if alice.Get("/me"); alice.Last.StatusCode != http.StatusOK || alice.Path() != "/me" {
		t.Fatalf("the browser that changed the password was logged out (at %s)", alice.Path())
	}
	if phone.Get("/me"); phone.Path() == "/me" {
		t.Fatal("the other device is still logged in after the password changed")
	}
	old := site.Anonymous(t)
	old.PostForm("/login", url.Values{"username": {"alice"}, "password": {"password-alice"}})
	if strings.Contains(old.Body, "Log out") {
		t.Fatal("the old password still logs in")
	}
	fresh := site.Anonymous(t)
	fresh.PostForm("/login", url.Values{"username": {"alice"}, "password": {"a brand new password"}})
	if !strings.Contains(fresh.Body, "Log out") {
		t.Fatal("the new password does not log in")
	}
}

// resetLinkFrom returns the reset link shown on a member's admin page.
func resetLinkFrom(t *testing.T, c *stoatest.Client) string {
	t.Helper()
	link, _ := c.Parse().Find("input.reset-link-value").Attr("value")
	if !strings.Contains(link, "/reset/") {
		t.Fatalf("no reset link on the page (status %d)", c.Last.StatusCode)
	}
	return link
}

// An administrator makes a single-use reset link on the member's admin page; making it
// is audit-logged, and using it sets the password and logs the member out everywhere.
func TestAdminResetLink(t *testing.T) {
	site := stoatest.Start(t)
	root := site.Member(t, "root", account.RoleAdmin)
	mod := site.Member(t, "mona", account.RoleModerator)
	alice := site.Member(t, "alice", account.RoleMember)

	if root.Doc("/admin/users", http.StatusOK).Find(`a[href="/admin/users/alice"]`).Length() != 1 {
		t.Fatal("the members list does not link to alice's admin page")
	}
	if mod.Get("/admin/users/alice"); mod.Last.StatusCode != http.StatusForbidden {
		t.Fatalf("a moderator opened a member's admin page: %d", mod.Last.StatusCode)
	}
	if mod.PostForm("/admin/users/alice/reset-link", nil); mod.Last.StatusCode != http.StatusForbidden {
		t.Fatalf("a moderator made a reset link: %d", mod.Last.StatusCode)
	}
	if n := root.Doc("/admin/users/alice", http.StatusOK).Find(`form[action="/admin/users/alice/reset-link"] button`).Length(); n != 1 {
		t.Fatal("alice's admin page has no reset-link button")
	}

	root.PostForm("/admin/users/alice/reset-link", url.Values{"reason": {"locked out, no email address"}})
	first := resetLinkFrom(t, root)
	root.PostForm("/admin/users/alice/reset-link", url.Values{"reason": {"the first link was lost"}})
	link := resetLinkFrom(t, root)
	if !strings.HasPrefix(link, site.URL+"/reset/") || link == first {
		t.Fatalf("the second link is %q (first %q)", link, first)
	}

	audit := root.Doc("/admin/audit?action=password_reset_link", http.StatusOK).Find("table.audit tbody tr")
	if audit.Length() != 2 || !strings.Contains(audit.Text(), "Password reset link made") ||
		!strings.Contains(audit.Text(), "locked out, no email address") || !strings.Contains(audit.Text(), "root") {
		t.Fatalf("the audit log shows %d entries: %q", audit.Length(), audit.Text())
	}
	if strings.Contains(site.Anonymous(t).Doc("/modlog", http.StatusOK).Text(), "reset link") {
		t.Error("the public moderation log shows a reset link")
	}

	stranger := site.Anonymous(t)
	if stranger.Get(first); stranger.Last.StatusCode != http.StatusGone {
		t.Errorf("the replaced link still opens: %d", stranger.Last.StatusCode)
	}
	if doc := stranger.Doc(strings.TrimPrefix(link, site.URL), http.StatusOK); !strings.Contains(doc.Find("main").Text(), "alice") {
		t.Fatal("the reset page does not name the account")
	}
	stranger.PostForm(link, url.Values{"password": {"alice's new password"}})
	if stranger.Last.StatusCode != http.StatusOK || !strings.Contains(stranger.Body, "Password changed") {
		t.Fatalf("using the link answered %d", stranger.Last.StatusCode)
	}
	if alice.Get("/me"); alice.Path() == "/me" {
		t.Error("alice's old session survived the reset")
	}
	again := site.Anonymous(t)
	if again.PostForm(link, url.Values{"password": {"someone else's password"}}); again.Last.StatusCode != http.StatusGone {
		t.Errorf("the link worked twice: %d", again.Last.StatusCode)
	}
	login := site.Anonymous(t)
	login.PostForm("/login", url.Values{"username": {"alice"}, "password": {"alice's new password"}})
	if !strings.Contains(login.Body, "Log out") {
		t.Fatal("the password set through the link does not log in")
	}

	// An admin's own page sends them to their account page instead.
	if doc := root.Doc("/admin/users/root", http.StatusOK); doc.Find(`a[href="/me/password"]`).Length() != 1 ||
		doc.Find(`form[action="/admin/users/root/reset-link"]`).Length() != 0 {
		t.Error("an admin's own page should link to /me/password, not offer a reset link")
	}
	if root.PostForm("/admin/users/root/reset-link", nil); root.Last.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("an admin made a reset link for themselves: %d", root.Last.StatusCode)
	}
}
