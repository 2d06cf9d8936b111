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

func TestModeratorsPinCloseAndMoveThreads(t *testing.T) {
	site := stoatest.Start(t)
	admin := site.Member(t, "ada", account.RoleAdmin)
	admin.PostForm("/admin/categories", url.Values{"name": {"Archive"}, "slug": {"archive"}})
	mod := site.Member(t, "mia", account.RoleModerator)
	alice := site.Member(t, "alice", account.RoleMember)
	older := xThread(t, alice, "general", "Older thread", "Old news.")
	xThread(t, alice, "general", "Newer thread", "New news.")
	manage := func(c *stoatest.Client, thread int64, form url.Values) int {
		c.PostForm(fmt.Sprintf("/t/%d/manage", thread), form)
		return c.Last.StatusCode
	}

	// Members see no controls and cannot use the route.
	if doc := alice.Doc(fmt.Sprintf("/t/%d", older), http.StatusOK); doc.Find(".staff-tools").Length() != 0 {
		t.Error("a member sees the moderation controls")
	}
	if status := manage(alice, older, url.Values{"action": {"thread.pin"}}); status != http.StatusForbidden {
		t.Errorf("member pinning: status %d", status)
	}
	reader := site.Anonymous(t)
	reader.PostForm(fmt.Sprintf("/t/%d/manage", older), url.Values{"action": {"thread.pin"}})
	if !strings.HasPrefix(reader.Path(), "/login") {
		t.Errorf("anonymous pinning ended at %s", reader.Path())
	}

	doc := mod.Doc(fmt.Sprintf("/t/%d", older), http.StatusOK)
	if doc.Find(`.staff-tools button[value="thread.pin"]`).Length() != 1 || doc.Find(`.staff-tools select[name="category"] option`).Length() != 2 {
		t.Fatal("the moderator does not see pin and move controls")
	}

	// Pin: the older thread comes first in its category.
	if status := manage(mod, older, url.Values{"action": {"thread.pin"}, "reason": {"FAQ"}}); status != http.StatusOK {
		t.Fatalf("pin: status %d", status)
	}
	first := reader.Doc("/c/general", http.StatusOK).Find(".thread-row .title").First().Text()
	if !strings.Contains(first, "Older thread") || !strings.Contains(first, "Pinned") {
		t.Errorf("first row after pinning: %q", first)
	}

	// Close: members can no longer reply; staff can; reopening lets members reply again.
	manage(mod, older, url.Values{"action": {"thread.close"}})
	alice.PostForm(fmt.Sprintf("/t/%d/reply", older), url.Values{"body": {"Can I still reply?"}, "token": {account.NewToken()}})
	if alice.Last.StatusCode != http.StatusForbidden {
		t.Errorf("reply to a closed thread: status %d", alice.Last.StatusCode)
	}
	if doc := mod.Doc(fmt.Sprintf("/t/%d", older), http.StatusOK); doc.Find(`button[value="thread.reopen"]`).Length() != 1 {
		t.Error("a closed thread offers no way to reopen it")
	}
	manage(mod, older, url.Values{"action": {"thread.reopen"}})
	xReply(t, alice, older, "Open again.")

	// Move: the thread leaves general for the archive.
	if status := manage(mod, older, url.Values{"action": {"thread.move"}, "category": {"archive"}}); status != http.StatusOK {
		t.Fatalf("move: status %d", status)
	}
	if strings.Contains(reader.Doc("/c/general", http.StatusOK).Text(), "Older thread") ||
		!strings.Contains(reader.Doc("/c/archive", http.StatusOK).Text(), "Older thread") {
		t.Error("the moved thread is not (only) in the archive")
	}

	for _, bad := range []url.Values{{"action": {"thread.move"}, "category": {"nowhere"}}, {"action": {"explode"}},
		{"action": {"thread.pin"}, "reason": {strings.Repeat("x", 501)}}} {
		if status := manage(mod, older, bad); status != http.StatusUnprocessableEntity {
			t.Errorf("%v: status %d, want 422", bad, status)
		}
	}
}
