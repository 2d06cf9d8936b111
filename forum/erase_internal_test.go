package forum

import (
	"context"
	"errors"
	"testing"

	"stoa/account"
	"stoa/storage"
)

// A deletion prepared before a quoting post was edited, or before a new post mentioning
// the member was written, does not store stale text: its write says the content changed,
// so the deletion is prepared again.
func TestPlanEraseNoticesChanges(t *testing.T) {
	tf := newTestForum(t)
	ctx := context.Background()
	alice, err := account.AddUser(ctx, tf.accounts, "alice", "password-alice", account.RoleMember)
	if err != nil {
		t.Fatal(err)
	}
	text := "Alice's long opinion about the garden party"
	th := tf.thread(t, alice, "Garden party", text)
	p, _, err := tf.Service.Reply(ctx, tf.member, NewReply{ThreadID: th.ID, Body: Quote("alice", text) + "Yes!"})
	if err != nil {
		t.Fatal(err)
	}
	ds := tf.Service.DataSource().(account.ErasePlanner)
	member := account.DeletedMember{ID: alice.ID, Username: "alice", Erase: true}
	run := func(plan func(*storage.Tx) error) error { return tf.db.Write(ctx, plan) }

	plan, err := ds.PlanErase(ctx, member)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := tf.Service.Edit(ctx, tf.member, p.ID, Quote("alice", text)+"Yes, edited!", false); err != nil {
		t.Fatal(err)
	}
	if err := run(plan); !errors.Is(err, account.ErrContentChanged) {
		t.Fatalf("a plan made before an edit stored its text: %v", err)
	}

	plan, err = ds.PlanErase(ctx, member)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := tf.Service.Reply(ctx, tf.member, NewReply{ThreadID: th.ID, Body: "And @alice again"}); err != nil {
		t.Fatal(err)
	}
	if err := run(plan); !errors.Is(err, account.ErrContentChanged) {
		t.Fatalf("a plan made before a new mention was written went ahead: %v", err)
	}

	plan, err = ds.PlanErase(ctx, member)
	if err != nil {
		t.Fatal(err)
	}
	if err := run(plan); err != nil {
		t.Fatalf("a fresh plan: %v", err)
	}
	got, err := tf.Service.store.PostByID(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := "\\@alice wrote:\n> [removed]\n\nYes, edited!"; got.Source != want {
		t.Errorf("the quoting post became %q, want %q", got.Source, want)
	}
}
