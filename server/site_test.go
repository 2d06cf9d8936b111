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

// An admin names and describes the site; the header, the page titles, the home page,
// the feeds and the mail use the new name, and the change is audited.
func TestSiteNameAndDescriptionAreUsedEverywhere(t *testing.T) {
	site := stoatest.Start(t, noLimits)
	admin := site.Member(t, "root", account.RoleAdmin)
	register(t, site, "gina", "gina@example.org")

	doc := admin.Doc("/", http.StatusOK)
	if got := doc.Find(".brand").Text(); !strings.Contains(got, "Stoa") {
		t.Fatalf("before any setting the header reads %q, want Stoa", got)
	}

	admin.PostForm("/admin/site", url.Values{"name": {"  "}, "description": {""}})
	if admin.Last.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(admin.Body, "Give the site a name") {
		t.Fatalf("an empty name: status %d", admin.Last.StatusCode)
	}
	admin.PostForm("/admin/site", url.Values{"name": {strings.Repeat("n", 61)}})
	if admin.Last.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(admin.Body, strings.Repeat("n", 61)) {
		t.Fatalf("a long name: status %d, or the typed name was lost", admin.Last.StatusCode)
	}
	admin.PostForm("/admin/site", url.Values{"name": {"Allotment Friends"}, "description": {"Growing food together in Leeds."}})
	if admin.Path() != "/admin/site?saved=1" {
		t.Fatalf("saving ended at %s", admin.Path())
	}

	anon := site.Anonymous(t)
	doc = anon.Doc("/", http.StatusOK)
	if got := strings.TrimSpace(doc.Find(".brand").Text()); !strings.Contains(got, "Allotment Friends") {
		t.Errorf("header reads %q", got)
	}
	if got := doc.Find("title").Text(); !strings.Contains(got, "Allotment Friends") {
		t.Errorf("home title reads %q", got)
	}
	if got := doc.Find(".site-description").Text(); got != "Growing food together in Leeds." {
		t.Errorf("home page description reads %q", got)
	}
	if got, _ := doc.Find(`meta[name="description"]`).Attr("content"); got != "Growing food together in Leeds." {
		t.Errorf("meta description %q", got)
	}
	doc = anon.Doc("/chat", http.StatusOK)
	if got := doc.Find("title").Text(); got != "Chat · Allotment Friends" {
		t.Errorf("chat page title %q", got)
	}

	anon.Get("/feed.atom")
	if !strings.Contains(anon.Body, "<title>Allotment Friends</title>") || !strings.Contains(anon.Body, "Growing food together in Leeds.") {
		t.Errorf("the feed does not carry the name and description:\n%.400s", anon.Body)
	}
	if strings.Contains(anon.Body, "127.0.0.1") && strings.Contains(anon.Body, "<title>Latest threads on") {
		t.Error("the feed is still titled after the host")
	}
	anon.Get("/c/general/feed.atom")
	if !strings.Contains(anon.Body, "<title>General · Allotment Friends</title>") {
		t.Errorf("the category feed's title: %.300s", anon.Body)
	}

	anon.PostForm("/forgot", url.Values{"login": {"gina"}})
	var found bool
	for _, m := range outbox(t, site) {
		if m.Kind == "reset" {
			found = true
			if !strings.Contains(m.Subject, "Allotment Friends") || !strings.Contains(m.Text, "Allotment Friends") {
				t.Errorf("reset mail does not name the site: %q\n%s", m.Subject, m.Text)
			}
		}
	}
	if !found {
		t.Error("no reset mail was queued")
	}

	var audited bool
	for _, e := range auditLog(t, site) {
		if e.Action == "change_site_settings" && e.Actor == "root" && strings.Contains(e.Target, "Allotment Friends") {
			audited = true
		}
	}
	if !audited {
		t.Errorf("the change is not in the audit log: %+v", auditLog(t, site))
	}
}

// After setup an admin sees a checklist: each step links where it is done and ticks
// itself when done; a banner reminds them until they hide it. Members never see it.
func TestSetupChecklistTicksStepsAndCanBeHidden(t *testing.T) {
	site := stoatest.Start(t, noLimits)
	admin := site.Member(t, "root", account.RoleAdmin)
	member := site.Member(t, "molly", account.RoleMember)

	banner := func(c *stoatest.Client) string {
		return strings.TrimSpace(c.Doc("/", http.StatusOK).Find(`.banner a[href="/admin/setup"]`).Parent().Parent().Text())
	}
	if got := banner(admin); !strings.Contains(got, "0 of 5 steps done") {
		t.Fatalf("admin's banner reads %q", got)
	}
	if got := banner(member); got != "" {
		t.Fatalf("a member sees the setup banner: %q", got)
	}

	done := func() map[string]bool {
		doc := admin.Doc("/admin/setup", http.StatusOK)
		out := map[string]bool{}
		doc.Find(".setup-step").Each(func(_ int, s *goquery.Selection) {
			href, _ := s.Find("a.title").Attr("href")
			out[href] = s.HasClass("done")
		})
		return out
	}
	steps := done()
	for _, href := range []string{"/admin/site", "/admin/categories", "/chat/admin", "/admin/policies/agreement", "/admin/mail"} {
		if on, ok := steps[href]; !ok || on {
			t.Errorf("fresh checklist: step %s present %v, done %v", href, ok, on)
		}
	}

	admin.PostForm("/admin/site", url.Values{"name": {"Allotment Friends"}})
	admin.PostForm("/admin/categories", url.Values{"name": {"Seeds"}, "description": {"Swaps and sources"}})
	admin.PostForm("/chat/admin/rooms/general", url.Values{"name": {"Shed"}, "topic": {"Tea and talk"}})
	admin.PostForm("/admin/policies/agreement", url.Values{"title": {"Community agreement"}, "source": {"1. Be kind.\n2. Share seeds."}})
	steps = done()
	for href, want := range map[string]bool{"/admin/site": true, "/admin/categories": true, "/chat/admin": true,
		"/admin/policies/agreement": true, "/admin/mail": false} {
		if steps[href] != want {
			t.Errorf("after doing four steps, %s done = %v, want %v", href, steps[href], want)
		}
	}
	if got := banner(admin); !strings.Contains(got, "4 of 5 steps done") {
		t.Errorf("banner after four steps: %q", got)
	}

	admin.PostForm("/admin/setup", url.Values{"dismissed": {"1"}})
	if got := banner(admin); got != "" {
		t.Errorf("the banner stays after hiding the checklist: %q", got)
	}
	doc := admin.Doc("/admin", http.StatusOK)
	if doc.Find(`a[href="/admin/setup"]`).Length() == 0 || doc.Find(`a[href="/admin/site"]`).Length() == 0 {
		t.Error("the admin dashboard does not link the checklist and the settings")
	}
	member.Get("/admin/setup")
	if member.Last.StatusCode != http.StatusForbidden {
		t.Errorf("a member opens the checklist: %d", member.Last.StatusCode)
	}
}

// A site started with a mail server has that step ticked from the start.
func TestSetupChecklistMailStepFollowsTheConfiguration(t *testing.T) {
	site := stoatest.Start(t, func(c *server.Config) { c.SMTPURL = "smtp://127.0.0.1:1" })
	admin := site.Member(t, "root", account.RoleAdmin)
	doc := admin.Doc("/admin/setup", http.StatusOK)
	if !doc.Find(`.setup-step:has(a[href="/admin/mail"])`).HasClass("done") {
		t.Error("with --smtp-url the mail step is not ticked")
	}
}

// The home page's "New thread" button leads, without JavaScript, to a page listing the
// categories, each opening its composer; readers are asked to log in first.
func TestNewThreadButtonPicksACategory(t *testing.T) {
	site := stoatest.Start(t, noLimits)
	admin := site.Member(t, "root", account.RoleAdmin)
	admin.PostForm("/admin/categories", url.Values{"name": {"Seeds"}, "description": {"Swaps and sources"}})
	doc := admin.Doc("/", http.StatusOK)
	href, ok := doc.Find(`.page-head a.button:contains("New thread")`).Attr("href")
	if !ok || href != "/new" {
		t.Fatalf("home page's New thread button: %q %v", href, ok)
	}
	doc = admin.Doc("/new", http.StatusOK)
	var links []string
	doc.Find(".pick-category a").Each(func(_ int, s *goquery.Selection) {
		h, _ := s.Attr("href")
		links = append(links, h)
	})
	if strings.Join(links, " ") != "/c/general/new /c/seeds/new" {
		t.Errorf("category picker links %v", links)
	}
	admin.Doc(links[1], http.StatusOK)

	anon := site.Anonymous(t)
	doc = anon.Doc("/", http.StatusOK)
	if href, _ := doc.Find(`.page-head a:contains("Log in to post")`).Attr("href"); href != "/login?next=/new" {
		t.Errorf("a reader's button leads to %q", href)
	}
	anon.Get("/new")
	if !strings.HasPrefix(anon.Path(), "/login") {
		t.Errorf("a reader opening /new ends at %s", anon.Path())
	}
}
