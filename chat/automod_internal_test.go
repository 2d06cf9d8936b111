package chat

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"stoa/account"
	"stoa/storage"
	"stoa/watchwords"
	"stoa/web"
)

// Chat's share of the automatic first line, at the service.

func automodUsers(t *testing.T, db *storage.DB) (member, mod *account.User) {
	t.Helper()
	ctx := context.Background()
	store := account.NewStore(db)
	member, err := account.AddUser(ctx, store, "sam", "password-sam", account.RoleMember)
	if err != nil {
		t.Fatal(err)
	}
	if mod, err = account.AddUser(ctx, store, "mia", "password-mia", account.RoleModerator); err != nil {
		t.Fatal(err)
	}
	return member, mod
}

func generalRoom(t *testing.T, svc *Service) *Room {
	t.Helper()
	r, err := svc.store.RoomBySlug(context.Background(), "general")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Slow mode counts from the member's last message and says how long is left; staff are
// exempt; a frozen room refuses members with the frozen code; only staff set either.
func TestSlowModeAndFreezeAtTheService(t *testing.T) {
	svc, db := internalService(t, nil)
	ctx := context.Background()
	sam, mia := automodUsers(t, db)
	room := generalRoom(t, svc)
	if err := svc.SetRoomMode(ctx, sam, room, 30, false); !errors.Is(err, errNotStaff) {
		t.Fatalf("a member set slow mode: %v", err)
	}
	if err := svc.SetRoomMode(ctx, mia, room, 30, false); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	svc.now = func() time.Time { return start }
	room, _ = svc.roomByID(ctx, room.ID)
	if _, err := svc.Send(ctx, sam, room, Input{Body: "one", Confirm: true}); err != nil {
		t.Fatal(err)
	}
	svc.now = func() time.Time { return start.Add(10 * time.Second) }
	_, err := svc.Send(ctx, sam, room, Input{Body: "two", Confirm: true})
	e := web.AsError(err)
	if e == nil || codeFor(e) != CodeSlowMode || e.RetryAfter < 19*time.Second || e.RetryAfter > 21*time.Second {
		t.Fatalf("10 s into a 30 s slow mode: %v (retry after %v)", err, e)
	}
	if _, err := svc.Send(ctx, mia, room, Input{Body: "staff one", Confirm: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Send(ctx, mia, room, Input{Body: "staff two", Confirm: true}); err != nil {
		t.Errorf("staff in slow mode: %v", err)
	}
	svc.now = func() time.Time { return start.Add(31 * time.Second) }
	if _, err := svc.Send(ctx, sam, room, Input{Body: "two", Confirm: true}); err != nil {
		t.Errorf("after the interval: %v", err)
	}

	if err := svc.SetRoomMode(ctx, mia, room, 0, true); err != nil {
		t.Fatal(err)
	}
	room, _ = svc.roomByID(ctx, room.ID)
	_, err = svc.Send(ctx, sam, room, Input{Body: "three", Confirm: true})
	if e := web.AsError(err); e == nil || codeFor(e) != CodeFrozen {
		t.Errorf("a member in a frozen room: %v", err)
	}
	if _, err := svc.Send(ctx, mia, room, Input{Body: "staff three", Confirm: true}); err != nil {
		t.Errorf("staff in a frozen room: %v", err)
	}
}

// A held message is stored apart, reaches nobody, is in its author's export and goes
// with their account; approved, it is published after every message already sent.
func TestHeldMessagesWaitAndBelongToTheirAuthor(t *testing.T) {
	svc, db := internalService(t, nil)
	ctx := context.Background()
	sam, mia := automodUsers(t, db)
	room := generalRoom(t, svc)
	noRecord := func(*storage.Tx, watchwords.Actor, string) error { return nil }
	if err := svc.words.Add(ctx, watchwords.Actor{ID: mia.ID, Name: mia.Username}, watchwords.Input{Pattern: "giveaway", Action: watchwords.Hold}, noRecord); err != nil {
		t.Fatal(err)
	}
	_, err := svc.Send(ctx, sam, room, Input{Body: "Big GIVEAWAY today", Confirm: true})
	var held *HeldError
	if !errors.As(err, &held) || held.Word != "giveaway" {
		t.Fatalf("sending a held word: %v", err)
	}
	if msgs, _ := svc.store.After(ctx, room.ID, 0, 10); len(msgs) != 0 {
		t.Fatalf("a held message is in the room: %+v", msgs[0])
	}
	later, err := svc.Send(ctx, mia, room, Input{Body: "Hello", Confirm: true})
	if err != nil {
		t.Fatal(err)
	}
	var files = map[string]string{}
	put := func(name string, v any) error { b, _ := json.Marshal(v); files[name] = string(b); return nil }
	if err := svc.DataSource().ExportUser(ctx, sam.ID, put); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(files["chat_messages_waiting_for_review.json"], "Big GIVEAWAY today") {
		t.Errorf("the export lacks the held message: %q", files["chat_messages_waiting_for_review.json"])
	}
	waiting, err := svc.HeldMessages(ctx, 10)
	if err != nil || len(waiting) != 1 {
		t.Fatalf("waiting: %v, %v", waiting, err)
	}
	if err := db.Write(ctx, func(tx *storage.Tx) error { _, err := svc.ApproveHeldTx(tx, waiting[0].ID); return err }); err != nil {
		t.Fatal(err)
	}
	msgs, _ := svc.store.After(ctx, room.ID, later.ID, 10)
	if len(msgs) != 1 || msgs[0].Source != "Big GIVEAWAY today" || msgs[0].AuthorID != sam.ID {
		t.Fatalf("after approval the room has %+v after the latest message", msgs)
	}
	if err := db.Write(ctx, func(tx *storage.Tx) error { _, err := svc.ApproveHeldTx(tx, waiting[0].ID); return err }); !errors.Is(err, errNotHeld) {
		t.Errorf("approving twice: %v", err)
	}

	if _, err := svc.Send(ctx, sam, room, Input{Body: "another giveaway", Confirm: true}); !errors.As(err, &held) {
		t.Fatal(err)
	}
	if err := db.Write(ctx, func(tx *storage.Tx) error { return dataSource{svc}.EraseUser(tx, sam.ID, false) }); err != nil {
		t.Fatal(err)
	}
	if waiting, _ := svc.HeldMessages(ctx, 10); len(waiting) != 0 {
		t.Errorf("a deleted account's held message stays: %+v", waiting[0])
	}
}

// The same text again within the window is refused with the duplicate code, in any
// case and spacing; a form's repeated token still returns the first message.
func TestDuplicateMessagesAtTheService(t *testing.T) {
	svc, db := internalService(t, nil)
	ctx := context.Background()
	sam, _ := automodUsers(t, db)
	room := generalRoom(t, svc)
	first, err := svc.Send(ctx, sam, room, Input{Body: "Good night", Token: "f1", Confirm: true})
	if err != nil {
		t.Fatal(err)
	}
	again, err := svc.Send(ctx, sam, room, Input{Body: "Good night", Token: "f1", Confirm: true})
	if err != nil || again.ID != first.ID {
		t.Errorf("a double submit: %+v, %v", again, err)
	}
	_, err = svc.Send(ctx, sam, room, Input{Body: "GOOD\tnight ", Token: "f2", Confirm: true})
	if e := web.AsError(err); e == nil || codeFor(e) != CodeDuplicate {
		t.Errorf("a duplicate: %v", err)
	}
	svc.now = func() time.Time { return time.Now().Add(6 * time.Minute) }
	if _, err := svc.Send(ctx, sam, room, Input{Body: "Good night", Token: "f3", Confirm: true}); err != nil {
		t.Errorf("after the window: %v", err)
	}
}
