package forum_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"stoa/account"
	"stoa/internal/stoatest"
)

func TestReactionsAreIdempotent(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	bob := site.Member(t, "bob", account.RoleMember)
	carol := site.Member(t, "carol", account.RoleMember)
	mod := site.Member(t, "mia", account.RoleModerator)
	thread := xThread(t, alice, "general", "Reactions", "React to me.")
	post := xFirstPost(t, site, thread)
	react := func(c *stoatest.Client, kind, on string) int {
		c.PostForm(fmt.Sprintf("/p/%d/react", post), url.Values{"kind": {kind}, "on": {on}})
		return c.Last.StatusCode
	}
	count := func(c *stoatest.Client, kind string) (string, string) {
		t.Helper()
		b := c.Doc(fmt.Sprintf("/t/%d", thread), http.StatusOK).Find(fmt.Sprintf("#p%d .reactions > form", post)).
			FilterFunction(func(_ int, s *goquery.Selection) bool {
				return s.Find(`input[name="kind"]`).AttrOr("value", "") == kind
			}).
			Find("button")
		pressed, _ := b.Attr("aria-pressed")
		b = b.Clone()
		b.Find(".visually-hidden").Remove()
		return strings.TrimSpace(b.Text()), pressed
	}

	react(bob, "like", "1")
	react(bob, "like", "1") // a double-click or a resent form
	if n, pressed := count(bob, "like"); n != "1" || pressed != "true" {
		t.Errorf("after bob liked twice: %q, pressed %q; want 1, true", n, pressed)
	}
	react(carol, "like", "1")
	if n, pressed := count(alice, "like"); n != "2" || pressed != "false" {
		t.Errorf("after carol liked: %q, pressed %q for alice; want 2, false", n, pressed)
	}
	react(bob, "like", "0")
	react(bob, "like", "0")
	if n, _ := count(bob, "like"); n != "1" {
		t.Errorf("after bob took his like back twice: %q, want 1", n)
	}
	if status := react(bob, "angry", "1"); status != http.StatusBadRequest {
		t.Errorf("unknown reaction: status %d", status)
	}
	reader := site.Anonymous(t)
	reader.PostForm(fmt.Sprintf("/p/%d/react", post), url.Values{"kind": {"like"}, "on": {"1"}})
	if !strings.HasPrefix(reader.Path(), "/login") {
		t.Errorf("anonymous reaction ended at %s", reader.Path())
	}
	if doc := reader.Doc(fmt.Sprintf("/t/%d", thread), http.StatusOK); doc.Find(".reactions form").Length() != 0 ||
		!strings.Contains(doc.Find(".reactions .reaction").Text(), "1") {
		t.Error("readers should see counts without buttons")
	}

	mod.PostForm(fmt.Sprintf("/t/%d/manage", thread), url.Values{"action": {"thread.close"}})
	if status := react(bob, "heart", "1"); status != http.StatusForbidden {
		t.Errorf("reaction in a closed thread: status %d", status)
	}
}
