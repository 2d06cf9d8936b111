package chat

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"stoa/account"
	"stoa/markup"
	"stoa/storage"
)

func internalService(t testing.TB, policy PolicyVersion) (*Service, *storage.DB) {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, filepath.Join(t.TempDir(), "stoa.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	svc := NewService(Config{DB: db, Renderer: markup.New(markup.Options{}), PolicyVersion: policy,
		Restrictions: noSanctions{},
		Limits:       Limits{SendBurst: 1 << 20, SendEvery: time.Microsecond}})
	t.Cleanup(func() { svc.Close(); db.Close() })
	if err := svc.EnsureDefaultRoom(ctx); err != nil {
		t.Fatal(err)
	}
	return svc, db
}

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

// A batch runs its jobs in one savepoint; when one fails, only that one is undone and
// every other job of the batch still commits and publishes.
func TestBatchWithFailingJobKeepsTheOthers(t *testing.T) {
	svc, db := internalService(t, nil)
	ctx := context.Background()
	general, _ := svc.store.RoomBySlug(ctx, "general")
	u, err := account.AddUser(ctx, account.NewStore(db), "alice", "password-alice", account.RoleMember)
	if err != nil {
		t.Fatal(err)
	}
	p := svc.persist
	const n = 20
	var published sync.Map
	jobs := make([]*job, n)
	for i := range jobs {
		i := i
		jobs[i] = &job{done: make(chan error, 1), publish: func() { published.Store(i, true) },
			apply: func(tx *storage.Tx) error {
				m := &Message{RoomID: general.ID, AuthorID: u.ID, Source: "batch message", HTML: "<p>batch message</p>", CreatedAt: time.Now()}
				if err := insertMessage(db, tx, m, ""); err != nil {
					return err
				}
				if i == 7 {
					return errors.New("job 7 fails")
				}
				if i == 11 {
					panic("job 11 panics")
				}
				return svc.IndexText(tx, m)
			}}
	}
	p.commit(jobs)
	for i, j := range jobs {
		err := <-j.done
		_, pub := published.Load(i)
		if (i == 7 || i == 11) != (err != nil) || pub != (err == nil) {
			t.Errorf("job %d: err %v, published %v", i, err, pub)
		}
	}
	var msgs, indexed int
	db.Read().QueryRow("select count(*) from chat_messages").Scan(&msgs)
	db.Read().QueryRow("select count(*) from chat_search where chat_search match 'batch'").Scan(&indexed)
	if msgs != n-2 || indexed != n-2 {
		t.Fatalf("%d messages, %d indexed; want %d of each", msgs, indexed, n-2)
	}
}

// The search index holds the plain text of each message whether or not it was written
// again: Markdown syntax and link targets are never indexed, plain text always is.
func TestIndexTextSkipsOnlyWhenTheSourceIsThePlainText(t *testing.T) {
	svc, db := internalService(t, nil)
	svc.AfterMessage(svc.IndexText)
	ctx := context.Background()
	u, err := account.AddUser(ctx, account.NewStore(db), "alice", "password-alice", account.RoleMember)
	if err != nil {
		t.Fatal(err)
	}
	general, _ := svc.store.RoomBySlug(ctx, "general")
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
			if err := db.Read().QueryRow("select body from chat_search where rowid = ?", m.ID).Scan(&body); err != nil {
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
		db.Read().QueryRow("select count(*) from chat_search where chat_search match ?", q).Scan(&n)
		if want := map[string]int{"bold": 1, "plain": 1}[q]; n != want {
			t.Errorf("search %q found %d, want %d", q, n, want)
		}
	}
}

// Frames held while more are queued go out before a close frame sent from another
// goroutine, in order, and nothing stays held once the batch ends.
func TestBatchConnWritesHeldFramesInOrder(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	bc := &batchConn{Conn: a}
	got := make(chan []byte, 1)
	go func() {
		var all []byte
		buf := make([]byte, 1024)
		for {
			n, err := b.Read(buf)
			all = append(all, buf[:n]...)
			if err != nil || len(all) >= 9 {
				got <- all
				return
			}
		}
	}()
	bc.hold.Store(true)
	bc.Write([]byte{0x81, 1, 'a'}) // text frames: held
	bc.Write([]byte{0x81, 1, 'b'})
	bc.Write([]byte{0x88, 1, 'c'}) // a close frame: written with what is held
	all := <-got
	if string(all) != "\x81\x01a\x81\x01b\x88\x01c" {
		t.Fatalf("wire %q", all)
	}
	if bc.buf != nil {
		t.Fatal("frames still held after the close frame")
	}
}

// noSanctions stands in for moderation's sanctions: nobody is sanctioned.
type noSanctions struct{}

func (noSanctions) CanLogIn(context.Context, int64) error { return nil }
func (noSanctions) CanPost(context.Context, int64) error  { return nil }
