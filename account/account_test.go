package account_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"stoa/account"
	"stoa/internal/stoatest"
	"stoa/storage"
)

func TestPasswordHashIsArgon2idAndVerifies(t *testing.T) {
	h, err := account.HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$") {
		t.Fatalf("hash %q is not an argon2id PHC string", h)
	}
	if ok, err := account.CheckPassword(h, "correct horse"); !ok || err != nil {
		t.Fatalf("right password rejected: %v %v", ok, err)
	}
	if ok, _ := account.CheckPassword(h, "correct horsE"); ok {
		t.Fatal("wrong password accepted")
	}
	if h2, _ := account.HashPassword("correct horse"); h2 == h {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	if _, err := account.CheckPassword("$argon2id$garbage", "x"); err == nil {
		t.Fatal("malformed hash accepted")
	}
}

func register(c *stoatest.Client, name, password, email string) *http.Response {
	return c.PostForm("/register", url.Values{"username": {name}, "password": {password}, "email": {email}})
}

func TestRegistrationAsksOnlyWhatItNeeds(t *testing.T) {
	site := stoatest.Start(t)
	c := site.Anonymous(t)
	doc := c.Doc("/register", http.StatusOK)
	var labels []string
	doc.Find("form[action='/register'] label").Each(func(_ int, s *goquerySelection) { labels = append(labels, s.Text()) })
	if strings.Join(labels, "|") != "Username|Password|Email (optional)" {
		t.Fatalf("registration labels %q, want Username, Password, Email (optional)", labels)
	}
	if n := doc.Find("form[action='/register'] [required]").Length(); n != 2 {
		t.Fatalf("%d required fields, want 2 (username and password)", n)
	}
	register(c, "newbie", "long enough pw", "")
	if c.Last.StatusCode != http.StatusOK || c.Path() != "/" || !strings.Contains(c.Body, "Log out") {
		t.Fatalf("registration without email: status %d at %s", c.Last.StatusCode, c.Path())
	}
}

func TestRegistrationRejectsBadInputClearly(t *testing.T) {
	site := stoatest.Start(t)
	site.Member(t, "Taken", account.RoleMember)
	cases := []struct {
		name, user, pw, email, field, says string
	}{
		{"short name", "ab", "long enough pw", "", "username", "3 to 32"},
		{"bad chars", "bob smith", "long enough pw", "", "username", "letters, digits"},
		{"reserved", "Admin", "long enough pw", "", "username", "reserved"},
		{"taken any case", "taken", "long enough pw", "", "username", "taken"},
		{"short password", "carol", "short", "", "password", "at least 8"},
		{"bad email", "dave", "long enough pw", "not-an-email", "email", "name@example.org"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := site.Anonymous(t)
			resp := register(c, tc.user, tc.pw, tc.email)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", resp.StatusCode)
			}
			doc := c.Parse()
			if msg := doc.Find("#e-f-" + tc.field).Text(); !strings.Contains(msg, tc.says) {
				t.Errorf("%s error %q does not say %q", tc.field, msg, tc.says)
			}
			if v, _ := doc.Find("input[name=username]").Attr("value"); v != tc.user {
				t.Errorf("typed username lost: %q", v)
			}
			if len(c.HTTP.Jar.Cookies(c.Last.Request.URL)) != 0 {
				t.Error("a failed registration set a cookie")
			}
		})
	}
}

func TestLoginLogoutAndSessionCookie(t *testing.T) {
	site := stoatest.Start(t)
	site.Member(t, "alice", account.RoleMember)
	c := site.Anonymous(t)
	c.PostForm("/login", url.Values{"username": {"alice"}, "password": {"wrong password"}})
	if c.Last.StatusCode != http.StatusUnauthorized || !strings.Contains(c.Body, "do not match") {
		t.Fatalf("wrong password: status %d", c.Last.StatusCode)
	}
	c.PostForm("/login", url.Values{"username": {"nobody"}, "password": {"whatever1"}})
	if c.Last.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unknown user: status %d", c.Last.StatusCode)
	}

	req, _ := http.NewRequest(http.MethodPost, site.URL+"/login", strings.NewReader("username=ALICE&password=password-alice&next=/c/general"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// Logging in lands on /login/check first, which tells a cookie-refusing browser why (P7).
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login/check?next=%2Fc%2Fgeneral" {
		t.Fatalf("login (any case): %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	cookies := resp.Cookies()
	if len(cookies) != 1 || cookies[0].Name != account.CookieName || !cookies[0].HttpOnly || cookies[0].SameSite != http.SameSiteLaxMode {
		t.Fatalf("login cookies %+v, want one HttpOnly SameSite=Lax session cookie", cookies)
	}
	if cookies[0].Secure {
		t.Error("Secure cookie on plain HTTP would never be sent back")
	}

	c.PostForm("/login", url.Values{"username": {"alice"}, "password": {"password-alice"}, "next": {"//evil.example/"}})
	if c.Path() != "/" {
		t.Errorf("login followed an off-site next to %s", c.Path())
	}
	c.PostForm("/logout", nil)
	if strings.Contains(c.Body, "Log out") {
		t.Fatal("still logged in after logging out")
	}
	var n int
	scan(t, site.App.DB().QueryRow(context.Background(), "select count(*) from sessions s join users u on u.id = s.user_id where u.username = 'alice'"), &n)
	// site.Member's login and the raw-request login remain; c's own session is gone.
	if n != 2 {
		t.Fatalf("%d sessions left for alice, want 2", n)
	}
}

func TestExpiredSessionIsAnonymous(t *testing.T) {
	site := stoatest.Start(t)
	c := site.Member(t, "alice", account.RoleMember)
	if err := site.App.DB().Write(context.Background(), func(tx *storage.Tx) error {
		_, err := tx.Exec("update sessions set expires_at = 0")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	c.Get("/")
	if strings.Contains(c.Body, "Log out") {
		t.Fatal("an expired session still logs the member in")
	}
	c.Get("/c/general/new")
	if !strings.HasPrefix(c.Path(), "/login") {
		t.Fatalf("expired session posting went to %s, want the login page", c.Path())
	}
}

func TestSessionTokensAreStoredHashed(t *testing.T) {
	site := stoatest.Start(t)
	c := site.Member(t, "alice", account.RoleMember)
	u, _ := url.Parse(site.URL)
	var token string
	for _, ck := range c.HTTP.Jar.Cookies(u) {
		if ck.Name == account.CookieName {
			token = ck.Value
		}
	}
	var n int
	scan(t, site.App.DB().QueryRow(context.Background(), "select count(*) from sessions where token_hash = ? or cast(token_hash as text) = ?", token, token), &n)
	if token == "" || n != 0 {
		t.Fatalf("session token stored as-is (token %q, matches %d)", token, n)
	}
}

func TestSetupLinkCreatesTheFirstAdminOnce(t *testing.T) {
	site := stoatest.Start(t)
	link := site.App.SetupURL()
	if link == "" {
		t.Fatal("no setup link on a fresh site")
	}
	path := strings.TrimPrefix(link, site.App.BaseURL())
	c := site.Anonymous(t)
	c.Doc(path, http.StatusOK)
	c.PostForm(path, url.Values{"username": {"admin"}, "password": {"a strong password"}})
	if !strings.Contains(c.Body, "Admin") || !strings.Contains(c.Body, "Log out") {
		t.Fatal("setup did not log the new admin in")
	}
	u, err := site.App.Accounts().Store().ByUsername(context.Background(), "admin")
	if err != nil || u.Role != account.RoleAdmin {
		t.Fatalf("setup user: %+v %v", u, err)
	}
	other := site.Anonymous(t)
	if other.Get(path); other.Last.StatusCode != http.StatusNotFound {
		t.Fatalf("setup link worked twice: %d", other.Last.StatusCode)
	}
	if other.Get("/setup/guess"); other.Last.StatusCode != http.StatusNotFound {
		t.Fatalf("a guessed setup link answered %d", other.Last.StatusCode)
	}
}

func TestLoginAttemptsPerAccountAreLimited(t *testing.T) {
	site := stoatest.Start(t)
	site.Member(t, "alice", account.RoleMember)
	// Each attempt comes from a fresh client, as a distributed guesser's would.
	var last int
	for range 12 {
		c := site.Anonymous(t)
		last = c.PostForm("/login", url.Values{"username": {"alice"}, "password": {"guess-guess"}}).StatusCode
	}
	if last != http.StatusTooManyRequests {
		t.Fatalf("12th wrong password for one account: status %d, want 429", last)
	}
}
