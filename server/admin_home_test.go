package server_test

import (
	"net/http"
	"testing"

	"stoa/account"
	"stoa/internal/stoatest"
)

// The administration dashboard links to every tool an admin has, chat rooms included
// (issue 16, point 6: where rooms are managed was not findable from /admin).
func TestAdminHomeLinksChatRooms(t *testing.T) {
	site := stoatest.Start(t)
	root := site.Member(t, "root", account.RoleAdmin)
	doc := root.Doc("/admin", http.StatusOK)
	if got := doc.Find(`.admin-links a[href="/chat/admin"]`).Text(); got != "Chat rooms" {
		t.Errorf("/admin links chat rooms as %q", got)
	}
	if doc.Find(`.admin-links a[href="/admin/categories"]`).Length() != 1 {
		t.Error("/admin lost its categories link")
	}
}
