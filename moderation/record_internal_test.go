package moderation

import (
	"context"
	"path/filepath"
	"testing"

	"stoa/account"
	"stoa/storage"
)

// TestForumThreadManagementIsAudited: the forum's pin, close, reopen and move actions
// are recorded in the same transaction, with the thread's title and the moderator.
func TestForumThreadManagementIsAudited(t *testing.T) {
	ctx := context.Background()
	db, err := storage.Open(ctx, filepath.Join(t.TempDir(), "stoa.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := New(Options{DB: db, Accounts: account.NewStore(db)})
	err = db.Write(ctx, func(tx *storage.Tx) error {
		for _, q := range []string{
			"insert into users(id, username, username_key, password_hash, role, created_at) values (1, 'mia', 'mia', 'x', 'moderator', 0)",
			"insert into categories(id, slug, name, created_at) values (1, 'general', 'General', 0)",
			"insert into threads(id, category_id, author_id, title, slug, created_at, last_post_at) values (7, 1, 1, 'Old news', 'old-news', 0, 0)",
		} {
			if _, err := tx.Exec(q); err != nil {
				return err
			}
		}
		for _, a := range []string{"thread.pin", "thread.close", "thread.reopen", "thread.move", "thread.unpin"} {
			if err := s.RecordForumAction(tx, 1, a, "thread:7", "tidying"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	entries, total, err := s.AuditEntries(ctx, AuditFilter{TargetKind: "thread", TargetID: 7})
	if err != nil || total != 5 {
		t.Fatalf("%d entries, %v", total, err)
	}
	want := []Action{ActUnpinThread, ActMoveThread, ActUnlockThread, ActLockThread, ActPinThread}
	for i, e := range entries {
		if e.Action != want[i] || e.ActorName != "mia" || e.TargetLabel != "Thread “Old news”" || e.Reason != "tidying" {
			t.Errorf("entry %d: %+v", i, e)
		}
	}
	err = db.Write(ctx, func(tx *storage.Tx) error { return s.RecordForumAction(tx, 1, "thread.burn", "thread:7", "") })
	if err == nil {
		t.Error("an unknown forum action was recorded")
	}
}
