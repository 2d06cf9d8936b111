package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"stoa/account"
	"stoa/internal/stoatest"
	"stoa/server"
)

// post starts a thread in the default category as c and returns its path.
func post(t *testing.T, c *stoatest.Client, title, body string) string {
	t.Helper()
	tok := c.FormToken("/c/general/new")
	c.PostForm("/c/general/new", url.Values{"title": {title}, "body": {body}, "token": {tok}})
	if c.Last.StatusCode != http.StatusOK || !strings.HasPrefix(c.Path(), "/t/") {
		t.Fatalf("post %q: status %d at %s", title, c.Last.StatusCode, c.Path())
	}
	return c.Path()
}

// publicPages are pages anyone may read, after a member has posted one thread.
func publicPages(t *testing.T, site *stoatest.Site) []string {
	t.Helper()
	alice := site.Member(t, "alice", account.RoleMember)
	thread := post(t, alice, "Hello everyone", "First post, with a [link](https://example.org/).")
	return []string{"/", "/c/general", thread, "/u/alice", "/policies/privacy", "/policies/agreement",
		"/policies/privacy/versions", "/policies/privacy/v/1", "/policies/privacy/diff?from=1&to=1", "/contact",
		"/login", "/register", "/search?q=hello", "/chat", "/chat/general", "/modlog"}
}

// P1: registration asks for a username and a password and nothing else is required; an
// account without an email address works.
func TestP1_RegistrationAsksOnlyWhatIsNeeded(t *testing.T) {
	site := stoatest.Start(t)
	c := site.Anonymous(t)
	doc := c.Doc("/register", http.StatusOK)
	var required []string
	doc.Find("form[action='/register'] input, form[action='/register'] textarea, form[action='/register'] select").Each(func(_ int, s *goquery.Selection) {
		if _, ok := s.Attr("required"); ok {
			required = append(required, s.AttrOr("name", "?"))
		}
	})
	if strings.Join(required, ",") != "username,password" {
		t.Errorf("required fields = %v, want only username and password", required)
	}
	if doc.Find("label:contains('Email (optional)')").Length() != 1 {
		t.Error("the email field is not labelled optional")
	}
	c.PostForm("/register", url.Values{"username": {"noemail"}, "password": {"a good long password"}})
	if c.Last.StatusCode != http.StatusOK || !strings.Contains(c.Body, "Log out") {
		t.Fatalf("register without email: status %d at %s", c.Last.StatusCode, c.Path())
	}
	me := c.Doc("/me", http.StatusOK)
	if !strings.Contains(me.Find(".facts").Text(), "none given") {
		t.Error("/me does not show that no email was given")
	}
	post(t, c, "I can post without an email address", "Indeed.")

	// An operator may require an email address; then the form says so.
	strict := stoatest.Start(t, func(cfg *server.Config) { cfg.RequireEmail = true })
	sc := strict.Anonymous(t)
	sc.PostForm("/register", url.Values{"username": {"someone"}, "password": {"a good long password"}})
	if sc.Last.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(sc.Body, "email address") {
		t.Errorf("require-email site accepted a registration without one: %d", sc.Last.StatusCode)
	}
}

// P5: reading needs no account: an anonymous reader gets every public page; posting
// sends them to log in.
func TestP5_AnonymousReaderReadsEveryPublicPage(t *testing.T) {
	site := stoatest.Start(t)
	pages := publicPages(t, site)
	reader := site.Anonymous(t)
	for _, p := range pages {
		if resp := reader.Get(p); resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s as an anonymous reader: %d", p, resp.StatusCode)
		}
	}
	reader.Get("/c/general/new")
	if !strings.HasPrefix(reader.Path(), "/login") {
		t.Errorf("anonymous composer went to %s, want the login page", reader.Path())
	}
	doc := reader.Doc(pages[2], http.StatusOK)
	if !strings.Contains(doc.Text(), "Log in or create an account to reply") {
		t.Error("thread page does not tell a reader how to reply")
	}
}

// P7: no cookie for anonymous visitors on any page; logging in sets exactly one; with
// cookies refused, reading works and logging in explains why it cannot.
func TestP7_CookiesOnlyAfterLogin(t *testing.T) {
	site := stoatest.Start(t)
	pages := publicPages(t, site)
	pages = append(pages, "/static/stoa.css", "/healthz", "/feed.atom", "/nowhere", "/me", "/me/export", "/admin/analytics")
	reader := site.Anonymous(t)
	for _, p := range pages {
		// Look at each response itself, redirects included.
		req, _ := http.NewRequest(http.MethodGet, site.URL+p, nil)
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if sc := resp.Header.Values("Set-Cookie"); len(sc) > 0 {
			t.Errorf("GET %s set a cookie for an anonymous visitor: %v", p, sc)
		}
	}
	reader.PostForm("/contact", url.Values{"subject": {"Hi"}, "body": {"Just saying hello."}})
	if len(reader.HTTP.Jar.Cookies(mustURL(site.URL))) != 0 {
		t.Error("sending the contact form set a cookie")
	}

	// Logging in sets exactly one cookie: the session.
	site.App.Accounts().CreateUser(t.Context(), "carol", "password-carol", account.RoleMember)
	form := url.Values{"username": {"carol"}, "password": {"password-carol"}, "next": {"/c/general"}}
	req, _ := http.NewRequest(http.MethodPost, site.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", site.URL)
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cookies := resp.Cookies()
	if len(cookies) != 1 || cookies[0].Name != account.CookieName || !cookies[0].HttpOnly || cookies[0].SameSite != http.SameSiteLaxMode {
		t.Errorf("login cookies = %+v, want one HttpOnly SameSite=Lax session cookie", cookies)
	}

	// A browser that refuses cookies: reading works, logging in explains itself.
	noCookies := site.Anonymous(t)
	noCookies.HTTP.Jar = refuseAll{}
	for _, p := range pages[:6] {
		if r := noCookies.Get(p); r.StatusCode != http.StatusOK {
			t.Errorf("GET %s without cookies: %d", p, r.StatusCode)
		}
	}
	noCookies.PostForm("/login", form)
	doc := noCookies.Parse()
	if !strings.HasPrefix(noCookies.Path(), "/login/check") || doc.Find("[data-cookie-check]").Length() != 1 ||
		!strings.Contains(doc.Text(), "logging in needs one cookie") {
		t.Errorf("login without cookies ended at %s without the explanation", noCookies.Path())
	}
	// With cookies, the same check passes straight through to where the member was going.
	ok := site.Anonymous(t)
	ok.PostForm("/login", form)
	if ok.Path() != "/c/general" || !strings.Contains(ok.Body, "Log out") {
		t.Errorf("login with cookies ended at %s", ok.Path())
	}
}

// refuseAll is a cookie jar of a browser set to block every cookie.
type refuseAll struct{}

func (refuseAll) SetCookies(*url.URL, []*http.Cookie) {}
func (refuseAll) Cookies(*url.URL) []*http.Cookie     { return nil }

var _ http.CookieJar = refuseAll{}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}
