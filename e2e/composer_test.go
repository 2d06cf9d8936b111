package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"stoa/account"
	"stoa/internal/stoatest"
)

// The composer as a Discourse user expects it: a formatting toolbar over the plain
// textarea, a live preview rendered by the server, and a draft kept in this browser
// that survives a reload and a held submission, and is gone once the thread is posted.
func TestComposerToolbarPreviewAndDraft(t *testing.T) {
	site := stoatest.Start(t)
	site.Member(t, "ann", account.RoleMember)
	b := newBrowser(t)
	tab := b.tab(site)
	tab.login("ann")
	tab.open("/c/general/new")
	chatWait(tab, `document.querySelectorAll('.composer-bar button').length === 7`, "the toolbar")

	tab.fill("Title", "Draft title")
	tab.fill("Message", "hello")
	eval[bool](tab, `(() => { const t = document.querySelector('textarea[name=body]'); t.setSelectionRange(0, 5); return true; })()`)
	tab.do(chromedp.Click(chromedp.CSS(`.composer-bar .tool-bold`)))
	if got := eval[string](tab, `document.querySelector('textarea[name=body]').value`); got != "**hello**" {
		t.Fatalf("after Bold the message reads %q", got)
	}
	eval[bool](tab, `(() => { const t = document.querySelector('textarea[name=body]'); t.setSelectionRange(9, 9); return true; })()`)
	tab.do(chromedp.Click(chromedp.CSS(`.composer-bar .tool-list`)))
	if got := eval[string](tab, `document.querySelector('textarea[name=body]').value`); got != "**hello**\n- item" {
		t.Fatalf("after List the message reads %q", got)
	}
	tab.fill("Message", "**hello** world")

	// On a desktop the preview is open and follows the text, rendered by the server.
	chatWait(tab, `(() => { const s = document.querySelector('.composer-preview-body strong');
		return !!s && s.textContent === 'hello'; })()`, "the preview to render bold text")

	// A reload brings the draft back.
	chatWait(tab, `!!localStorage.getItem('stoa:draft:/c/general/new')`, "the draft to be saved")
	tab.open("/c/general/new")
	chatWait(tab, `document.querySelector('textarea[name=body]').value === '**hello** world'`, "the draft to come back after a reload")
	if got := eval[string](tab, `document.querySelector('input[name=title]').value`); got != "Draft title" {
		t.Errorf("the title came back as %q", got)
	}
	if got := tab.text(".composer-draft"); !strings.Contains(got, "in this browser") {
		t.Errorf("the draft note reads %q", got)
	}

	// The preview warns of what the detector will hold; a held post keeps the draft.
	tab.fill("Message", "Write to ann@example.org")
	chatWait(tab, `(() => { const n = document.querySelector('.composer-preview-note');
		return !n.hidden && n.textContent.includes('email address'); })()`, "the preview's warning")
	tab.press("Post")
	if tab.count(`form[data-composer][data-refused]`) != 1 {
		t.Fatal("the post was not held")
	}
	if !eval[bool](tab, `!!localStorage.getItem('stoa:draft:/c/general/new')`) {
		t.Fatal("a held post lost its draft")
	}
	tab.do(chromedp.Click(chromedp.CSS(`input[name="confirm"]`)))
	tab.press("Post")
	if !strings.HasPrefix(tab.path(), "/t/") {
		t.Fatalf("posting ended at %s", tab.path())
	}
	if eval[bool](tab, `!!localStorage.getItem('stoa:draft:/c/general/new')`) {
		t.Error("the draft is still kept after the thread was posted")
	}
	tab.open("/c/general/new")
	if got := eval[string](tab, `document.querySelector('textarea[name=body]').value`); got != "" {
		t.Errorf("a fresh composer after posting holds %q", got)
	}
}

// On a phone the Post button stays on screen while the member types at the top of a
// long composer: it sticks to the bottom of the screen.
func TestComposerPostButtonStaysInReachOnAPhone(t *testing.T) {
	site := stoatest.Start(t)
	site.Member(t, "ann", account.RoleMember)
	b := newBrowser(t)
	tab := b.tab(site)
	tab.login("ann")
	tab.do(chromedp.EmulateViewport(390, 600))
	tab.open("/c/general/new")
	// Scrolling down to the form (here below a long page, as a reply form is below a
	// thread), the bar stays in the form's flow: stuck, it would cover the notice that says
	// the post is public.
	eval[bool](tab, `(() => { const f = document.querySelector('form.composer'); const s = document.createElement('div');
		s.style.height = '2000px'; f.before(s); f.querySelector('.disclosure').scrollIntoView({block: 'end'}); return true; })()`)
	covers := `(() => { const b = document.querySelector('form.composer .actions').getBoundingClientRect();
		const d = document.querySelector('form.composer .disclosure').getBoundingClientRect();
		return b.top < d.bottom && d.top < b.bottom; })()`
	if eval[bool](tab, covers) {
		t.Error("the Post bar covers the public notice while the member scrolls past the form")
	}
	eval[bool](tab, `(() => { const i = document.querySelector('input[name=title]'); i.scrollIntoView({block: 'start'}); i.focus(); return true; })()`)
	visible := `(() => { const b = [...document.querySelectorAll('form.composer button[type=submit]')].find(x => x.textContent.trim() === 'Post');
		const r = b.getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight; })()`
	chatWait(tab, visible, "the Post button to be on screen")
	if got := eval[string](tab, `getComputedStyle(document.querySelector('form.composer .actions')).position`); got != "sticky" {
		t.Errorf("the composer's actions are %s, not sticky", got)
	}
}
