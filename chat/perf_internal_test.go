package chat

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"stoa/account"
	"stoa/mail"
	"stoa/markup"
	"stoa/site"
	"stoa/storage"
	"stoa/storage/storagetest"
	"stoa/watchwords"
)

func internalService(t testing.TB, policy PolicyVersion) (*Service, *storage.DB) {
	t.Helper()
	ctx := context.Background()
	// STOA_TEST_ENGINE=postgres runs these on a fresh PostgreSQL database.
	db := storagetest.Open(t)
	if policy == nil {
		policy = func(context.Context) int { return 1 }
	}
	svc := NewService(Config{DB: db, Renderer: markup.New(markup.Options{}), PolicyVersion: policy,
		Restrictions: noRestrictions{}, Sessions: account.NewStore(db), Notifier: account.NewNotifier(db, account.NotifierOptions{Outbox: mail.NewOutbox(db, mail.Config{})}),
		Words: mustWords(t, db), Automod: site.DefaultAutomod, Audit: noAudit{},
		Limits: Limits{SendBurst: 1 << 20, SendEvery: time.Microsecond}})
	t.Cleanup(svc.Close) // before the database closes (storagetest's cleanup, registered earlier)
	if err := svc.EnsureDefaultRoom(ctx); err != nil {
		t.Fatal(err)
	}
	return svc, db
}

// noRestrictions lets every member chat.
type noRestrictions struct{}

func (noRestrictions) CanLogIn(context.Context, int64) error { return nil }
func (noRestrictions) CanPost(context.Context, int64) error  { return nil }

// The policy version is reused for at most policyTTL, and not at all after
// InvalidatePolicyVersion: a new version is never missed for longer than that.
func TestPolicyVersionCacheNeverStaleBeyondTTL(t *testing.T) {
	var mu sync.Mutex
	version, calls := 1, 0
	svc, _ := internalService(t, func(context.Context) int {
		mu.Lock()
		defer mu.Unlock()
		calls++
		return version
	})
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	svc.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	ctx := context.Background()
	set := func(v int) { mu.Lock(); version = v; mu.Unlock() }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }

	if v := svc.policyVersion.get(ctx); v != 1 {
		t.Fatalf("version %d, want 1", v)
	}
	svc.policyVersion.get(ctx)
	if calls != 1 {
		t.Fatalf("asked privacy %d times for two messages, want once", calls)
	}
	set(2)
	advance(policyTTL)
	if v := svc.policyVersion.get(ctx); v != 2 {
		t.Fatalf("after %v the cache still says version %d, want 2", policyTTL, v)
	}
	set(3)
	svc.InvalidatePolicyVersion()
	if v := svc.policyVersion.get(ctx); v != 3 {
		t.Fatalf("after invalidation the cache says version %d, want 3", v)
	}
}

// A room load that began before an invalidation is not kept: the cache can never hold a
// room older than the last rename or archive.
func TestRoomCacheDropsLoadsRacingAnInvalidation(t *testing.T) {
	var c roomCache
	ctx := context.Background()
	old := &Room{ID: 1, Name: "Old"}
	_, err := c.room(ctx, 1, func(context.Context, int64) (*Room, error) {
		c.invalidate(1) // the rename commits while this load is under way
		return old, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	fresh := &Room{ID: 1, Name: "New"}
	r, _ := c.room(ctx, 1, func(context.Context, int64) (*Room, error) { return fresh, nil })
	if r.Name != "New" {
		t.Fatalf("cache served %q after a rename, want New", r.Name)
	}
	r.Name = "changed by a caller"
	if r, _ := c.room(ctx, 1, nil); r.Name != "New" {
		t.Fatalf("a caller's change reached the cache: %q", r.Name)
	}
	if _, err := c.room(ctx, 2, func(context.Context, int64) (*Room, error) { return nil, storage.ErrNotFound }); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("missing room: %v", err)
	}
}

// Renaming and archiving through the service are seen by the next message at once.
func TestRoomCacheFollowsRenameAndArchive(t *testing.T) {
	svc, db := internalService(t, nil)
	ctx := context.Background()
	admin, err := account.AddUser(ctx, account.NewStore(db), "admin", "password-admin", account.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	general, _ := svc.store.RoomBySlug(ctx, "general")
	if r, _ := svc.roomByID(ctx, general.ID); r.Name != "General" {
		t.Fatalf("room %q", r.Name)
	}
	if err := svc.UpdateRoom(ctx, admin, general, "Lobby", "topic"); err != nil {
		t.Fatal(err)
	}
	if r, _ := svc.roomByID(ctx, general.ID); r.Name != "Lobby" || r.Topic != "topic" {
		t.Fatalf("after rename the cache says %q / %q", r.Name, r.Topic)
	}
	if err := svc.SetArchived(ctx, admin, general, true); err != nil {
		t.Fatal(err)
	}
	if r, _ := svc.roomByID(ctx, general.ID); !r.Archived() {
		t.Fatal("after archiving the cache says the room is open")
	}
	if err := svc.SetArchived(ctx, admin, general, false); err != nil {
		t.Fatal(err)
	}
	if r, _ := svc.roomByID(ctx, general.ID); r.Archived() {
		t.Fatal("after reopening the cache says the room is archived")
	}
}

// Messages written at once share the database's batches; when one write fails, only
// that one is undone: every other message still commits, is indexed and is published.
func TestBatchWithFailingWriteKeepsTheOthers(t *testing.T) {
	svc, db := internalService(t, nil)
	ctx := context.Background()
	general, err := svc.store.RoomBySlug(ctx, "general")
	if err != nil {
		t.Fatal(err)
	}
	u, err := account.AddUser(ctx, account.NewStore(db), "alice", "password-alice", account.RoleMember)
	if err != nil {
		t.Fatal(err)
	}
	const n = 20
	var published sync.Map
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := &Message{RoomID: general.ID, AuthorID: u.ID, Source: "batch message", HTML: "<p>batch message</p>",
				CreatedAt: time.Now(), searchText: "batch message"}
			errs[i] = db.Write(ctx, func(tx *storage.Tx) error {
				if err := svc.store.insertMessage(tx, m, ""); err != nil {
					return err
				}
				switch i {
				case 7:
					return errors.New("write 7 fails")
				case 11:
					panic("write 11 panics")
				}
				tx.AfterCommit(func() { published.Store(i, true) })
				return nil
			})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		_, pub := published.Load(i)
		if (i == 7 || i == 11) != (err != nil) || pub != (err == nil) {
			t.Errorf("write %d: err %v, published %v", i, err, pub)
		}
	}
	var msgs, indexed int
	if err := db.QueryRow(ctx, "select count(*) from chat_messages").Scan(&msgs); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(ctx, "select count(*) from chat_search where body = 'batch message'").Scan(&indexed); err != nil {
		t.Fatal(err)
	}
	if msgs != n-2 || indexed != n-2 {
		t.Fatalf("%d messages, %d indexed; want %d of each", msgs, indexed, n-2)
	}
}

// The search index holds the plain text of each message, as published and as edited:
// Markdown syntax and link targets are never indexed, plain text always is.
func TestSearchIndexHoldsThePlainText(t *testing.T) {
	svc, db := internalService(t, nil)
	ctx := context.Background()
	u, err := account.AddUser(ctx, account.NewStore(db), "alice", "password-alice", account.RoleMember)
	if err != nil {
		t.Fatal(err)
	}
	general, err := svc.store.RoomBySlug(ctx, "general")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	bodies := []string{"plain words here", "see [the docs](https://example.com/hiddentarget)", "**bold** move", "a & b < c"}
	msgs := make([]*Message, len(bodies))
	for i, b := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m, err := svc.Send(ctx, u, general, Input{Body: b, Confirm: true})
			if err != nil {
				t.Error(err)
			}
			msgs[i] = m
		}()
	}
	wg.Wait()
	check := func() {
		t.Helper()
		for _, m := range msgs {
			var body string
			if err := db.QueryRow(ctx, "select body from chat_search where rowid = ?", m.ID).Scan(&body); err != nil {
				t.Fatal(err)
			}
			if want := markup.Excerpt(m.HTML, len(m.HTML)+1); body != want {
				t.Errorf("message %q indexed as %q, want %q", m.Source, body, want)
			}
		}
	}
	check()
	if msgs[0], err = svc.Edit(ctx, u, msgs[0].ID, "now with a [link](https://example.com/other)", true); err != nil {
		t.Fatal(err)
	}
	if msgs[1], err = svc.Edit(ctx, u, msgs[1].ID, "just plain again", true); err != nil {
		t.Fatal(err)
	}
	check()
	for _, q := range []string{"hiddentarget", "other", "bold", "plain"} {
		var n int
		if err := db.QueryRow(ctx, "select count(*) from chat_search where body like ?", "%"+q+"%").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if want := map[string]int{"bold": 1, "plain": 1}[q]; n != want {
			t.Errorf("search %q found %d, want %d", q, n, want)
		}
	}
}

// mustWords loads the (empty) watched words of db.
func mustWords(t testing.TB, db *storage.DB) *watchwords.List {
	t.Helper()
	l, err := watchwords.New(context.Background(), db, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// noAudit stands in for moderation's audit log.
type noAudit struct{}

func (noAudit) RecordRoomMode(*storage.Tx, *account.User, *Room, string) error { return nil }
