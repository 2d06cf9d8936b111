package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"stoa/account"
	"stoa/internal/stoatest"
	"stoa/server"
)

// postFrom submits a form as a browser at client address addr would, through a proxy
// that Stoa trusts (X-Forwarded-For), without following the redirect.
func postFrom(t *testing.T, site *stoatest.Site, addr, path string, form url.Values) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, site.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", site.URL)
	req.Header.Set("X-Forwarded-For", addr)
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func trustProxy(c *server.Config) { c.TrustProxy = true }

// A made-up reset link is refused before any password is hashed: 60 at once hash
// nothing (they took the server to 1.2 GB), and the login limit counts them.
func TestResetWithBogusLinksHashesNothing(t *testing.T) {
	site := stoatest.Start(t)
	pw := site.App.Accounts().Passwords()
	before := pw.Hashes()
	var wg sync.WaitGroup
	codes := make(chan int, 60)
	for range 60 {
		wg.Go(func() {
			resp := postFrom(t, site, "203.0.113.5", "/reset/"+account.NewToken(), url.Values{"password": {"a new long password"}})
			codes <- resp.StatusCode
		})
	}
	wg.Wait()
	close(codes)
	limited := 0
	for code := range codes {
		switch code {
		case http.StatusGone:
		case http.StatusTooManyRequests:
			limited++
		default:
			t.Errorf("a bogus reset link answered %d, want 410 or 429", code)
		}
	}
	if n := pw.Hashes() - before; n != 0 {
		t.Errorf("%d passwords hashed for bogus reset links", n)
	}
	if limited == 0 {
		t.Error("60 resets from one address were never limited")
	}
}

// However many passwords are hashed at once, at most PasswordSlots argon2 computations
// (19 MiB each) run together.
func TestPasswordHashingIsBounded(t *testing.T) {
	site := stoatest.Start(t)
	svc := site.App.Accounts()
	var wg sync.WaitGroup
	for i := range 3 * account.PasswordSlots {
		wg.Go(func() {
			if _, err := svc.CreateUser(context.Background(), "member"+string(rune('a'+i)), "a long enough password", account.RoleMember); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if peak := svc.Passwords().Peak(); peak > account.PasswordSlots {
		t.Errorf("%d hashes ran at once, want at most %d", peak, account.PasswordSlots)
	}
}

// An attacker's wrong passwords from many addresses do not lock the owner out: the owner,
// from an address that gave no wrong password, logs in; the attackers stay limited.
func TestTargetedLockoutDoesNotLockOutTheOwner(t *testing.T) {
	site := stoatest.Start(t, trustProxy)
	site.Member(t, "alice", account.RoleMember)
	wrong := url.Values{"username": {"alice"}, "password": {"not her password"}}
	for i := range 12 {
		postFrom(t, site, "198.51.100."+string(rune('1'+i%9))+string(rune('0'+i)), "/login", wrong)
	}
	// The account is limited now: the attacker's addresses are refused even with the
	// right password.
	right := url.Values{"username": {"alice"}, "password": {"password-alice"}}
	if resp := postFrom(t, site, "198.51.100.10", "/login", right); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("an address that guessed wrong, now with the password: %d, want 429", resp.StatusCode)
	}
	if resp := postFrom(t, site, "198.51.100.200", "/login", wrong); resp.StatusCode == http.StatusSeeOther {
		t.Fatal("a wrong password logged in")
	}
	if resp := postFrom(t, site, "198.51.100.200", "/login", right); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("a new address after one wrong password: %d, want 429", resp.StatusCode)
	}
	// The owner, from home, gets in.
	if resp := postFrom(t, site, "192.0.2.44", "/login", right); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the owner with the right password: %d, want a redirect into the site", resp.StatusCode)
	}
	// And again, from the address that logged in before, whatever the attackers do.
	for range 5 {
		postFrom(t, site, "198.51.100.201", "/login", wrong)
	}
	if resp := postFrom(t, site, "192.0.2.44", "/login", right); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the owner, a second time: %d", resp.StatusCode)
	}
}

// A username longer than any account's is refused without hashing and without becoming a
// key of the login limits.
func TestOverlongLoginNamesAreNotKept(t *testing.T) {
	site := stoatest.Start(t)
	before := site.App.Accounts().Passwords().Hashes()
	c := site.Anonymous(t)
	c.PostForm("/login", url.Values{"username": {strings.Repeat("x", 100_000)}, "password": {"whatever"}})
	if c.Last.StatusCode != http.StatusUnauthorized {
		t.Errorf("an overlong name: %d, want 401", c.Last.StatusCode)
	}
	if n := site.App.Accounts().Passwords().Hashes() - before; n != 0 {
		t.Errorf("%d hashes for an overlong name", n)
	}
}

// The setup link creates one administrator, however many times it is sent at once, and
// none once an administrator exists.
func TestSetupLinkCreatesOneAdmin(t *testing.T) {
	site := stoatest.Start(t, func(c *server.Config) { c.NoRateLimits = true })
	setup := strings.TrimPrefix(site.App.SetupURL(), site.App.BaseURL())
	if setup == "" {
		t.Fatal("no setup link")
	}
	var wg sync.WaitGroup
	for _, name := range []string{"ada", "bea", "cyd"} {
		wg.Go(func() {
			postFrom(t, site, "127.0.0.1", setup, url.Values{"username": {name}, "password": {"a long admin password"}})
		})
	}
	wg.Wait()
	if n, _ := site.App.Accounts().Store().CountAdmins(context.Background()); n != 1 {
		t.Fatalf("%d admins after three concurrent setups, want 1", n)
	}

	// A second site where an admin was added from the command line while it ran.
	site = stoatest.Start(t)
	setup = strings.TrimPrefix(site.App.SetupURL(), site.App.BaseURL())
	if _, err := account.AddUser(context.Background(), account.NewStore(site.App.DB()), "cli-admin", "a long admin password", account.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	resp := postFrom(t, site, "127.0.0.1", setup, url.Values{"username": {"late"}, "password": {"a long admin password"}})
	if resp.StatusCode == http.StatusSeeOther {
		t.Fatal("the setup link made a second admin")
	}
	if n, _ := site.App.Accounts().Store().CountAdmins(context.Background()); n != 1 {
		t.Fatalf("%d admins, want the one from the command line", n)
	}
}
