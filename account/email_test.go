package account_test

import (
	"context"
	"crypto/sha256"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"stoa/account"
)

func TestRegistrationWithEmailQueuesConfirmationThatWorksOnce(t *testing.T) {
	site, smtp := mailSite(t)
	c := site.Anonymous(t)
	c.PostForm("/register", url.Values{"username": {"carol"}, "password": {"password-carol"}, "email": {"carol@example.org"}})
	if c.Last.StatusCode != http.StatusOK {
		t.Fatalf("register: status %d", c.Last.StatusCode)
	}
	m := waitMailTo(t, smtp, "carol@example.org", 1)
	if subj := m.Header.Get("Subject"); !strings.Contains(subj, "Confirm your email address") {
		t.Errorf("subject = %q", subj)
	}
	link := linkIn(t, site, m, "/me/email/confirm/")
	token := strings.TrimPrefix(link, "/me/email/confirm/")

	// The token is stored only as its hash.
	var raw, hashed int
	db := site.App.DB()
	scan(t, db.QueryRow(context.Background(), "select count(*) from account_tokens where token_hash = ?", []byte(token)), &raw)
	sum := sha256.Sum256([]byte(token))
	scan(t, db.QueryRow(context.Background(), "select count(*) from account_tokens where token_hash = ?", sum[:]), &hashed)
	if raw != 0 || hashed != 1 {
		t.Fatalf("token stored raw %d times, hashed %d times; want 0 and 1", raw, hashed)
	}

	u, _ := site.App.Accounts().Store().ByUsername(context.Background(), "carol")
	if got, _ := site.App.Accounts().Store().ConfirmedEmail(context.Background(), u.ID); got != "" {
		t.Fatalf("unconfirmed address offered for notices: %q", got)
	}
	// Opening the link only asks; a mail scanner that fetches it confirms nothing.
	anon := site.Anonymous(t)
	doc := anon.Doc(link, http.StatusOK)
	if !strings.Contains(doc.Find("main").Text(), "carol@example.org") {
		t.Errorf("confirmation page does not name the address")
	}
	if _, ok := emailOf(t, site, "carol"); ok {
		t.Fatal("address confirmed by merely opening the link")
	}
	anon.PostForm(link, nil)
	if anon.Last.StatusCode != http.StatusOK || !strings.Contains(anon.Body, "Address confirmed") {
		t.Fatalf("confirm: status %d", anon.Last.StatusCode)
	}
	if got, _ := site.App.Accounts().Store().ConfirmedEmail(context.Background(), u.ID); got != "carol@example.org" {
		t.Fatalf("ConfirmedEmail = %q after confirming", got)
	}
	// Single use.
	anon.PostForm(link, nil)
	if anon.Last.StatusCode != http.StatusGone {
		t.Fatalf("second use: status %d, want 410", anon.Last.StatusCode)
	}
	anon.Get(link)
	if anon.Last.StatusCode != http.StatusGone || !strings.Contains(anon.Body, "/me/email") {
		t.Fatalf("used link page: status %d, want 410 with a way on", anon.Last.StatusCode)
	}
}

func TestConfirmationLinkExpires(t *testing.T) {
	site, smtp := mailSite(t)
	c := site.Anonymous(t)
	c.PostForm("/register", url.Values{"username": {"dave"}, "password": {"password-dave"}, "email": {"dave@example.org"}})
	link := linkIn(t, site, waitMailTo(t, smtp, "dave@example.org", 1), "/me/email/confirm/")
	expireLinks(t, site)
	c.Get(link)
	if c.Last.StatusCode != http.StatusGone {
		t.Fatalf("expired link page: status %d, want 410", c.Last.StatusCode)
	}
	c.PostForm(link, nil)
	if c.Last.StatusCode != http.StatusGone {
		t.Fatalf("expired link used: status %d, want 410", c.Last.StatusCode)
	}
	if _, ok := emailOf(t, site, "dave"); ok {
		t.Fatal("expired link confirmed the address")
	}
	// A fresh link can be asked for from the email page.
	c.PostForm("/me/email/resend", nil)
	if !strings.Contains(c.Body, "We sent a new confirmation link to dave@example.org") {
		t.Fatalf("resend page: %d", c.Last.StatusCode)
	}
	fresh := linkIn(t, site, waitMailTo(t, smtp, "dave@example.org", 2), "/me/email/confirm/")
	c.PostForm(fresh, nil)
	if _, ok := emailOf(t, site, "dave"); !ok {
		t.Fatal("fresh link did not confirm")
	}
}

func TestChangeEmailNeedsPasswordAndReconfirms(t *testing.T) {
	site, smtp := mailSite(t)
	c := site.Member(t, "erin", account.RoleMember)
	doc := c.Doc("/me", http.StatusOK)
	if doc.Find(`a[href="/me/email"]`).Length() == 0 {
		t.Fatal("/me does not link to the email page")
	}
	c.Doc("/me/email", http.StatusOK)

	c.PostForm("/me/email", url.Values{"email": {"erin@example.org"}, "password": {"wrong password"}})
	if c.Last.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(c.Body, "not your password") {
		t.Fatalf("wrong password: status %d", c.Last.StatusCode)
	}
	c.PostForm("/me/email", url.Values{"email": {"not an address"}, "password": {"password-erin"}})
	if c.Last.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(c.Body, "name@example.org") {
		t.Fatalf("bad address: status %d", c.Last.StatusCode)
	}
	c.PostForm("/me/email", url.Values{"email": {"erin@example.org"}, "password": {"password-erin"}})
	if c.Last.StatusCode != http.StatusOK || !strings.Contains(c.Body, "We sent a confirmation link to erin@example.org") {
		t.Fatalf("change: status %d", c.Last.StatusCode)
	}
	if email, _ := emailOf(t, site, "erin"); email != "" {
		t.Fatalf("address set to %q before confirmation", email)
	}
	if !strings.Contains(c.Parse().Find("main").Text(), "Changing to") {
		t.Error("page does not show the pending address")
	}
	c.PostForm(linkIn(t, site, waitMailTo(t, smtp, "erin@example.org", 1), "/me/email/confirm/"), nil)
	if email, ok := emailOf(t, site, "erin"); email != "erin@example.org" || !ok {
		t.Fatalf("after confirming: %q confirmed=%v", email, ok)
	}

	// Changing a confirmed address warns the old one and needs the new one confirmed.
	c.PostForm("/me/email", url.Values{"email": {"erin@new.example"}, "password": {"password-erin"}})
	warning := waitMailTo(t, smtp, "erin@example.org", 2)
	if !strings.Contains(warning.Text, "erin@new.example") || !strings.Contains(warning.Text, "/forgot") {
		t.Errorf("old address warning:\n%s", warning.Text)
	}
	if email, ok := emailOf(t, site, "erin"); email != "erin@example.org" || !ok {
		t.Fatalf("old address dropped before the new one was confirmed: %q %v", email, ok)
	}
	c.PostForm(linkIn(t, site, waitMailTo(t, smtp, "erin@new.example", 1), "/me/email/confirm/"), nil)
	if email, ok := emailOf(t, site, "erin"); email != "erin@new.example" || !ok {
		t.Fatalf("after confirming the new address: %q %v", email, ok)
	}
}

func TestRemoveEmailNeedsPassword(t *testing.T) {
	site, smtp := mailSite(t)
	c := site.Anonymous(t)
	c.PostForm("/register", url.Values{"username": {"fay"}, "password": {"password-fay"}, "email": {"fay@example.org"}})
	waitMailTo(t, smtp, "fay@example.org", 1)
	c.PostForm("/me/email/remove", url.Values{"password": {"nope nope"}})
	if c.Last.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("wrong password: status %d", c.Last.StatusCode)
	}
	c.PostForm("/me/email/remove", url.Values{"password": {"password-fay"}})
	if email, _ := emailOf(t, site, "fay"); email != "" || c.Last.StatusCode != http.StatusOK {
		t.Fatalf("after removing: %q, status %d", email, c.Last.StatusCode)
	}
}
