package e2e

import (
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"stoa/account"
	"stoa/internal/stoatest"
	"stoa/server"
)

// On a 390-pixel phone a long code line or a wide table scrolls inside its post, and
// the page never grows wider than the screen (issue 16, bug 5).
func TestWideCodeAndTablesScrollInsideThePost(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	long := "docker run --rm -it -v /srv/stoa/data:/data -e STOA_BASE_URL=https://forum.example.org -p 127.0.0.1:8080:8080 stoa:latest serve --addr :8080"
	table := "| Setting | Default | What it does | Environment variable | Since |\n|---|---|---|---|---|\n" +
		"| --addr | 127.0.0.1:8080 | the address Stoa listens on for HTTP | STOA_ADDR | 1.0 |\n" +
		"| --metrics-addr | off | Prometheus metrics and pprof on a private address | STOA_METRICS_ADDR | 1.2 |"
	tok := alice.FormToken("/c/general/new")
	alice.PostForm("/c/general/new", url.Values{"title": {"Wide things"}, "token": {tok},
		"body": {"Run it like this:\n\n```\n" + long + "\n```\n\n" + table + "\n\nAnd `" + long + "` inline."}})
	thread := alice.Path()
	if !strings.HasPrefix(thread, "/t/") {
		t.Fatalf("posting ended at %s", thread)
	}
	b := newBrowser(t)
	tb := b.tab(site)
	tb.do(chromedp.EmulateViewport(390, 844))
	tb.open(thread)
	if w := eval[int](tb, "document.documentElement.scrollWidth"); w > 390 {
		t.Errorf("the thread page is %d px wide on a 390 px phone", w)
	}
	for _, css := range []string{".post .prose pre", ".post .prose table"} {
		inside := eval[bool](tb, `(() => { const e = document.querySelector('`+css+`');
			const card = e.closest('.post').getBoundingClientRect(), r = e.getBoundingClientRect();
			return e.scrollWidth > e.clientWidth && r.right <= card.right + 0.5 && getComputedStyle(e).overflowX === 'auto'; })()`)
		if !inside {
			t.Errorf("%s does not scroll inside its post", css)
		}
	}
	if dir := os.Getenv("STOA_SCREENSHOTS"); dir != "" {
		tb.screenshot(dir, "thread-wide-phone")
	}
}

// On a phone the chat composer is pinned to the bottom of the screen, however long the
// room's history, and the acknowledged disclosure above it is one line, still the one
// disclosure component (issue 16, bug 5).
func TestChatComposerPinnedOnAPhone(t *testing.T) {
	site := stoatest.Start(t, func(c *server.Config) { c.NoRateLimits = true })
	site.Member(t, "alice", account.RoleMember)
	b := newBrowser(t)
	tb := b.tab(site)
	tb.login("alice")
	tb.open("/chat/general")
	chatWait(tb, chatLive, "the room to connect")
	tb.do(chromedp.Click(chromedp.CSS("#chat-ack-button"), chromedp.NodeVisible))
	chatWait(tb, `!document.getElementById('chat-ack')`, "the acknowledgement")
	for i := range 25 {
		msg := "Message number " + string(rune('A'+i)) + " with a little text so the room fills up"
		if i == 3 {
			msg = "```\n" + strings.Repeat("a_long_identifier_", 12) + "\n```"
		}
		chatSend(tb, msg)
		chatWait(tb, `document.querySelector('#chat-form textarea').value === ''`, "message "+string(rune('A'+i)))
	}
	dir := os.Getenv("STOA_SCREENSHOTS")
	tb.do(chromedp.EmulateViewport(390, 844))
	tb.open("/chat/general")
	chatWait(tb, chatLive, "the room to connect on the phone")
	if w := eval[int](tb, "document.documentElement.scrollWidth"); w > 390 {
		t.Errorf("the room is %d px wide on a 390 px phone", w)
	}
	onScreen := `(() => { const r = document.getElementById('chat-send').getBoundingClientRect();
		const box = document.querySelector('#chat-form textarea').getBoundingClientRect();
		return r.top >= 0 && r.bottom <= innerHeight && box.top >= 0 && box.bottom <= innerHeight; })()`
	if !eval[bool](tb, onScreen) {
		t.Error("the composer is not on screen when the room opens on a phone")
	}
	newest := `(() => { const m = [...document.querySelectorAll('#chat-log .chat-msg')].pop().getBoundingClientRect();
		return m.bottom <= document.getElementById('chat-compose').getBoundingClientRect().top + 1 && m.top >= 0; })()`
	if !eval[bool](tb, newest) {
		t.Error("the newest message is hidden behind the pinned composer when the room opens")
	}
	eval[bool](tb, "window.scrollTo(0, document.body.scrollHeight / 3), true")
	if !eval[bool](tb, onScreen) {
		t.Error("the composer left the screen when the page scrolled")
	}
	line := `document.querySelector('#chat-line [data-disclosure="public"]')`
	if !eval[bool](tb, "!!"+line) {
		t.Fatal("the acknowledged disclosure is not the disclosure component")
	}
	lines := eval[float64](tb, `(() => { const p = `+line+`.querySelector('p');
		return p.getBoundingClientRect().height / parseFloat(getComputedStyle(p).lineHeight); })()`)
	if lines > 1.5 {
		t.Errorf("the acknowledged disclosure takes %.1f lines on a phone, want one", lines)
	}
	if got := eval[string](tb, line+".textContent"); !strings.Contains(got, "republished by anyone") {
		t.Errorf("the one-line disclosure lost its words: %q", got)
	}
	if dir != "" {
		tb.screenshot(dir, "chat-room-phone-pinned")
	}
}
