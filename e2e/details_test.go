package e2e

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"stoa/account"
	"stoa/internal/stoatest"
)

// Columns a table aligns right or centre (GFM "--:" and ":-:") render that way in the
// browser (issue 16, point 7).
func TestTableColumnsAlignInTheBrowser(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	tok := alice.FormToken("/c/general/new")
	alice.PostForm("/c/general/new", url.Values{"title": {"Prices"}, "token": {tok},
		"body": {"| Item | Price | Stock |\n|:--|--:|:-:|\n| Tea | 3.50 | yes |\n| Coffee | 12.00 | no |"}})
	thread := alice.Path()
	tb := newBrowser(t).tab(site)
	tb.open(thread)
	align := func(css string) string {
		return eval[string](tb, `getComputedStyle(document.querySelector('`+css+`')).textAlign`)
	}
	for css, want := range map[string]string{
		".prose table tbody tr td:nth-child(1)": "left",
		".prose table tbody tr td:nth-child(2)": "right",
		".prose table thead th:nth-child(2)":    "right",
		".prose table tbody tr td:nth-child(3)": "center",
	} {
		if got := align(css); got != want {
			t.Errorf("%s is aligned %q, want %q", css, got, want)
		}
	}
	if strings.Contains(eval[string](tb, `document.querySelector('.prose table').outerHTML`), "style=") {
		t.Error("the table carries inline styles; the sanitiser allows none")
	}
}

// Chat times read one way, in the reader's locale, whether the server drew the message or
// it arrived live (issue 16, point 7: "06:55" beside "06:55 AM"). Without the script the
// server writes one fixed format.
func TestChatTimesOneFormat(t *testing.T) {
	site := stoatest.Start(t)
	site.Member(t, "alice", account.RoleMember)
	site.Member(t, "bob", account.RoleMember)
	b := newBrowser(t)
	bob := openRoom(t, b, site, "bob")
	bob.do(chromedp.Click(chromedp.CSS("#chat-ack-button"), chromedp.NodeVisible))
	chatWait(bob, `!document.getElementById('chat-ack')`, "bob's acknowledgement")
	chatSend(bob, "drawn by the server")
	chatWait(bob, chatShows("drawn by the server"), "the first message")

	raw := site.Anonymous(t).Doc("/chat/general", http.StatusOK).Find("#chat-log time").First().Text()
	if !regexp.MustCompile(`^\d{2}:\d{2}$`).MatchString(raw) {
		t.Errorf("without the script the time reads %q, want HH:MM", raw)
	}

	alice := openRoom(t, b, site, "alice")
	chatSend(bob, "arrived live")
	chatWait(alice, chatShows("arrived live"), "the live message")
	same := `(() => { const f = new Intl.DateTimeFormat(undefined, {hour: 'numeric', minute: '2-digit'});
		const times = [...document.querySelectorAll('#chat-log time')];
		return times.length === 2 && times.every(t => t.textContent === f.format(new Date(t.dateTime)) && t.title !== ''); })()`
	if !eval[bool](alice, same) {
		t.Errorf("the times read %q", eval[string](alice, `[...document.querySelectorAll('#chat-log time')].map(t => t.textContent).join(' | ')`))
	}
}

// An image shown as a link is marked by an icon the site ships, not by an emoji that a
// machine without an emoji font draws as an empty box (issue 16, point 7); screen readers
// hear "Image:" before its label.
func TestImageLinksCarryAnIcon(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	tok := alice.FormToken("/c/general/new")
	alice.PostForm("/c/general/new", url.Values{"title": {"Pictures"}, "token": {tok},
		"body": {"Look: ![our cat](https://img.example/cat.png) and [![badge](https://img.example/b.svg)](https://example.org)"}})
	tb := newBrowser(t).tab(site)
	tb.open(alice.Path())
	text := eval[string](tb, `document.querySelector('.post .prose').textContent`)
	if strings.ContainsRune(text, '🖼') {
		t.Errorf("the post still marks images with an emoji: %q", text)
	}
	if n := tb.count(".post .prose a.img-link"); n != 2 {
		t.Fatalf("%d image links, want 2 (an image, and a link holding one)", n)
	}
	icon := `(() => { const s = getComputedStyle(document.querySelector('.post .prose a.img-link'), '::before');
		return s.maskImage + ' ' + s.width; })()`
	if got := eval[string](tb, icon); !strings.Contains(got, "/static/image.svg") || strings.HasSuffix(got, " 0px") {
		t.Errorf("the image link's icon is %q", got)
	}
	chatWait(tb, `performance.getEntriesByType('resource').some(e => e.name.endsWith('/static/image.svg'))`, "the icon to load")
	if w := eval[float64](tb, `document.querySelector('.post .prose a.img-link .img-label').getBoundingClientRect().width`); w > 1 {
		t.Errorf("the word for screen readers takes %.0f px on screen", w)
	}
	if got := tb.text(".post .prose a.img-link .img-label"); got != "Image:" {
		t.Errorf("screen readers hear %q before the label", got)
	}
	resp := site.Anonymous(t).Get("/static/image.svg")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "image/svg+xml") {
		t.Errorf("/static/image.svg: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}
