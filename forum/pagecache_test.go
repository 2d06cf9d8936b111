package forum_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"stoa/account"
	"stoa/internal/stoatest"
)

// TestCachedThreadPageIsNeverStale reads a thread page anonymously twice before each kind
// of change (so that the second read comes from the page cache), then checks that the
// very next anonymous read shows the change.
func TestCachedThreadPageIsNeverStale(t *testing.T) {
	site := stoatest.Start(t)
	admin := site.Member(t, "ada", account.RoleAdmin)
	admin.PostForm("/admin/categories", url.Values{"name": {"Archive"}, "slug": {"archive"}})
	mod := site.Member(t, "mia", account.RoleModerator)
	alice := site.Member(t, "alice", account.RoleMember)
	bob := site.Member(t, "bob", account.RoleMember)
	thread := xThread(t, alice, "general", "Cached thread", "Opening words.")
	path := fmt.Sprintf("/t/%d/cached-thread", thread)
	anon := site.Anonymous(t)

	read := func() string {
		t.Helper()
		resp := anon.Get(path)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("Content-Type %q", ct)
		}
		if cl := resp.Header.Get("Content-Length"); cl != fmt.Sprint(len(anon.Body)) {
			t.Errorf("Content-Length %s for a body of %d bytes", cl, len(anon.Body))
		}
		return anon.Body
	}
	warm := func() string {
		t.Helper()
		first, second := read(), read()
		if first != second {
			t.Fatalf("two anonymous reads with no write between differ")
		}
		return second
	}
	check := func(step string, change func(), want ...string) {
		t.Helper()
		before := warm()
		change()
		after := read()
		if after == before {
			t.Errorf("%s: the anonymous page did not change", step)
		}
		for _, w := range want {
			if !strings.Contains(after, w) {
				t.Errorf("%s: the anonymous page lacks %q", step, w)
			}
		}
	}

	var reply int64
	check("reply", func() { reply = xReply(t, bob, thread, "A fresh reply.") }, "A fresh reply.")
	check("edit", func() {
		bob.PostForm(fmt.Sprintf("/p/%d/edit", reply), url.Values{"body": {"An edited reply."}})
	}, "An edited reply.", "edited")
	check("reaction", func() {
		alice.PostForm(fmt.Sprintf("/p/%d/react", reply), url.Values{"kind": {"heart"}, "on": {"1"}})
	})
	check("hide by moderators", func() {
		mod.PostForm(fmt.Sprintf("/mod/review/post/%d", reply), url.Values{"do": {"apply"}, "hide": {"1"}, "reason": {"test"}})
	}, "Hidden by moderators")
	if strings.Contains(read(), "An edited reply.") {
		t.Error("the hidden reply's text is still shown to the public")
	}
	check("unhide by moderators", func() {
		mod.PostForm(fmt.Sprintf("/mod/review/post/%d", reply), url.Values{"do": {"apply"}, "unhide": {"1"}, "reason": {"test"}})
	}, "An edited reply.")
	manage := func(form url.Values) func() {
		return func() { mod.PostForm(fmt.Sprintf("/t/%d/manage", thread), form) }
	}
	check("pin", manage(url.Values{"action": {"thread.pin"}}), "Pinned")
	check("close", manage(url.Values{"action": {"thread.close"}}), "Closed")
	check("move", manage(url.Values{"action": {"thread.move"}, "category": {"archive"}}), `href="/c/archive"`)
	check("category rename", func() {
		id := queryInt(t, site, "select id from categories where slug = 'archive'")
		admin.PostForm("/admin/categories", url.Values{"id": {fmt.Sprint(id)}, "name": {"Old stuff"}, "slug": {"archive"}})
	}, "Old stuff")
	check("reopen", manage(url.Values{"action": {"thread.reopen"}}))
	check("delete", func() { bob.PostForm(fmt.Sprintf("/p/%d/delete", reply), nil) }, "This post was deleted.")
	check("account deletion", func() {
		alice.PostForm("/me/delete", url.Values{"password": {"password-alice"}, "content": {"anonymise"}})
	}, "former-member")

	// A write by any package, straight through the database, counts too.
	check("direct write", func() {
		xExec(t, site, "update posts set html = '<p>Rewritten elsewhere.</p>' where thread_id = ? and number = 1", thread)
	}, "Rewritten elsewhere.")
}
