package e2e

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"stoa/account"
	"stoa/internal/stoatest"
)

// chatMsgID returns the id of the newest message in the tab's log whose text holds text.
func chatMsgID(tb *tab, text string) string {
	tb.t.Helper()
	return eval[string](tb, `(() => { const m = [...document.querySelectorAll('#chat-log .chat-msg:not(.pending)')]
		.filter(e => e.querySelector('.chat-body').textContent.includes(`+quoteJS(text)+`)).pop(); return m ? m.id : ''; })()`)
}

// Chat as a Discord user expects it: messages grouped by author, Up arrow edits the last
// one in place, Delete asks first, and a moderator deletes someone else's message in
// place, with the deletion in the audit log.
func TestChatInlineEditDeleteAndModeratorDelete(t *testing.T) {
	site := stoatest.Start(t)
	annHTTP := site.Member(t, "ann", account.RoleMember)
	monaHTTP := site.Member(t, "mona", account.RoleModerator)
	for _, c := range []*stoatest.Client{annHTTP, monaHTTP} {
		c.PostForm("/chat/general/ack", nil)
	}
	b := newBrowser(t)
	ann, mona := b.tab(site), b.tab(site)
	ann.login("ann")
	mona.login("mona")
	live := `document.getElementById('chat').classList.contains('is-live')`
	for _, tb := range []*tab{ann, mona} {
		tb.open("/chat/general")
		chatWait(tb, live, "the room page to connect")
	}

	chatSend(ann, "first thought")
	chatWait(ann, chatShows("first thought")+` && !document.querySelector('#chat-log .pending')`, "the first message")
	chatSend(ann, "second thougth")
	chatWait(mona, chatShows("second thougth"), "the second message at mona's")
	second := chatMsgID(mona, "second thougth")
	if !eval[bool](mona, `document.getElementById(`+quoteJS(second)+`).classList.contains('grouped')`) {
		t.Error("ann's second message, moments after her first, is not grouped with it")
	}

	// Up arrow in the empty box edits the last message in place; Enter saves.
	ann.do(chromedp.Focus(chromedp.CSS(`#chat-form textarea`)), chromedp.KeyEvent(kb.ArrowUp))
	editor := `#` + second + ` .chat-editor textarea`
	chatWait(ann, `(() => { const t = document.querySelector(`+quoteJS(editor)+`); return !!t && !t.disabled && t.value === 'second thougth'; })()`, "the editor with the message's text")
	eval[bool](ann, `(() => { const t = document.querySelector(`+quoteJS(editor)+`); t.value = 'second thought'; return true; })()`)
	ann.do(chromedp.KeyEvent(kb.Enter))
	edited := `(() => { const m = document.getElementById(` + quoteJS(second) + `); return !!m && !m.querySelector('.chat-editor') &&
		m.querySelector('.chat-body').textContent.includes('second thought') && !!m.querySelector('.chat-edited'); })()`
	chatWait(ann, edited, "the edit in ann's page")
	chatWait(mona, edited, "the edit in mona's page")

	// Delete asks first; Cancel keeps the message.
	first := chatMsgID(ann, "first thought")
	ann.do(chromedp.Click(chromedp.CSS(`#`+first+` a.chat-delete`), chromedp.NodeReady))
	chatWait(ann, `!!document.querySelector('#`+first+` .chat-ask')`, "the question before deleting")
	ann.do(chromedp.Click(chromedp.Search(`//*[@id="` + first + `"]//button[normalize-space(.)="Cancel"]`)))
	if ann.count(`#`+first) != 1 || ann.count(`#`+first+` .chat-ask`) != 0 {
		t.Fatal("Cancel did not keep the message")
	}
	ann.do(chromedp.Click(chromedp.CSS(`#`+first+` a.chat-delete`), chromedp.NodeReady))
	ann.do(chromedp.Click(chromedp.Search(`//*[@id="` + first + `"]//button[normalize-space(.)="Delete"]`)))
	gone := `!document.getElementById(` + quoteJS(first) + `)`
	chatWait(ann, gone, "the deleted message to leave ann's page")
	chatWait(mona, gone, "the deleted message to leave mona's page")
	if eval[bool](mona, `document.getElementById(`+quoteJS(second)+`).classList.contains('grouped')`) {
		t.Error("with the first message gone, the second still hides its author")
	}

	// A moderator deletes ann's remaining message in place.
	mona.do(chromedp.Click(chromedp.CSS(`#`+second+` a.chat-mod-delete`), chromedp.NodeReady))
	chatWait(mona, `!!document.querySelector('#`+second+` .chat-ask')`, "the moderator's question")
	if got := mona.text(`#` + second + ` .chat-ask`); !strings.Contains(got, "moderation log") {
		t.Errorf("the moderator is asked %q", got)
	}
	mona.do(chromedp.Click(chromedp.Search(`//*[@id="` + second + `"]//button[normalize-space(.)="Delete"]`)))
	gone = `!document.getElementById(` + quoteJS(second) + `)`
	chatWait(mona, gone, "the message to leave mona's page")
	chatWait(ann, gone, "the moderator's deletion to reach ann's page")
	var actor string
	id := strings.TrimPrefix(second, "m")
	if err := site.App.DB().Read().QueryRow(`select actor_name from audit_log where action = 'delete_message' and target_id = ?`, id).Scan(&actor); err != nil || actor != "mona" {
		t.Errorf("the moderator's deletion is not audited: %q %v", actor, err)
	}
}

// The room list beside the log counts what the member has not read in other rooms; it
// goes when they open the room.
func TestChatSidebarShowsUnreadRooms(t *testing.T) {
	site := stoatest.Start(t)
	root := site.Member(t, "root", account.RoleAdmin)
	bob := site.Member(t, "bob", account.RoleMember)
	site.Member(t, "ann", account.RoleMember)
	root.PostForm("/chat/admin/rooms", url.Values{"slug": {"garden"}, "name": {"Garden"}})
	b := newBrowser(t)
	ann := b.tab(site)
	ann.login("ann")
	ann.open("/chat/general")
	for i := range 3 {
		bob.PostForm("/chat/garden/messages", url.Values{"body": {fmt.Sprintf("garden news %d", i)}, "token": {account.NewToken()}, "confirm": {"1"}})
	}
	ann.open("/chat/general")
	badge := `(() => { const b = document.querySelector('.chat-room-nav a[href="/chat/garden"] .unread-count'); return b ? b.firstChild.textContent.trim() : ''; })()`
	if got := eval[string](ann, badge); got != "3" {
		t.Fatalf("garden's unread count reads %q, want 3", got)
	}
	ann.follow(chromedp.Click(chromedp.CSS(`.chat-room-nav a[href="/chat/garden"]`)))
	if got := eval[string](ann, badge); got != "" {
		t.Errorf("after opening garden its count reads %q", got)
	}
}
