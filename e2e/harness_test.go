// Package e2e drives a real Stoa with a real Chromium, as a person would.
package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"stoa/internal/stoatest"
)

// chromiumPath finds Debian's chromium (or $STOA_CHROMIUM).
func chromiumPath() string {
	if p := os.Getenv("STOA_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browser is one Chromium process for a test.
type browser struct {
	t   testing.TB
	ctx context.Context
}

// newBrowser starts headless Chromium. Without one it skips on a laptop, and fails under
// CI=true, where a missing browser means the browser tests did not run.
func newBrowser(t testing.TB) *browser {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("Chromium is not installed, and CI=true requires the browser tests to run (apt-get install chromium)")
		}
		t.Skip("browser test skipped: Chromium not found (install Debian's chromium, or set STOA_CHROMIUM)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 900),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	// The first call starts the browser; it must not carry a timeout (see chromedp.Run).
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		cancelAlloc()
		t.Fatalf("start chromium: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	return &browser{t: t, ctx: ctx}
}

// tab is one browsing session with its own cookies, like a separate person's browser.
type tab struct {
	t    testing.TB
	ctx  context.Context
	site *stoatest.Site
}

// tab opens a new isolated browser context on site.
func (b *browser) tab(site *stoatest.Site) *tab {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	if err := chromedp.Do(ctx); err != nil {
		b.t.Fatalf("open tab: %v", err)
	}
	b.t.Cleanup(cancel)
	return &tab{t: b.t, ctx: ctx, site: site}
}

func (tb *tab) timeout() (context.Context, context.CancelFunc) {
	return context.WithTimeout(tb.ctx, 30*time.Second)
}

// do runs steps, failing the test on the first error.
func (tb *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := tb.timeout()
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		loc, _ := chromedp.Run(tb.ctx, chromedp.Location())
		tb.t.Fatalf("browser at %s: %v", loc, err)
	}
}

// open navigates to a path on the site.
func (tb *tab) open(path string) {
	tb.t.Helper()
	tb.do(chromedp.Navigate(tb.site.URL + path))
}

// text returns the visible text of the first element matching css.
func (tb *tab) text(css string) string {
	tb.t.Helper()
	ctx, cancel := tb.timeout()
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		tb.t.Fatalf("text of %s: %v", css, err)
	}
	return s
}

// eval runs JavaScript in the page and returns its value.
func eval[T any](tb *tab, js string) T {
	tb.t.Helper()
	ctx, cancel := tb.timeout()
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		tb.t.Fatalf("evaluate %q: %v", js, err)
	}
	return v
}

// count returns how many elements match css.
func (tb *tab) count(css string) int {
	tb.t.Helper()
	return eval[int](tb, "document.querySelectorAll("+quoteJS(css)+").length")
}

func quoteJS(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`).Replace(s) + "'"
}

// path is the current page's path.
func (tb *tab) path() string {
	tb.t.Helper()
	return eval[string](tb, "location.pathname + location.search")
}

// cookies lists every cookie the browser holds for the site.
func (tb *tab) cookies() []*network.Cookie {
	tb.t.Helper()
	ctx, cancel := tb.timeout()
	defer cancel()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{tb.site.URL}})
	if err != nil {
		tb.t.Fatalf("get cookies: %v", err)
	}
	return res.Cookies
}

// fill types value into the field labelled label (an exact <label> text).
func (tb *tab) fill(label, value string) {
	tb.t.Helper()
	id := eval[string](tb, `(() => { for (const l of document.querySelectorAll('label')) {
		if (l.textContent.trim() === `+quoteJS(label)+`) return l.htmlFor; } return ''; })()`)
	if id == "" {
		tb.t.Fatalf("no field labelled %q on %s", label, tb.path())
	}
	tb.do(chromedp.Focus(chromedp.CSS("#" + id)))
	eval[bool](tb, `(() => { const el = document.getElementById(`+quoteJS(id)+`); el.value = `+quoteJS(value)+`;
		el.dispatchEvent(new Event('input', {bubbles: true})); return true; })()`)
}

// press clicks the button whose text is label and waits for the page it leads to.
func (tb *tab) press(label string) {
	tb.t.Helper()
	tb.follow(chromedp.Click(chromedp.Search(`//button[normalize-space(.)=` + xpathString(label) + `]`)))
}

// follow runs click (a click on a link or a button) and waits for the page it leads to.
// The current page is marked first, so the wait cannot mistake it for the new one.
func (tb *tab) follow(click chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	eval[bool](tb, "window.__stoaOldPage = true")
	tb.do(click)
	tb.waitNewPage()
}

func xpathString(s string) string {
	if !strings.Contains(s, "'") {
		return "'" + s + "'"
	}
	return `"` + s + `"`
}

// waitNewPage waits until the page marked by press has been replaced and the new one
// has loaded. Errors while the old page is torn down are expected and retried.
func (tb *tab) waitNewPage() {
	tb.t.Helper()
	deadline := time.Now().Add(60 * time.Second) // generous: a busy CI machine is slow, and the wait ends as soon as the page is there
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(tb.ctx, 2*time.Second)
		done, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("window.__stoaOldPage === undefined && document.readyState === 'complete'"))
		cancel()
		if err == nil && done {
			return
		}
		time.Sleep(30 * time.Millisecond)
	}
	tb.t.Fatalf("no new page loaded after submitting on %s", tb.path())
}

// register creates an account through the registration page.
func (tb *tab) register(name string) {
	tb.t.Helper()
	tb.open("/register")
	tb.fill("Username", name)
	tb.fill("Password", "password-"+name)
	tb.press("Create account")
	if got := tb.text("nav.account .who"); got != name {
		tb.t.Fatalf("after registering, header shows %q, want %q", got, name)
	}
}

// login logs in through the login page as a member created with site.Member or
// stoatest's password convention.
func (tb *tab) login(name string) {
	tb.t.Helper()
	tb.open("/login")
	tb.fill("Username", name)
	tb.fill("Password", "password-"+name)
	tb.press("Log in")
	if got := tb.text("nav.account .who"); got != name {
		tb.t.Fatalf("after logging in, header shows %q, want %q", got, name)
	}
}

// screenshot saves a PNG of the whole page when dir is set. The page is scrolled to the
// top first: a full-page capture draws sticky parts (the header) where the scroll left
// them, and the chat room scrolls itself on a phone.
func (tb *tab) screenshot(dir, name string) {
	tb.t.Helper()
	eval[bool](tb, "window.scrollTo(0, 0), true")
	tb.capture(dir, name, chromedp.FullScreenshot(100))
}

// screenScreenshot saves a PNG of what the screen shows where the page scrolled itself: a
// chat room on a phone pins its composer to the bottom of the screen, which a full-page
// capture would draw in the middle of the messages.
func (tb *tab) screenScreenshot(dir, name string) {
	tb.t.Helper()
	tb.capture(dir, name, chromedp.CaptureScreenshot())
}

func (tb *tab) capture(dir, name string, shot chromedp.Action[[]byte]) {
	tb.t.Helper()
	ctx, cancel := tb.timeout()
	defer cancel()
	png, err := chromedp.Run(ctx, shot)
	if err != nil {
		tb.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
}
