package forum

import (
	"context"
	"errors"
	"testing"

	"stoa/account"
	"stoa/storage"
)

func TestStaffActionsAreRecordedWithTheChange(t *testing.T) {
	ctx := context.Background()
	x := newTestForum(t)
	mod := x.mod
	if err := x.Service.store.SaveCategory(ctx, &Category{Slug: "archive", Name: "Archive"}); err != nil {
		t.Fatal(err)
	}
	th, err := x.Service.CreateThread(ctx, mod, NewThread{CategoryID: 1, Title: "Rules", Body: "Be kind."})
	if err != nil {
		t.Fatal(err)
	}

	if err := x.StaffTools.Apply(ctx, mod, th.ID, ActionPin, "", "  house rules  "); err != nil {
		t.Fatal(err)
	}
	if err := x.StaffTools.Apply(ctx, mod, th.ID, ActionMove, "archive", ""); err != nil {
		t.Fatal(err)
	}
	log := x.audit.recorded()
	want := []auditEntry{{"mia", "thread.pin", "thread:1", "house rules"}, {"mia", "thread.move", "thread:1", "From “General” to “Archive”."}}
	if len(log) != 2 || log[0] != want[0] || log[1] != want[1] {
		t.Errorf("audit entries %q, want %q", log, want)
	}

	// When the action cannot be recorded, it is not made.
	x.audit.fail = true
	if err := x.StaffTools.Apply(ctx, mod, th.ID, ActionClose, "", ""); err == nil {
		t.Fatal("closing succeeded although the audit log failed")
	}
	if got, _ := x.Service.store.ThreadByID(ctx, th.ID); got.Locked || !got.Pinned {
		t.Errorf("thread after a failed close: locked %v, pinned %v", got.Locked, got.Pinned)
	}

	member := &account.User{ID: 99, Username: "bob", Role: account.RoleMember}
	if err := x.StaffTools.Apply(ctx, member, th.ID, ActionPin, "", ""); !errors.Is(err, ErrNotStaff) {
		t.Errorf("a member pinning: %v", err)
	}
}

func TestExportAndEraseAMembersChoices(t *testing.T) {
	ctx := context.Background()
	x := newTestForum(t)
	mod := x.mod
	th, err := x.Service.CreateThread(ctx, mod, NewThread{CategoryID: 1, Title: "Mine", Body: "Hello."})
	if err != nil {
		t.Fatal(err)
	}
	posts, err := x.Service.store.Posts(ctx, th.ID, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Reactions.React(ctx, mod, posts[0].ID, "heart", true); err != nil {
		t.Fatal(err)
	}
	if err := x.Watches.Watch(ctx, mod, th.ID, true); err != nil {
		t.Fatal(err)
	}
	files := map[string]any{}
	data := x.Service.DataSource()
	if err := data.ExportUser(ctx, mod.ID, func(name string, v any) error { files[name] = v; return nil }); err != nil {
		t.Fatal(err)
	}
	if r, _ := files["reactions.json"].([]exportedReaction); len(r) != 1 || r[0].Reaction != "heart" || r[0].Post != "http://stoa.test/p/1" {
		t.Errorf("exported reactions %+v", files["reactions.json"])
	}
	if w, _ := files["watched_threads.json"].([]exportedWatch); len(w) != 1 || !w[0].Watching {
		t.Errorf("exported watches %+v", files["watched_threads.json"])
	}

	if err := x.db.Write(ctx, func(tx *storage.Tx) error { return data.EraseUser(tx, mod.ID, false) }); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"post_reactions", "thread_watches", "thread_reads"} {
		var n int
		if err := x.db.QueryRow(context.Background(), "select count(*) from "+table+" where user_id = ?", mod.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%d rows of %s survive erasure", n, table)
		}
	}
}
