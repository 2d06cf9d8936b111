package e2e

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"stoa/account"
	"stoa/internal/stoatest"
)

// The personal-information detector holds a thread with an email address in the
// composer: the text stays, a warning says what was found, and only "Publish anyway"
// publishes it (P6).
func TestP6_ComposerHoldsPersonalInformation(t *testing.T) {
	site := stoatest.Start(t)
	tab := newBrowser(t).tab(site)
	tab.register("holly")
	tab.open("/c/general/new")
	body := "Call me on +44 20 7946 0958 or write to holly.private@example.com."
	tab.fill("Title", "Reach me")
	tab.fill("Message", body)
	tab.press("Post")
	if p := tab.path(); !strings.HasPrefix(p, "/c/general/new") {
		t.Fatalf("held post went to %s", p)
	}
	warning := tab.text("[data-hold]")
	for _, want := range []string{"phone number", "email address", "public"} {
		if !strings.Contains(warning, want) {
			t.Errorf("hold warning %q does not mention %q", warning, want)
		}
	}
	if got := eval[string](tab, "document.querySelector('textarea[name=body]').value"); got != body {
		t.Errorf("the held text became %q", got)
	}
	if n := tab.count(`form.composer [data-disclosure="public"]`); n != 1 {
		t.Errorf("the held composer shows %d disclosure warnings", n)
	}
	tab.do(chromedp.Click(chromedp.CSS(`[data-hold] input[name=confirm]`)))
	tab.press("Post")
	if p := tab.path(); !strings.HasPrefix(p, "/t/") {
		t.Fatalf("after confirming the browser is at %s, want the thread", p)
	}
	if !strings.Contains(tab.text(".post .prose"), "holly.private@example.com") {
		t.Error("the confirmed post does not show what was written")
	}
}

// cookieRefusingTab starts a Chromium whose profile blocks every cookie, as a person
// who set "Block all cookies" in the browser's settings would have it.
func cookieRefusingTab(t *testing.T, site *stoatest.Site) *tab {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		newBrowser(t) // skips, or fails under CI, with the harness's message
	}
	dir := t.TempDir()
	prefs := `{"profile": {"default_content_setting_values": {"cookies": 2}}}`
	if err := os.MkdirAll(filepath.Join(dir, "Default"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Default", "Preferences"), []byte(prefs), 0o644); err != nil {
		t.Fatal(err)
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), chromedp.ExecPath(path), chromedp.Headless,
		chromedp.NoSandbox, chromedp.UserDataDir(dir), chromedp.Flag("disable-gpu", true), chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-extensions", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 900))
	// The profile's own (default) browser context, where its settings apply.
	ctx, cancel := chromedp.NewContext(alloc)
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		cancelAlloc()
		t.Fatalf("start chromium: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	return &tab{t: t, ctx: ctx, site: site}
}

// With cookies refused, every public page reads normally; logging in explains that it
// needs one cookie instead of failing silently (P7).
func TestP7_ReadingWithCookiesBlocked(t *testing.T) {
	site := stoatest.Start(t)
	writer := site.Member(t, "writer", account.RoleMember)
	tok := writer.FormToken("/c/general/new")
	writer.PostForm("/c/general/new", url.Values{"title": {"Readable without cookies"}, "body": {"Plain text for everyone."}, "token": {tok}})
	thread := writer.Path()
	site.Member(t, "reader", account.RoleMember)

	tab := cookieRefusingTab(t, site)
	for _, p := range []string{"/", "/c/general", thread, "/u/writer", "/policies/privacy", "/contact"} {
		tab.open(p)
		if h := tab.text("h1"); h == "" || strings.Contains(h, "not found") {
			t.Errorf("%s does not read normally without cookies (heading %q)", p, h)
		}
	}
	tab.open(thread)
	if !strings.Contains(tab.text(".post .prose"), "Plain text for everyone.") {
		t.Error("the thread's post does not show")
	}
	tab.open("/login")
	tab.fill("Username", "reader")
	tab.fill("Password", "password-reader")
	tab.press("Log in")
	if !strings.HasPrefix(tab.path(), "/login/check") || tab.count("[data-cookie-check]") != 1 {
		t.Fatalf("login without cookies ended at %s without an explanation", tab.path())
	}
	if txt := tab.text("[data-cookie-check]"); !strings.Contains(txt, "one cookie") || !strings.Contains(txt, "keep reading") {
		t.Errorf("explanation %q", txt)
	}
	if n := len(tab.cookies()); n != 0 {
		t.Errorf("the browser holds %d cookies", n)
	}
}

// A material change of the privacy policy puts a banner on every page for a member until
// they have read what changed and confirmed it (P14).
func TestP14_MaterialChangeBanner(t *testing.T) {
	site := stoatest.Start(t)
	tab := newBrowser(t).tab(site)
	tab.register("member")
	if n := tab.count(".banner-policy"); n != 0 {
		t.Fatal("a new member sees a policy banner")
	}
	admin := site.Member(t, "root", account.RoleAdmin)
	src := admin.Doc("/admin/policies/privacy", http.StatusOK).Find("textarea[name=source]").Text()
	admin.PostForm("/admin/policies/privacy", url.Values{"title": {"Privacy policy"},
		"source": {src + "\n## Backups\n\nWe keep encrypted backups for 30 days.\n"}, "material": {"1"}})

	for _, p := range []string{"/", "/chat", "/me"} {
		tab.open(p)
		if !strings.Contains(tab.text(".banner-policy"), "Privacy policy changed") {
			t.Fatalf("no policy banner on %s", p)
		}
	}
	tab.follow(chromedp.Click(chromedp.CSS(".banner-policy a")))
	if p := tab.path(); !strings.HasPrefix(p, "/policies/privacy/diff") {
		t.Fatalf("the banner leads to %s", p)
	}
	if !strings.Contains(tab.text(".diff"), "We keep encrypted backups for 30 days.") {
		t.Error("the diff does not show the new text")
	}
	tab.press("I have read this")
	if n := tab.count(".banner-policy"); n != 0 {
		t.Error("the banner stays after confirming")
	}
	tab.open("/")
	if n := tab.count(".banner-policy"); n != 0 {
		t.Error("the banner came back")
	}
}

// The privacy pages fit a 375-pixel-wide phone without sideways scrolling.
func TestPrivacyPagesFitAPhone(t *testing.T) {
	site := stoatest.Start(t)
	writer := site.Member(t, "writer", account.RoleMember)
	writer.PostForm("/contact", url.Values{"subject": {"A question about my data and a rather long subject line"}, "body": {"Hello team,\nwhat do you keep?"}})
	admin := site.Member(t, "root", account.RoleAdmin)
	src := admin.Doc("/admin/policies/privacy", http.StatusOK).Find("textarea[name=source]").Text()
	admin.PostForm("/admin/policies/privacy", url.Values{"title": {"Privacy policy"},
		"source": {strings.Replace(src, "## Cookies", "## Cookies and other small files that are stored by your browser", 1)}, "material": {"1"}})
	tab := newBrowser(t).tab(site)
	tab.login("root")
	pages := []string{"/policies/privacy", "/policies/privacy/versions", "/policies/privacy/diff?from=1&to=2",
		"/policies/agreement", "/contact", "/me/preferences", "/me/delete", "/me/enquiries", "/mod/enquiries", "/mod/enquiries/1",
		"/admin/policies", "/admin/policies/privacy", "/admin/analytics", "/admin/announcements", "/admin/privacy",
		"/admin/users/writer/email"}
	shots := os.Getenv("STOA_SCREENSHOTS")
	for _, width := range []int64{375, 1280} {
		tab.do(chromedp.EmulateViewport(width, 800))
		for _, p := range pages {
			tab.open(p)
			if w := eval[int](tab, "document.documentElement.scrollWidth"); int64(w) > width {
				t.Errorf("%s is %d px wide on a %d px screen", p, w, width)
			}
			if shots != "" {
				name := strings.NewReplacer("/", "_", "?", "_", "&", "_", "=", "-").Replace(strings.TrimPrefix(p, "/"))
				tab.screenshot(shots, "privacy-"+name+"-"+strconv.FormatInt(width, 10))
			}
		}
	}
}
