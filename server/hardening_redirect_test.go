package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"stoa/account"
	"stoa/internal/stoatest"
)

// redirectAttacks are return addresses that lead to another site once a browser has read
// them (issue 14): TAB, CR and LF are removed by browsers, a backslash is a slash to them.
var redirectAttacks = []string{"/\t/evil.example", "//evil.example", "/\\evil.example", "\\/evil.example",
	"/\r\n/evil.example", "https:evil.example", "https://evil.example", "\t//evil.example", "/\x00/evil.example"}

// noFollow is a client of site that reports redirects instead of following them.
func noFollow(c *stoatest.Client) *http.Client {
	h := *c.HTTP
	h.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &h
}

// Every place that sends people on to a "next" address keeps them on the site.
func TestOpenRedirectRefusedEverywhere(t *testing.T) {
	site := stoatest.Start(t)
	member := site.Member(t, "alice", account.RoleMember)
	anon := site.Anonymous(t)
	for _, next := range redirectAttacks {
		q := url.QueryEscape(next)
		// The login check, logged in (it redirects) and not (it links to log in again).
		resp, err := noFollow(member).Get(site.URL + "/login/check?next=" + q)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); loc != "/" {
			t.Errorf("/login/check?next=%q: Location %q, want /", next, loc)
		}
		doc := anon.Doc("/login/check?next="+q, http.StatusOK)
		if href, _ := doc.Find(`a[href^="/login?next="]`).Attr("href"); href != "/login?next=%2F" {
			t.Errorf("/login/check?next=%q (no cookie): links to %q", next, href)
		}
		// The login form carries next on, and logging in with it lands on this site.
		doc = anon.Doc("/login?next="+q, http.StatusOK)
		if v, _ := doc.Find(`input[name="next"]`).Attr("value"); v != "/" {
			t.Errorf("/login?next=%q: the form carries next=%q", next, v)
		}
		c := site.Anonymous(t)
		c.PostForm("/login", url.Values{"username": {"alice"}, "password": {"password-alice"}, "next": {next}})
		if c.Last.StatusCode != http.StatusOK || c.Last.Request.URL.Host != strings.TrimPrefix(site.URL, "http://") || c.Path() != "/" {
			t.Errorf("logging in with next=%q ended at %s (status %d)", next, c.Last.Request.URL, c.Last.StatusCode)
		}
		// Marking everything read goes back to next.
		req, _ := http.NewRequest(http.MethodPost, site.URL+"/read-all", strings.NewReader(url.Values{"next": {next}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", site.URL)
		resp, err = noFollow(member).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); loc != "/" {
			t.Errorf("/read-all with next=%q: Location %q, want /", next, loc)
		}
	}
}
