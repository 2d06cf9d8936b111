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

func TestUnreadMarkersMoveAsAMemberReads(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	bob := site.Member(t, "bob", account.RoleMember)
	// Threads started before a member joined are not new to them; bob joined long ago.
	xExec(t, site, "update users set created_at = created_at - 3600 where username = 'bob'")
	thread := xThread(t, alice, "general", "Reading club", "First book: Middlemarch.")
	first := xFirstPost(t, site, thread)

	unread := func(c *stoatest.Client, path string) (bool, string) {
		t.Helper()
		row := c.Doc(path, http.StatusOK).Find(".thread-row").FilterFunction(func(_ int, s *goquery.Selection) bool {
			return strings.Contains(s.Find(".title").Text(), "Reading club")
		})
		href, _ := row.Find("a.new").Attr("href")
		return row.HasClass("unread"), href
	}
	if u, href := unread(bob, "/"); !u || href != fmt.Sprintf("/p/%d", first) {
		t.Errorf("new thread: unread %v, link %q", u, href)
	}
	if u, _ := unread(alice, "/"); u {
		t.Error("alice's own thread is unread to her")
	}
	if u, _ := unread(site.Anonymous(t), "/"); u {
		t.Error("an anonymous reader sees unread markers")
	}

	bob.Get(fmt.Sprintf("/p/%d", first))
	if u, _ := unread(bob, "/c/general"); u {
		t.Error("after reading, the thread is still unread")
	}

	second := xReply(t, alice, thread, "Chapter one is slow.")
	xReply(t, alice, thread, "Chapter two is better.")
	u, href := unread(bob, "/c/general")
	if !u || href != fmt.Sprintf("/p/%d", second) {
		t.Errorf("after two replies: unread %v, link %q, want /p/%d", u, href, second)
	}
	bob.Get(href)
	if u, _ := unread(bob, "/"); u {
		t.Error("after following the link, the thread is still unread")
	}

	// Replying marks the thread read for the one who replied.
	xReply(t, alice, thread, "Chapter three?")
	xReply(t, bob, thread, "Not yet.")
	if u, _ := unread(bob, "/"); u {
		t.Error("bob's own reply left the thread unread to him")
	}

	// Mark all as read clears every marker.
	carol := site.Member(t, "carol", account.RoleMember)
	xExec(t, site, "update users set created_at = created_at - 3600 where username = 'carol'")
	if u, _ := unread(carol, "/"); !u {
		t.Fatal("the thread is not unread to carol")
	}
	carol.PostForm("/read-all", url.Values{"next": {"/c/general"}})
	if carol.Path() != "/c/general" {
		t.Errorf("mark all read returned to %s", carol.Path())
	}
	if u, _ := unread(carol, "/"); u {
		t.Error("after mark all read, the thread is still unread to carol")
	}
}
