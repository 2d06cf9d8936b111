package account_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"stoa/account"
	"stoa/internal/stoatest"
	"stoa/mail/mailtest"
	"stoa/storage"
	"stoa/web"
)

// memberWithEmail registers name with a confirmed address and returns its logged-in client.
func memberWithEmail(t *testing.T, site *stoatest.Site, smtp *mailtest.Server, name string) *stoatest.Client {
	t.Helper()
	c := site.Anonymous(t)
	n := len(mailsTo(smtp, name+"@example.org"))
	c.PostForm("/register", url.Values{"username": {name}, "password": {"password-" + name}, "email": {name + "@example.org"}})
	c.PostForm(linkIn(t, site, waitMailTo(t, smtp, name+"@example.org", n+1), "/me/email/confirm/"), nil)
	return c
}

func TestLoginPageLinksToForgot(t *testing.T) {
	site := stoatest.Start(t)
	doc := site.Anonymous(t).Doc("/login", http.StatusOK)
	if doc.Find(`a[href="/forgot"]`).Length() == 0 {
		t.Fatal("the login page does not link to /forgot")
	}
}

func TestPasswordResetWorksOnceAndLogsOutEverywhere(t *testing.T) {
	site, smtp := mailSite(t)
	old := memberWithEmail(t, site, smtp, "gina")
	c := site.Anonymous(t)
	c.Doc("/forgot", http.StatusOK)
	c.PostForm("/forgot", url.Values{"login": {"gina"}})
	if c.Last.StatusCode != http.StatusOK || !strings.Contains(c.Body, "Check your email") {
		t.Fatalf("forgot: status %d", c.Last.StatusCode)
	}
	m := waitMailTo(t, smtp, "gina@example.org", 2)
	if !strings.Contains(m.Header.Get("Subject"), "Reset your password") || !strings.Contains(m.Text, "within an hour") {
		t.Fatalf("reset mail: %q\n%s", m.Header.Get("Subject"), m.Text)
	}
	link := linkIn(t, site, m, "/reset/")

	doc := c.Doc(link, http.StatusOK)
	if doc.Find(`input[name="password"]`).Length() != 1 || !strings.Contains(doc.Text(), "gina") {
		t.Fatal("reset page lacks the password field or the account name")
	}
	c.PostForm(link, url.Values{"password": {"short"}})
	if c.Last.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("short password: status %d", c.Last.StatusCode)
	}
	c.PostForm(link, url.Values{"password": {"a brand new password"}})
	if c.Last.StatusCode != http.StatusOK || !strings.Contains(c.Body, "Password changed") {
		t.Fatalf("reset: status %d", c.Last.StatusCode)
	}
	// The session that was open elsewhere is gone.
	old.Get("/me")
	if !strings.HasPrefix(old.Path(), "/login") {
		t.Fatalf("old session still logged in: at %s", old.Path())
	}
	// Single use.
	c.PostForm(link, url.Values{"password": {"another new password"}})
	if c.Last.StatusCode != http.StatusGone {
		t.Fatalf("second use: status %d, want 410", c.Last.StatusCode)
	}
	// The new password works, the old one does not.
	c.PostForm("/login", url.Values{"username": {"gina"}, "password": {"password-gina"}})
	if c.Last.StatusCode != http.StatusUnauthorized {
		t.Fatalf("old password: status %d", c.Last.StatusCode)
	}
	c.PostForm("/login", url.Values{"username": {"gina"}, "password": {"a brand new password"}})
	if c.Last.StatusCode != http.StatusOK || !strings.Contains(c.Body, "Log out") {
		t.Fatalf("new password: status %d", c.Last.StatusCode)
	}
}

func TestPasswordResetLinkExpiresAfterAnHour(t *testing.T) {
	site, smtp := mailSite(t)
	memberWithEmail(t, site, smtp, "hugo")
	c := site.Anonymous(t)
	c.PostForm("/forgot", url.Values{"login": {"hugo@example.org"}})
	link := linkIn(t, site, waitMailTo(t, smtp, "hugo@example.org", 2), "/reset/")
	var ttl int64
	scan(t, site.App.DB().QueryRow(context.Background(), "select expires_at - created_at from account_tokens where purpose = 'reset'"), &ttl)
	if time.Duration(ttl)*time.Second != time.Hour {
		t.Fatalf("reset link valid for %ds, want an hour", ttl)
	}
	expireLinks(t, site)
	c.Get(link)
	if c.Last.StatusCode != http.StatusGone || !strings.Contains(c.Body, "/forgot") {
		t.Fatalf("expired link page: status %d", c.Last.StatusCode)
	}
	c.PostForm(link, url.Values{"password": {"a brand new password"}})
	if c.Last.StatusCode != http.StatusGone {
		t.Fatalf("expired link used: status %d", c.Last.StatusCode)
	}
	c.PostForm("/login", url.Values{"username": {"hugo"}, "password": {"password-hugo"}})
	if c.Last.StatusCode != http.StatusOK {
		t.Fatalf("password changed through an expired link: login status %d", c.Last.StatusCode)
	}
}

func TestForgotDoesNotRevealWhoIsRegistered(t *testing.T) {
	site, smtp := mailSite(t)
	memberWithEmail(t, site, smtp, "iris")
	site.Member(t, "jack", account.RoleMember) // registered, but without an address
	before := len(smtp.Mails())
	answer := func(login string) (int, string) {
		c := site.Anonymous(t)
		c.PostForm("/forgot", url.Values{"login": {login}})
		return c.Last.StatusCode, c.Parse().Find("main").Text()
	}
	wantStatus, wantText := answer("iris")
	for _, login := range []string{"IRIS@example.org", "jack", "nobody", "nobody@example.org"} {
		status, text := answer(login)
		if status != wantStatus || text != wantText {
			t.Errorf("answer for %q differs from a registered member's: %d %q", login, status, text)
		}
	}
	smtp.Wait(before+2, 10*time.Second)
	time.Sleep(200 * time.Millisecond)
	for _, m := range smtp.Mails()[before:] {
		if m.To[0] != "iris@example.org" {
			t.Errorf("reset mail sent to %v", m.To)
		}
	}
	if n := len(smtp.Mails()) - before; n != 2 {
		t.Errorf("%d reset mails sent, want 2 (username and address of iris)", n)
	}
}

func TestForgotIsRateLimitedPerAddress(t *testing.T) {
	site, smtp := mailSite(t)
	memberWithEmail(t, site, smtp, "kim")
	c := site.Anonymous(t)
	for i := range 3 {
		c.PostForm("/forgot", url.Values{"login": {"kim"}})
		if c.Last.StatusCode != http.StatusOK {
			t.Fatalf("request %d: status %d", i+1, c.Last.StatusCode)
		}
	}
	c.PostForm("/forgot", url.Values{"login": {"KIM"}})
	if c.Last.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("fourth request for one account: status %d, want 429", c.Last.StatusCode)
	}
	c.PostForm("/forgot", url.Values{"login": {"someone-else"}})
	if c.Last.StatusCode != http.StatusOK {
		t.Fatalf("another account: status %d", c.Last.StatusCode)
	}
	var resets int
	scan(t, site.App.DB().QueryRow(context.Background(), "select count(*) from account_tokens where purpose = 'reset'"), &resets)
	if resets != 3 {
		t.Fatalf("%d reset links stored, want 3", resets)
	}
}

func TestForgotIsRateLimitedPerClient(t *testing.T) {
	site := stoatest.Start(t)
	c := site.Anonymous(t)
	limited := false
	for i := range 12 {
		c.PostForm("/forgot", url.Values{"login": {"name" + string(rune('a'+i))}})
		if c.Last.StatusCode == http.StatusTooManyRequests {
			limited = true
			break
		}
	}
	if !limited {
		t.Fatal("12 reset requests for different accounts from one client were all accepted")
	}
}

func TestResetWithoutMailServerSaysSoAndBreaksNothing(t *testing.T) {
	site := stoatest.Start(t)
	c := site.Anonymous(t)
	if !strings.Contains(c.Doc("/forgot", http.StatusOK).Text(), "not set up to send email") {
		t.Error("/forgot does not say that mail is off")
	}
	c.PostForm("/register", url.Values{"username": {"liam"}, "password": {"password-liam"}, "email": {"liam@example.org"}})
	if c.Last.StatusCode != http.StatusOK {
		t.Fatalf("register with mail off: status %d", c.Last.StatusCode)
	}
	var queued int
	scan(t, site.App.DB().QueryRow(context.Background(), "select count(*) from mail_outbox where kind = 'confirm'"), &queued)
	if queued != 1 {
		t.Fatalf("%d confirmation mails queued, want 1 kept for later", queued)
	}
}

func TestRolledBackRegistrationQueuesNoMail(t *testing.T) {
	db := openDB(t)
	// A later step of account creation fails, after the confirmation mail was queued.
	queuedBefore := -1
	svc := newService(db, account.Options{Policies: account.PoliciesFunc(func(tx *storage.Tx, userID int64) error {
		if err := tx.QueryRow("select count(*) from mail_outbox where user_id = ?", userID).Scan(&queuedBefore); err != nil {
			return err
		}
		return errors.New("consent record failed")
	})})
	mux := http.NewServeMux()
	h, err := account.NewHandlers(svc, &web.Responder{}, account.HandlerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	h.Routes(mux)
	form := url.Values{"username": {"mia"}, "password": {"password-mia"}, "email": {"mia@example.org"}}
	req := httptest.NewRequest(http.MethodPost, "/register", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("registration with a failing step: status %d", rec.Code)
	}
	if queuedBefore != 1 {
		t.Fatalf("the failing step saw %d confirmation mails queued before it, want 1", queuedBefore)
	}
	var n int
	if err := db.QueryRow(context.Background(), "select count(*) from mail_outbox").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("%d mails queued by a registration that was rolled back", n)
	}
}
