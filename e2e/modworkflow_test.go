package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"stoa/account"
	"stoa/internal/stoatest"
)

// modThread starts a thread as c and returns its path.
func modThread(t *testing.T, c *stoatest.Client, title, body string) string {
	t.Helper()
	tok := c.FormToken("/c/general/new")
	c.PostForm("/c/general/new", url.Values{"title": {title}, "body": {body}, "token": {tok}})
	if c.Last.StatusCode != http.StatusOK {
		t.Fatalf("new thread: %d", c.Last.StatusCode)
	}
	return c.Path()
}

// modReply replies as c in the thread at path and returns the new post's id.
func modReply(t *testing.T, c *stoatest.Client, path, body string) string {
	t.Helper()
	tok := c.FormToken(path)
	id := strings.Split(strings.TrimPrefix(path, "/t/"), "/")[0]
	c.PostForm("/t/"+id+"/reply", url.Values{"body": {body}, "token": {tok}})
	last, _ := c.Parse().Find("li.post").Last().Attr("id")
	return strings.TrimPrefix(last, "p")
}

// modCurrent is the index of the queue item the keys selected, -1 for none.
func modCurrent(tb *tab) int {
	return eval[int](tb, `[...document.querySelectorAll('.mod-item')].findIndex(e => e.classList.contains('is-current'))`)
}

// TestModQueueKeyboardFlow: a moderator works the queue from the keyboard: j and k move
// between items, x ticks one for the bulk action, o opens it; on its page, after choosing
// "hide", a applies it and the next item of the queue opens.
func TestModQueueKeyboardFlow(t *testing.T) {
	site := stoatest.Start(t)
	bob := site.Member(t, "bob", account.RoleMember)
	alice := site.Member(t, "alice", account.RoleMember)
	carol := site.Member(t, "carol", account.RoleMember)
	site.Member(t, "mia", account.RoleModerator)
	thread := modThread(t, bob, "Garden", "Show your tomatoes.")
	first := modReply(t, alice, thread, "Ugly tomatoes.")
	second := modReply(t, alice, thread, "Ugly gardener.")
	third := modReply(t, carol, thread, "Buy seeds at example.com")
	for _, p := range []string{first, second, third} {
		bob.PostForm("/report", url.Values{"kind": {"post"}, "id": {p}, "reason": {"harassment"}})
	}

	b := newBrowser(t)
	mod := b.tab(site)
	mod.login("mia")
	mod.open("/mod")
	if n := mod.count(".mod-item"); n != 3 {
		t.Fatalf("%d items in the queue, want 3", n)
	}
	modShot(mod, "queue-grouped")
	if eval[bool](mod, `document.querySelector('.mod-keys').hidden`) {
		t.Error("the keys are not explained on the queue although its script runs")
	}
	key := func(k string) { mod.do(chromedp.KeyEvent(k)) }
	wait := func(js, what string) { chatWait(mod, js, what) }
	key("j")
	wait(`document.querySelectorAll('.mod-item')[0].classList.contains('is-current')`, "j to select the first item")
	key("j")
	wait(`document.querySelectorAll('.mod-item')[1].classList.contains('is-current')`, "j to move to the second item")
	key("k")
	wait(`document.querySelectorAll('.mod-item')[0].classList.contains('is-current')`, "k to move back to the first item")
	if got := modCurrent(mod); got != 0 {
		t.Fatalf("current item %d, want 0", got)
	}
	key("x")
	wait(`document.querySelectorAll('.mod-item input[name=item]')[0].checked`, "x to tick the first item")
	key("x")
	wait(`!document.querySelectorAll('.mod-item input[name=item]')[0].checked`, "x to untick it")

	mod.follow(chromedp.KeyEvent("o"))
	if p := mod.path(); !strings.HasPrefix(p, "/mod/review/post/"+first) {
		t.Fatalf("o opened %s, want the first item's review page", p)
	}
	if eval[bool](mod, `document.querySelector('input[name=send_notice]').checked`) {
		mod.do(chromedp.Click(chromedp.CSS(`input[name=send_notice]`), chromedp.NodeVisible)) // untick the suggested notice
		if eval[bool](mod, `document.querySelector('input[name=send_notice]').checked`) {
			t.Fatal("the suggested notice stays ticked")
		}
	}
	modTick(mod, `input[name=hide]`)
	modShot(mod, "review-keys")
	mod.follow(chromedp.KeyEvent("a"))
	if p := mod.path(); !strings.HasPrefix(p, "/mod/review/post/"+second) {
		t.Fatalf("after a, at %s, want the next item (post %s)", p, second)
	}
	if !strings.Contains(mod.text("main"), "This is the next item in the queue") {
		t.Error("the next item's page does not say the action was done")
	}
	// The key does nothing while typing in a field.
	mod.do(chromedp.Focus(chromedp.CSS(`textarea[name=notice]`)))
	key("a")
	if p := mod.path(); !strings.HasPrefix(p, "/mod/review/post/"+second) {
		t.Fatalf("typing “a” in the notice submitted the form: at %s", p)
	}
	anon := site.Anonymous(t)
	if anon.Doc(thread, http.StatusOK).Find("li#p"+first+".is-hidden").Length() != 1 {
		t.Error("the first post is not hidden after applying with a")
	}

	// The grouped queue fits a phone, in the dark too.
	setScheme(mod, "dark")
	mod.do(chromedp.EmulateViewport(390, 844))
	mod.open("/mod")
	if w := eval[int](mod, "document.documentElement.scrollWidth"); w > 390 {
		t.Errorf("the queue is %d px wide on a 390 px phone", w)
	}
	modShot(mod, "queue-phone-dark")
}

// TestModInlineHideInThread: a moderator hides a post from the thread itself, without a
// report, and stays on the thread, which now shows the post hidden and offers to show it.
func TestModInlineHideInThread(t *testing.T) {
	site := stoatest.Start(t)
	bob := site.Member(t, "bob", account.RoleMember)
	alice := site.Member(t, "alice", account.RoleMember)
	site.Member(t, "mia", account.RoleModerator)
	thread := modThread(t, bob, "Garden", "Show your tomatoes.")
	post := modReply(t, alice, thread, "Buy seeds at example.com")

	b := newBrowser(t)
	mod := b.tab(site)
	mod.login("mia")
	mod.open(thread)
	btn := `li#p` + post + ` .post-mod button`
	if got := mod.text(btn); got != "Hide" {
		t.Fatalf("inline control %q, want Hide", got)
	}
	mod.follow(chromedp.Click(chromedp.CSS(btn), chromedp.NodeVisible))
	if p := mod.path(); !strings.HasPrefix(p, "/t/") {
		t.Fatalf("after hiding, at %s, want the thread", p)
	}
	if mod.count(`li#p`+post+`.is-hidden`) != 1 || mod.text(btn) != "Show again" {
		t.Errorf("the post is not shown hidden to the moderator: %s", mod.text(`li#p`+post))
	}
	modShot(mod, "inline-hide")
	if site.Anonymous(t).Doc(thread, http.StatusOK).Find("li#p"+post+".is-hidden").Length() != 1 {
		t.Error("the public still sees the post")
	}
}
