package chat_test

import (
	"context"
	"net/http"
	"testing"

	"stoa/account"
	"stoa/storage"
)

// BenchmarkRoomPageWithUnread measures the room page of a member who is 20,000 messages
// behind in another room: the sidebar counts them on every page view.
// Run with: go test -tags sqlite_fts5 -run '^$' -bench RoomPageWithUnread ./chat/
func BenchmarkRoomPageWithUnread(b *testing.B) {
	s := newSite(b)
	ctx := context.Background()
	admin, ann := s.member("root", account.RoleAdmin), s.member("ann", account.RoleMember)
	garden, err := s.chat.CreateRoom(ctx, admin.user, "garden", "Garden", "")
	if err != nil {
		b.Fatal(err)
	}
	ann.doc("/chat/general", http.StatusOK) // ann starts caught up
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		for i := range 20000 {
			if _, err := tx.Exec(`insert into chat_messages(room_id, author_id, source, html, created_at) values (?, ?, 'hi', '<p>hi</p>', ?)`,
				garden.ID, admin.user.ID, 1700000000+i); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if got := unreadIn(ann.doc("/chat/general", http.StatusOK))["/chat/garden"]; got != "99+" {
		b.Fatalf("garden shows %q unread", got)
	}
	b.Run("20000 unread", func(b *testing.B) {
		for b.Loop() {
			ann.get("/chat/general")
		}
	})
	ann.get("/chat/garden")
	b.Run("caught up", func(b *testing.B) {
		for b.Loop() {
			ann.get("/chat/general")
		}
	})
}
