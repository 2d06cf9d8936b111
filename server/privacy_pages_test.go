package server_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"stoa/account"
	"stoa/internal/stoatest"
)

// fetchingAttrs are the attributes with which a page makes the browser fetch something
// by itself; a plain link (<a href>) fetches nothing until followed.
var fetchingAttrs = []struct{ sel, attr string }{
	{"script[src]", "src"}, {"link[href]", "href"}, {"img[src]", "src"}, {"img[srcset]", "srcset"},
	{"iframe[src]", "src"}, {"frame[src]", "src"}, {"source[src]", "src"}, {"source[srcset]", "srcset"},
	{"video[src]", "src"}, {"video[poster]", "poster"}, {"audio[src]", "src"}, {"track[src]", "src"},
	{"object[data]", "data"}, {"embed[src]", "src"}, {"form[action]", "action"}, {"button[formaction]", "formaction"},
	{"input[src]", "src"}, {"image[href]", "href"}, {"use[href]", "href"}, {"base[href]", "href"},
}

var cssURL = regexp.MustCompile(`url\(\s*['"]?([^'")]+)`)

// external reports whether a URL found in a page points at another origin.
func external(site *stoatest.Site, raw string) bool {
	raw = strings.TrimSpace(raw)
	if raw == "" || strings.HasPrefix(raw, "data:") || strings.HasPrefix(raw, "#") {
		return false
	}
	u, err := url.Parse(raw)
	if err != nil {
		return true
	}
	if u.Scheme == "" && u.Host == "" {
		return false
	}
	return u.Scheme+"://"+u.Host != site.URL
}

// P2: no page makes the browser contact another site (no external scripts, styles,
// fonts, images or frames, no forms posting elsewhere), and the CSP forbids it anyway.
func TestP2_NoPageRequestsAnotherOrigin(t *testing.T) {
	site := stoatest.Start(t)
	pages := publicPages(t, site)
	alice := site.Member(t, "alice2", account.RoleMember)
	// Member content that links and "embeds" elsewhere must stay a link.
	post(t, alice, "Outside links", "See ![a tracker](https://tracker.example/pixel.gif) and <img src=\"https://evil.example/x.png\"> and https://example.com/page")
	mod := site.Member(t, "mod", account.RoleModerator)
	admin := site.Member(t, "root", account.RoleAdmin)
	member := []string{"/me", "/me/preferences", "/me/enquiries", "/me/delete", "/c/general/new", "/policies/privacy"}
	staff := []string{"/mod/enquiries"}
	admins := []string{"/admin/policies", "/admin/policies/privacy", "/admin/analytics", "/admin/announcements", "/admin/privacy",
		"/admin/users/alice/email", "/admin/users/alice/export"}
	type visit struct {
		c     *stoatest.Client
		paths []string
	}
	checked := 0
	for _, v := range []visit{{site.Anonymous(t), pages}, {alice, append(pages, member...)}, {mod, staff}, {admin, append(admins, pages[2])}} {
		for _, p := range v.paths {
			resp := v.c.Get(p)
			if resp.StatusCode != http.StatusOK {
				t.Errorf("GET %s: %d", p, resp.StatusCode)
				continue
			}
			if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
				t.Errorf("GET %s: CSP %q lacks default-src 'self'", p, csp)
			}
			doc := v.c.Parse()
			for _, fa := range fetchingAttrs {
				doc.Find(fa.sel).Each(func(_ int, s *goquery.Selection) {
					for _, u := range strings.Split(s.AttrOr(fa.attr, ""), ",") {
						if f := strings.Fields(u); len(f) > 0 && external(site, f[0]) {
							t.Errorf("GET %s: <%s %s=%q> reaches another origin", p, goquery.NodeName(s), fa.attr, u)
						}
					}
				})
			}
			doc.Find("[style]").Each(func(_ int, s *goquery.Selection) {
				t.Errorf("GET %s: inline style attribute on <%s>", p, goquery.NodeName(s))
			})
			doc.Find("style").Each(func(_ int, s *goquery.Selection) {
				for _, m := range cssURL.FindAllStringSubmatch(s.Text(), -1) {
					if external(site, m[1]) {
						t.Errorf("GET %s: <style> loads %s", p, m[1])
					}
				}
			})
			doc.Find("meta[http-equiv]").Each(func(_ int, s *goquery.Selection) {
				if strings.EqualFold(s.AttrOr("http-equiv", ""), "refresh") {
					t.Errorf("GET %s: meta refresh", p)
				}
			})
			checked++
		}
	}
	// The stylesheet itself loads nothing from elsewhere (no web fonts, no images).
	resp, err := http.Get(site.URL + "/static/stoa.css")
	if err != nil {
		t.Fatal(err)
	}
	css, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, m := range cssURL.FindAllStringSubmatch(string(css), -1) {
		if external(site, m[1]) {
			t.Errorf("stylesheet loads %s", m[1])
		}
	}
	if strings.Contains(string(css), "@import") {
		t.Error("stylesheet imports another stylesheet")
	}
	if checked < 30 {
		t.Errorf("only %d pages checked", checked)
	}
}

// P6: every place where text becomes public says so before publishing, and the
// personal-information detector holds a post with an email address until confirmed.
func TestP6_DisclosureWarningAndDetectorHold(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	thread := post(t, alice, "A thread", "Nothing personal here: version 1.2.3, 25 March 2024, €12.50.")
	if alice.Doc(thread, http.StatusOK).Find(".prose").Length() == 0 {
		t.Fatal("thread shows no post")
	}
	for _, p := range []string{"/c/general/new", thread, "/chat/general"} {
		doc := alice.Doc(p, http.StatusOK)
		d := doc.Find(`[data-disclosure="public"]`)
		if d.Length() == 0 || !strings.Contains(d.Text(), "archived") || !strings.Contains(d.Text(), "republished") {
			t.Errorf("%s has no public disclosure warning", p)
		}
	}

	var threads int
	count := func() int {
		queryRow(t, site, "select count(*) from threads", nil, &threads)
		return threads
	}
	before := count()
	tok := alice.FormToken("/c/general/new")
	body := "Write to me at alice.private@example.com any time."
	form := url.Values{"title": {"Contact me"}, "body": {body}, "token": {tok}}
	alice.PostForm("/c/general/new", form)
	doc := alice.Parse()
	hold := doc.Find("[data-hold]")
	if alice.Last.StatusCode != http.StatusOK || hold.Length() != 1 || !strings.Contains(hold.Text(), "email address") {
		t.Fatalf("post with an email address was not held: %d %s", alice.Last.StatusCode, alice.Path())
	}
	if doc.Find("textarea[name=body]").Text() != body || count() != before {
		t.Fatal("the held post lost its text or was published")
	}
	form.Set("confirm", "1")
	alice.PostForm("/c/general/new", form)
	if !strings.HasPrefix(alice.Path(), "/t/") || count() != before+1 {
		t.Fatalf("confirmed post was not published: %s", alice.Path())
	}
}
