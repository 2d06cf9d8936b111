package e2e

import (
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"stoa/internal/stoatest"
	"stoa/server"
)

// A newcomer registers, starts a thread written in Markdown and sees it formatted.
func TestNewcomerPostsFormattedThread(t *testing.T) {
	site := stoatest.Start(t)
	b := newBrowser(t)
	tab := b.tab(site)
	tab.register("newcomer")

	tab.open("/c/general/new")
	if n := tab.count(`form.composer [data-disclosure="public"]`); n != 1 {
		t.Fatalf("composer shows %d public-disclosure warnings, want 1", n)
	}
	warning := tab.text(`[data-disclosure]`)
	for _, want := range []string{"public", "recorded, archived and republished by anyone"} {
		if !strings.Contains(warning, want) {
			t.Errorf("disclosure %q does not say %q", warning, want)
		}
	}
	tab.fill("Title", "Hello from a newcomer")
	tab.fill("Message", "This is **bold**.\n\n| fruit | count |\n|---|---|\n| apple | 3 |\n\nSee [the docs](https://example.org/docs).")
	tab.press("Post")

	if p := tab.path(); !strings.HasPrefix(p, "/t/") {
		t.Fatalf("after posting the browser is at %s, want the thread", p)
	}
	if got := tab.text("h1.thread-title"); got != "Hello from a newcomer" {
		t.Errorf("thread title %q", got)
	}
	if got := tab.text(".post .prose strong"); got != "bold" {
		t.Errorf("bold text %q", got)
	}
	if got := tab.text(".post .prose table td"); got != "apple" {
		t.Errorf("first table cell %q", got)
	}
	rel := eval[string](tab, `document.querySelector('.post .prose a[href="https://example.org/docs"]').rel`)
	if !strings.Contains(rel, "nofollow") || !strings.Contains(rel, "ugc") {
		t.Errorf("link rel %q, want nofollow ugc", rel)
	}
}

// Script and event-handler markup in a post shows as text and runs nothing.
func TestPostedScriptsNeverRun(t *testing.T) {
	site := stoatest.Start(t)
	b := newBrowser(t)
	tab := b.tab(site)
	tab.register("mallory")
	tab.open("/c/general/new")
	tab.fill("Title", "Totally harmless")
	tab.fill("Message", "<script>window.__pwned = 1</script>\n\n<img src=x onerror=\"window.__pwned = 2\">\n\n[click](javascript:window.__pwned=3)")
	tab.press("Post")
	tab.do(chromedp.WaitVisible(chromedp.CSS(".post .prose")))

	if got := eval[bool](tab, "window.__pwned === undefined"); !got {
		t.Fatal("a script from the post ran in the reader's browser")
	}
	if n := tab.count(".prose script, .prose img[onerror], .prose [onerror]"); n != 0 {
		t.Fatalf("%d dangerous elements made it into the page", n)
	}
	if n := tab.count(`.prose a[href^="javascript"]`); n != 0 {
		t.Fatal("a javascript: link made it into the page")
	}
	if text := tab.text(".post .prose"); !strings.Contains(text, "window.__pwned = 1") {
		t.Errorf("the script's source is not shown as text; post reads %q", text)
	}
	// Clicking the link must not run it either.
	if tab.count(".prose a") > 0 {
		tab.do(chromedp.Click(chromedp.CSS(".prose a")))
	}
	if got := eval[bool](tab, "window.__pwned === undefined"); !got {
		t.Fatal("clicking a posted link ran script")
	}
}

// An anonymous reader can read every forum page and is never given a cookie (P7).
func TestAnonymousReaderGetsNoCookie(t *testing.T) {
	site := stoatest.Start(t)
	author := site.Member(t, "author", "member")
	tok := author.FormToken("/c/general/new")
	author.PostForm("/c/general/new", map[string][]string{"title": {"A public thread"}, "body": {"Readable by anyone."}, "token": {tok}})
	thread := author.Path()

	b := newBrowser(t)
	tab := b.tab(site)
	for _, path := range []string{"/", "/c/general", thread, "/login", "/register", "/u/author", "/no-such-page"} {
		tab.open(path)
	}
	tab.open(thread)
	if got := tab.text(".post .prose"); !strings.Contains(got, "Readable by anyone.") {
		t.Fatalf("anonymous reader sees %q", got)
	}
	if c := tab.cookies(); len(c) != 0 {
		t.Fatalf("anonymous reader was given %d cookie(s), first %q", len(c), c[0].Name)
	}
}

// TestScreenshots saves PNGs of the main pages for the README (make screenshots).
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("STOA_SCREENSHOTS")
	if dir == "" {
		t.Skip("set STOA_SCREENSHOTS=DIR (make screenshots) to save screenshots")
	}
	// The seed posts, reacts, chats and reports from one address, faster than the form
	// limits allow.
	site := stoatest.Start(t, func(c *server.Config) { c.NoRateLimits = true })
	seed(t, site)
	b := newBrowser(t)
	tab := b.tab(site)
	tab.login("alice")
	for _, scheme := range []string{"light", "dark"} {
		setScheme(tab, scheme)
		for _, size := range []struct {
			name string
			w, h int64
		}{{"desktop", 1280, 900}, {"phone", 390, 844}} {
			tab.do(chromedp.EmulateViewport(size.w, size.h))
			for _, page := range []struct{ name, path string }{
				{"home", "/"}, {"thread", "/t/1"}, {"composer", "/c/general/new"}, {"chat", "/chat/general"},
				{"search", "/search?q=backup"}, {"moderation", "/mod"}, {"account", "/me"}, {"admin", "/admin"},
				{"privacy", "/policies/privacy"}, {"setup", "/admin/setup"}, {"new-thread", "/new"}, {"avatar", "/me/avatar"},
			} {
				tab.open(page.path)
				if page.name == "composer" {
					// A composer being written: the toolbar over the text and the live preview.
					tab.fill("Title", "Which tomatoes for a cold plot?")
					tab.fill("Message", "Last year **Sungold** did well, _Black Krim_ less so.\n\n- start indoors in March\n- plant out after the last frost\n\n> Water at the roots, never the leaves.")
					chatWait(tab, `!!document.querySelector('.composer-preview-body strong') || document.querySelector('.composer-preview').hidden`, "the composer's preview")
					eval[bool](tab, "(() => { document.activeElement.blur(); window.scrollTo(0, 0); return true; })()")
				}
				if page.name == "chat" {
					chatWait(tab, `document.getElementById('chat').classList.contains('is-live')`, "the room page to connect")
				}
				if page.name == "chat" && size.name == "phone" {
					tab.screenScreenshot(dir, page.name+"-"+size.name+"-"+scheme)
					continue
				}
				tab.screenshot(dir, page.name+"-"+size.name+"-"+scheme)
			}
		}
	}
}

// The self-hoster's first minutes: the one-time setup link creates the admin, who posts.
func TestSetupLinkThenFirstPost(t *testing.T) {
	site := stoatest.Start(t)
	b := newBrowser(t)
	tab := b.tab(site)
	setup := strings.TrimPrefix(site.App.SetupURL(), site.App.BaseURL())
	tab.open(setup)
	tab.fill("Username", "admin")
	tab.fill("Password", "a strong password")
	tab.press("Create admin account")
	if got := tab.text("nav.account .who"); got != "admin" {
		t.Fatalf("after setup the header shows %q", got)
	}
	if tab.count(`nav.primary a[href="/admin"]`) != 1 {
		t.Error("the new admin sees no Admin link")
	}
	tab.open("/c/general/new")
	tab.fill("Title", "Welcome")
	tab.fill("Message", "First post on this server.")
	tab.press("Post")
	if got := tab.text(".post .prose"); !strings.Contains(got, "First post on this server.") {
		t.Fatalf("first post reads %q", got)
	}
	tab.open(setup)
	if !strings.Contains(tab.text("h1"), "Page not found") {
		t.Error("the setup link still works after use")
	}
}
