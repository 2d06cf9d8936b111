package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"stoa/account"
	"stoa/internal/stoatest"
)

// A first chat message (issue 16, bug 1): one notice that keeps the typed text in view,
// and the message is sent on confirmation; the box is emptied only once the server has
// acknowledged the message.

const chatLive = `document.getElementById('chat').classList.contains('is-live')`

// chatBox is JavaScript for the message box's current text.
const chatBox = `document.querySelector('#chat-form textarea[name=body]').value`

// visibleNotices is JavaScript counting the notices a member sees around the composer:
// the acknowledgement button's row and every hold box that is not hidden.
const visibleNotices = `[...document.querySelectorAll('#chat-compose .hold, #chat-ack-actions')]
	.filter(e => e.getClientRects().length > 0).length`

func openRoom(t *testing.T, b *browser, site *stoatest.Site, name string) *tab {
	t.Helper()
	tb := b.tab(site)
	tb.login(name)
	tb.open("/chat/general")
	chatWait(tb, chatLive, name+"'s room page to connect")
	eval[bool](tb, "window.__stoaSamePage = true")
	return tb
}

func TestChatFirstMessageOneNoticeKeepsText(t *testing.T) {
	site := stoatest.Start(t)
	site.Member(t, "alice", account.RoleMember)
	site.Member(t, "bob", account.RoleMember)
	b := newBrowser(t)
	alice, bob := openRoom(t, b, site, "alice"), openRoom(t, b, site, "bob")

	text := "Hello everyone, this is my first message here"
	chatSend(alice, text)
	chatWait(alice, `!document.getElementById('chat-confirm').hidden`, "the first-message notice")
	if got := eval[string](alice, chatBox); got != text {
		t.Fatalf("while the notice shows, the box holds %q, want the typed message", got)
	}
	if n := eval[int](alice, visibleNotices); n != 1 {
		t.Fatalf("%d notices are shown for a first message, want one", n)
	}
	if eval[int](alice, `document.querySelectorAll('#chat-ack #chat-confirm').length`) != 1 {
		t.Fatal("the confirmation is not part of the disclosure notice")
	}
	if bob.count("#chat-log .chat-msg") != 0 {
		t.Fatal("the message was published before it was confirmed")
	}
	// Pressing Send in the notice sends the message; the box still holds it until the
	// server's acknowledgement arrives (the click and the read run in one script turn, so
	// no acknowledgement can have been handled in between).
	if got := eval[string](alice, `document.getElementById('chat-confirm-send').click(), `+chatBox); got != text {
		t.Fatalf("right after confirming, the box holds %q; it must keep the text until the acknowledgement", got)
	}
	chatWait(alice, chatShows(text)+` && `+chatBox+` === ''`, "the message in alice's log and her box emptied")
	chatWait(bob, chatShows(text), "the message in bob's browser")
	if !eval[bool](alice, "window.__stoaSamePage === true") {
		t.Fatal("the page reloaded")
	}
	if alice.count(`#chat-ack`) != 0 || alice.count(`.chat-line [data-disclosure="public"]`) != 1 {
		t.Fatal("after the first message the notice did not shrink to the one-line disclosure")
	}
}

// "I understand" pressed after typing records the acknowledgement without leaving the
// page: the typed message stays and goes out with the next Send, unasked.
func TestChatAckButtonKeepsTypedText(t *testing.T) {
	site := stoatest.Start(t)
	site.Member(t, "alice", account.RoleMember)
	b := newBrowser(t)
	alice := openRoom(t, b, site, "alice")
	text := "Typed before reading the notice"
	alice.fill("Message", text)
	alice.do(chromedp.Click(chromedp.CSS("#chat-ack-button"), chromedp.NodeVisible))
	chatWait(alice, `!document.getElementById('chat-ack')`, "the notice to shrink after I understand")
	if !eval[bool](alice, "window.__stoaSamePage === true") {
		t.Fatal("I understand reloaded the page")
	}
	if got := eval[string](alice, chatBox); got != text {
		t.Fatalf("after I understand, the box holds %q", got)
	}
	alice.do(chromedp.Click(chromedp.CSS(`#chat-form button[type="submit"]`), chromedp.NodeVisible))
	chatWait(alice, chatShows(text)+` && `+chatBox+` === ''`, "the message sent without a second question")
	if !eval[bool](alice, `document.getElementById('chat-confirm').hidden`) {
		t.Error("the member was asked again after acknowledging")
	}
	// The acknowledgement was recorded on the server: a fresh page shows the one line.
	alice.open("/chat/general")
	if alice.count("#chat-ack") != 0 {
		t.Error("the acknowledgement was not recorded")
	}
}

// The personal-information hold names what it found and keeps the text in the box;
// editing it out sends the new text, and "Send anyway" sends it as it was.
func TestChatPersonalInformationHoldKeepsText(t *testing.T) {
	site := stoatest.Start(t)
	site.Member(t, "alice", account.RoleMember)
	b := newBrowser(t)
	alice := openRoom(t, b, site, "alice")
	alice.do(chromedp.Click(chromedp.CSS("#chat-ack-button"), chromedp.NodeVisible))
	chatWait(alice, `!document.getElementById('chat-ack')`, "the acknowledgement")

	text := "Write to me at alice.private@example.com"
	chatSend(alice, text)
	chatWait(alice, `!document.getElementById('chat-confirm').hidden`, "the personal-information notice")
	if got := alice.text("#chat-confirm-text b"); got != "email address" {
		t.Errorf("the notice names %q, want the email address", got)
	}
	if got := eval[string](alice, chatBox); got != text {
		t.Fatalf("the held message left the box: %q", got)
	}
	if n := eval[int](alice, visibleNotices); n != 1 {
		t.Fatalf("%d notices are shown, want one", n)
	}
	alice.do(chromedp.Click(chromedp.CSS("#chat-confirm-edit"), chromedp.NodeVisible))
	if got := eval[string](alice, chatBox); got != text {
		t.Fatalf("after Edit message the box holds %q", got)
	}
	edited := "Write to me through the site instead"
	chatSend(alice, edited)
	chatWait(alice, chatShows(edited)+` && `+chatBox+` === ''`, "the edited message")

	chatSend(alice, text)
	chatWait(alice, `!document.getElementById('chat-confirm').hidden`, "the notice again")
	alice.do(chromedp.Click(chromedp.CSS("#chat-confirm-send"), chromedp.NodeVisible))
	chatWait(alice, chatShows("alice.private@example.com")+` && `+chatBox+` === ''`, "the message sent anyway")
}

// A message the server refuses stays in the box, with the reason, ready to be changed.
func TestChatRefusedMessageStaysInBox(t *testing.T) {
	site := stoatest.Start(t)
	site.Member(t, "alice", account.RoleMember)
	b := newBrowser(t)
	alice := openRoom(t, b, site, "alice")
	long := strings.Repeat("word ", 1000)
	chatSend(alice, long)
	chatWait(alice, `document.getElementById('chat-status').classList.contains('error')`, "the refusal")
	if got := eval[string](alice, chatBox); got != long {
		t.Fatalf("the refused message left the box (%d characters remain)", len(got))
	}
	if eval[bool](alice, `document.querySelector('#chat-form textarea').readOnly`) {
		t.Fatal("the box stays locked after the refusal")
	}
	if got := alice.text("#chat-status"); !strings.Contains(got, "Shorten it") {
		t.Errorf("the refusal reads %q", got)
	}
}
