package moderation

import (
	"context"
	"testing"

	"stoa/account"
	"stoa/forum"
	"stoa/storage"
)

// TestForumThreadManagementIsAudited: the forum's pin, close, reopen and move actions
// are recorded in the same transaction, with the thread's title and the moderator.
func TestForumThreadManagementIsAudited(t *testing.T) {
	ctx := context.Background()
	p := newParts(t)
	mia := p.member(t, "mia", account.RoleModerator)
	log := p.svc.audit
	err := p.db.Write(ctx, func(tx *storage.Tx) error {
		for _, a := range []string{"thread.pin", "thread.close", "thread.reopen", "thread.move", "thread.unpin"} {
			if err := log.RecordForumAction(tx, forum.StaffAction{Actor: mia, Action: a, ThreadID: 7, ThreadTitle: "Old news",
				AuthorID: mia.ID, Reason: "tidying"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	entries, total, err := log.Entries(ctx, AuditFilter{TargetKind: "thread", TargetID: 7})
	if err != nil || total != 5 {
		t.Fatalf("%d entries, %v", total, err)
	}
	want := []Action{ActUnpinThread, ActMoveThread, ActUnlockThread, ActLockThread, ActPinThread}
	for i, e := range entries {
		if e.Action != want[i] || e.ActorName != "mia" || e.TargetLabel != "Thread “Old news”" || e.Reason != "tidying" {
			t.Errorf("entry %d: %+v", i, e)
		}
	}
	err = p.db.Write(ctx, func(tx *storage.Tx) error {
		return log.RecordForumAction(tx, forum.StaffAction{Actor: mia, Action: "thread.burn", ThreadID: 7, ThreadTitle: "Old news"})
	})
	if err == nil {
		t.Error("an unknown forum action was recorded")
	}
}

// TestStaffPostChangesAreAuditedAsPosts: a staff edit of someone's post is recorded
// against the post, with its thread's title and its author.
func TestStaffPostChangesAreAuditedAsPosts(t *testing.T) {
	ctx := context.Background()
	p := newParts(t)
	mia := p.member(t, "mia", account.RoleModerator)
	alice := p.member(t, "alice", account.RoleMember)
	log := p.svc.audit
	err := p.db.Write(ctx, func(tx *storage.Tx) error {
		return log.RecordForumAction(tx, forum.StaffAction{Actor: mia, Action: "post.edit", ThreadID: 7, ThreadTitle: "Old news",
			PostID: 12, AuthorID: alice.ID})
	})
	if err != nil {
		t.Fatal(err)
	}
	entries, _, err := log.Entries(ctx, AuditFilter{TargetUserID: alice.ID})
	if err != nil || len(entries) != 1 {
		t.Fatalf("%d entries about alice, %v", len(entries), err)
	}
	if e := entries[0]; e.Action != ActEditPost || e.TargetKind != "post" || e.TargetID != 12 || e.TargetURL != "/p/12" ||
		e.TargetLabel != "Post in “Old news”" || e.ActorName != "mia" {
		t.Errorf("entry %+v", e)
	}
}
