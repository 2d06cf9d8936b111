package e2e

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"stoa/account"
	"stoa/internal/stoatest"
)

// chatWait polls js in the tab until it is true.
func chatWait(tb *tab, js, what string) {
	tb.t.Helper()
	deadline := time.Now().Add(30 * time.Second) // a condition, not a delay: generous for a busy machine
	for !eval[bool](tb, js) {
		if time.Now().After(deadline) {
			tb.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// chatShows is JavaScript that is true once the room's log shows a message containing text.
func chatShows(text string) string {
	return `[...document.querySelectorAll('#chat-log .chat-msg .chat-body')].some(e => e.textContent.includes(` + quoteJS(text) + `))`
}

// chatSend types a message and presses Send, staying on the page.
func chatSend(tb *tab, text string) {
	tb.t.Helper()
	tb.fill("Message", text)
	tb.do(chromedp.Click(chromedp.CSS(`#chat-form button[type="submit"]`), chromedp.NodeVisible))
}

// Two members in two separate browsers: the public-room warning comes before the first
// message, and a message typed in one browser appears in the other without a reload.
func TestP6_ChatLiveBetweenTwoBrowsers(t *testing.T) {
	site := stoatest.Start(t)
	site.Member(t, "alice", account.RoleMember)
	site.Member(t, "bob", account.RoleMember)
	b := newBrowser(t)
	alice, bob := b.tab(site), b.tab(site)
	alice.login("alice")
	bob.login("bob")
	alice.open("/chat/general")
	bob.open("/chat/general")
	live := `document.getElementById('chat').classList.contains('is-live')`
	chatWait(alice, live, "alice's room page to connect")
	chatWait(bob, live, "bob's room page to connect")
	eval[bool](bob, "window.__stoaSamePage = true")

	// Before her first message, alice is shown that the room is public.
	visible := `(() => { const e = document.querySelector('#chat-ack [data-disclosure="public"]');
		return !!e && e.getBoundingClientRect().height > 0; })()`
	if !eval[bool](alice, visible) {
		t.Fatal("no visible public-disclosure warning before the first message")
	}
	if w := alice.text(`#chat-ack [data-disclosure="public"]`); !strings.Contains(w, "recorded, archived and republished by anyone") {
		t.Fatalf("the warning reads %q", w)
	}
	chatSend(alice, "Hello from Alice's browser")
	chatWait(alice, `!document.getElementById('chat-confirm').hidden`, "the first-message confirmation")
	if text := alice.text("#chat-ack"); !strings.Contains(text, "not sent yet") || !strings.Contains(text, "republished by anyone") {
		t.Fatalf("the confirmation reads %q", text)
	}
	time.Sleep(300 * time.Millisecond)
	if n := bob.count("#chat-log .chat-msg"); n != 0 {
		t.Fatal("the message was published before alice confirmed it")
	}
	alice.do(chromedp.Click(chromedp.CSS("#chat-confirm-send"), chromedp.NodeVisible))
	chatWait(bob, chatShows("Hello from Alice's browser"), "alice's message in bob's browser")
	chatWait(alice, chatShows("Hello from Alice's browser")+` && document.querySelector('#chat-form textarea').value === ''`, "alice's message acknowledged")
	if !eval[bool](bob, "window.__stoaSamePage === true") {
		t.Fatal("bob's page reloaded to show the message")
	}
	if n := eval[int](bob, `document.querySelectorAll('#chat-log .chat-msg a[href^="/report?message="]').length`); n != 1 {
		t.Errorf("bob sees %d Report links on alice's message, want 1", n)
	}

	// Bob types: alice sees it, then his message, and both are listed as present. The
	// notice shows for four seconds only, which a busy machine's polling can miss: the
	// page notes that it appeared.
	eval[bool](alice, `(() => { const el = document.getElementById('chat-typing'); window.__sawTyping = false;
		new MutationObserver(() => { if (el.textContent.includes('bob is typing')) window.__sawTyping = true; })
			.observe(el, {childList: true, characterData: true, subtree: true}); return true; })()`)
	chatSend(bob, "Hi Alice, message received")
	chatWait(alice, `window.__sawTyping === true`, "bob's typing notice")
	chatWait(bob, `!document.getElementById('chat-confirm').hidden`, "bob's first-message confirmation")
	bob.do(chromedp.Click(chromedp.CSS("#chat-confirm-send"), chromedp.NodeVisible))
	chatWait(alice, chatShows("Hi Alice, message received"), "bob's reply in alice's browser")
	chatWait(alice, `document.getElementById('chat-presence').textContent.includes('bob')`, "bob in alice's presence list")

	// Once acknowledged, alice's next message goes straight out.
	chatSend(alice, "No warning this time")
	chatWait(bob, chatShows("No warning this time"), "alice's second message")
	if !eval[bool](alice, `document.getElementById('chat-confirm').hidden`) {
		t.Error("alice was asked to confirm again")
	}
	if dir := os.Getenv("STOA_SCREENSHOTS"); dir != "" {
		bob.screenshot(dir, "chat-room")
	}
}

// The chat pages fit a 375-pixel-wide phone without sideways scrolling.
func TestChatPagesFitAPhone(t *testing.T) {
	site := stoatest.Start(t)
	site.Member(t, "root", account.RoleAdmin)
	b := newBrowser(t)
	admin := b.tab(site)
	admin.login("root")
	admin.open("/chat/general")
	chatWait(admin, `document.getElementById('chat').classList.contains('is-live')`, "the room page to connect")
	chatSend(admin, "A fairly long first message to see how the room wraps text on a very small screen, with a link https://example.org/a/rather/long/path/that/goes/on")
	chatWait(admin, `!document.getElementById('chat-confirm').hidden`, "the confirmation")
	admin.do(chromedp.Click(chromedp.CSS("#chat-confirm-send"), chromedp.NodeVisible))
	chatWait(admin, chatShows("A fairly long first message"), "the message")
	dir := os.Getenv("STOA_SCREENSHOTS")
	admin.do(chromedp.EmulateViewport(375, 800))
	for _, page := range []struct{ name, path string }{{"rooms", "/chat"}, {"room", "/chat/general"}, {"admin", "/chat/admin"}} {
		admin.open(page.path)
		if w := eval[int](admin, "document.documentElement.scrollWidth"); w > 375 {
			t.Errorf("%s is %d px wide on a 375 px screen", page.path, w)
		}
		if dir != "" {
			admin.screenshot(dir, "chat-"+page.name+"-phone")
		}
	}
}
