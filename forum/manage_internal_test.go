package forum

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"stoa/account"
	"stoa/mail"
	"stoa/markup"
	"stoa/storage"
	"stoa/web"
)

// newTestExtras builds the forum and its extras on a fresh database, with one moderator.
func newTestExtras(t *testing.T) (*Extras, *account.User) {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, filepath.Join(t.TempDir(), "stoa.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	accounts := account.NewStore(db)
	mod, err := account.AddUser(ctx, accounts, "mia", "password-mia", account.RoleModerator)
	if err != nil {
		t.Fatal(err)
	}
	svc := NewService(db, NewStore(db), markup.New(markup.Options{}), noSanctions{})
	if err := svc.EnsureDefaultCategory(ctx); err != nil {
		t.Fatal(err)
	}
	x := NewExtras(svc, ExtrasOptions{Accounts: accounts, Notifier: account.NewNotifier(db, account.NotifierOptions{BaseURL: "http://stoa.test", Outbox: mail.NewOutbox(db, mail.Config{})}),
		Web: &web.Responder{}, BaseURL: "http://stoa.test"})
	return x, mod
}

// noSanctions stands in for moderation's sanctions: nobody is sanctioned.
type noSanctions struct{}

func (noSanctions) CanLogIn(context.Context, int64) error { return nil }
func (noSanctions) CanPost(context.Context, int64) error  { return nil }

func TestStaffActionsAreRecordedWithTheChange(t *testing.T) {
	ctx := context.Background()
	x, mod := newTestExtras(t)
	if err := x.svc.store.SaveCategory(ctx, &Category{Slug: "archive", Name: "Archive"}); err != nil {
		t.Fatal(err)
	}
	th, err := x.svc.CreateThread(ctx, mod, NewThread{CategoryID: 1, Title: "Rules", Body: "Be kind."})
	if err != nil {
		t.Fatal(err)
	}
	type entry struct{ actor, action, target, reason string }
	var log []entry
	fail := false
	x.OnStaffAction(func(tx *storage.Tx, actorID int64, action, target, reason string) error {
		if fail {
			return errors.New("audit log unavailable")
		}
		log = append(log, entry{mod.Username, action, target, reason})
		return nil
	})

	if err := x.Manage(ctx, mod, th.ID, ActionPin, "", "  house rules  "); err != nil {
		t.Fatal(err)
	}
	if err := x.Manage(ctx, mod, th.ID, ActionMove, "archive", ""); err != nil {
		t.Fatal(err)
	}
	want := []entry{{"mia", "thread.pin", "thread:1", "house rules"}, {"mia", "thread.move", "thread:1", "From “General” to “Archive”."}}
	if len(log) != 2 || log[0] != want[0] || log[1] != want[1] {
		t.Errorf("audit entries %q, want %q", log, want)
	}

	// When the action cannot be recorded, it is not made.
	fail = true
	if err := x.Manage(ctx, mod, th.ID, ActionClose, "", ""); err == nil {
		t.Fatal("closing succeeded although the audit log failed")
	}
	if got, _ := x.svc.store.ThreadByID(ctx, th.ID); got.Locked || !got.Pinned {
		t.Errorf("thread after a failed close: locked %v, pinned %v", got.Locked, got.Pinned)
	}

	member := &account.User{ID: 99, Username: "bob", Role: account.RoleMember}
	if err := x.Manage(ctx, member, th.ID, ActionPin, "", ""); !errors.Is(err, ErrNotStaff) {
		t.Errorf("a member pinning: %v", err)
	}
}

func TestExtrasExportAndEraseAMembersChoices(t *testing.T) {
	ctx := context.Background()
	x, mod := newTestExtras(t)
	th, err := x.svc.CreateThread(ctx, mod, NewThread{CategoryID: 1, Title: "Mine", Body: "Hello."})
	if err != nil {
		t.Fatal(err)
	}
	posts, err := x.svc.store.Posts(ctx, th.ID, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := x.React(ctx, mod, posts[0].ID, "heart", true); err != nil {
		t.Fatal(err)
	}
	if err := x.Watch(ctx, mod, th.ID, true); err != nil {
		t.Fatal(err)
	}
	files := map[string]any{}
	if err := x.ExportUser(ctx, mod.ID, func(name string, v any) error { files[name] = v; return nil }); err != nil {
		t.Fatal(err)
	}
	if r, _ := files["reactions.json"].([]exportedReaction); len(r) != 1 || r[0].Reaction != "heart" || r[0].Post != "http://stoa.test/p/1" {
		t.Errorf("exported reactions %+v", files["reactions.json"])
	}
	if w, _ := files["watched_threads.json"].([]exportedWatch); len(w) != 1 || !w[0].Watching {
		t.Errorf("exported watches %+v", files["watched_threads.json"])
	}

	if err := x.svc.db.Write(ctx, func(tx *storage.Tx) error { return x.EraseUser(tx, mod.ID, false) }); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"post_reactions", "thread_watches", "thread_reads"} {
		var n int
		x.svc.db.Read().QueryRow("select count(*) from "+table+" where user_id = ?", mod.ID).Scan(&n)
		if n != 0 {
			t.Errorf("%d rows of %s survive erasure", n, table)
		}
	}
}
