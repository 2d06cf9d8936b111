package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"stoa/account"
	"stoa/internal/stoatest"
)

// Erasing an account in the browser (issue 16, bug 4): the delete page says what stays,
// and afterwards the quote of the erased post in bob's reply reads "[removed]", the
// mention no longer links, and the thread still counts bob's reply.
func TestEraseInBrowserRemovesQuotes(t *testing.T) {
	site := stoatest.Start(t)
	site.Member(t, "alice", account.RoleMember)
	site.Member(t, "bob", account.RoleMember)
	b := newBrowser(t)
	alice, bob := b.tab(site), b.tab(site)
	alice.login("alice")
	bob.login("bob")

	words := "Let us move the garden party to Sunday afternoon"
	alice.open("/c/general/new")
	alice.fill("Title", "Garden party")
	alice.fill("Message", words+".")
	alice.press("Post")
	thread := alice.path()

	bob.open(thread)
	bob.follow(chromedp.Click(chromedp.Search(`//a[normalize-space(.)='Quote']`), chromedp.NodeVisible))
	body := eval[string](bob, `document.querySelector('form#reply textarea[name=body]').value`)
	if !strings.Contains(body, words) {
		t.Fatalf("the quote-reply form holds %q", body)
	}
	bob.fill("Message", body+"Sunday suits me.")
	bob.press("Reply")
	if n := bob.count(`.post blockquote`); n != 1 || !strings.Contains(bob.text(".post blockquote"), words) {
		t.Fatalf("bob's reply shows %d quotes", n)
	}

	alice.open("/me/delete")
	if got := alice.text("[data-what-remains]"); !strings.Contains(got, "replies") {
		t.Errorf("the delete page says %q about what stays", got)
	}
	alice.do(chromedp.Click(chromedp.CSS(`input[name=content][value=erase]`), chromedp.NodeVisible))
	alice.fill("Password", "password-alice")
	alice.press("Delete my account")

	bob.open(thread)
	if got := bob.text(".post blockquote"); strings.TrimSpace(got) != "[removed]" {
		t.Errorf("after the erasure the quote reads %q", got)
	}
	if strings.Contains(eval[string](bob, "document.body.innerText"), words) {
		t.Error("the erased words are still on the thread page")
	}
	if n := bob.count(`a[href="/u/alice"]`); n != 0 {
		t.Errorf("%d links to alice's profile remain", n)
	}
	bob.open("/c/general")
	// The thread lost its title and so its slug: find it by its number.
	prefix := thread[:strings.LastIndex(thread, "/")+1]
	row := `[...document.querySelectorAll('.thread-row')].find(r => r.querySelector('a[href^="` + prefix + `"]'))`
	if got := eval[string](bob, row+`.querySelector('.thread-stats > span').innerText`); strings.Join(strings.Fields(got), " ") != "1 reply" {
		t.Errorf("the thread lists %q, want 1 reply", got)
	}
}
