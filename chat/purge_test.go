package chat_test

import (
	"context"
	"testing"
	"time"

	"stoa/account"
	"stoa/chat"
)

// A message its author deletes loses its text at once; one staff deleted keeps it for
// the moderators until the retention purge (P3, issue 16).
func TestDeletedMessagesLoseTheirText(t *testing.T) {
	s := newSite(t)
	alice := s.member("alice", account.RoleMember)
	ctx := context.Background()
	own, err := s.chat.Send(ctx, alice.user, s.general, chat.Input{Body: "mine to take back", Confirm: true})
	if err != nil {
		t.Fatal(err)
	}
	staff, err := s.chat.Send(ctx, alice.user, s.general, chat.Input{Body: "against the rules", Confirm: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.chat.Delete(ctx, alice.user, own.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.chat.DeleteByStaff(ctx, staff.ID); err != nil {
		t.Fatal(err)
	}
	text := "select count(*) from chat_messages where id = ? and (source != '' or html != '')"
	indexed := "select count(*) from chat_search where rowid = ?"
	if s.count(text, own.ID)+s.count(indexed, own.ID) != 0 {
		t.Error("a message its author deleted keeps its text or its place in the search index")
	}
	if s.count(text, staff.ID) != 1 {
		t.Error("a message staff deleted lost its text before the moderators could review it")
	}
	if err := s.chat.PurgeDeleted(ctx, time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if s.count(text, staff.ID)+s.count(indexed, staff.ID) != 0 {
		t.Error("the purge left the staff-deleted message's text")
	}
}
