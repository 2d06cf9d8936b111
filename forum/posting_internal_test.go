package forum

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"stoa/storage"
	"stoa/web"
)

// holdWriter occupies the database's single writer until release is called, running
// then, first in line, the write change: what another request commits just before the
// writes queued behind it.
func holdWriter(t *testing.T, db *storage.DB, change func(tx *storage.Tx) error) (release func()) {
	t.Helper()
	started, proceed, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- db.Write(context.Background(), func(tx *storage.Tx) error {
			close(started)
			<-proceed
			return change(tx)
		})
	}()
	<-started
	return func() {
		close(proceed)
		if err := <-done; err != nil {
			t.Errorf("the write that held the writer: %v", err)
		}
	}
}

// whenReadyToWrite makes s call ready each time a post has passed its checks against the
// database (token, watched words, duplicates) and is
// about to be written: the service reads the clock for its date then and only then.
func whenReadyToWrite(s *Service, ready func()) {
	s.now = func() time.Time {
		ready()
		return time.Now()
	}
}

// A reply checked against an open thread, whose thread a moderator closes before the
// reply is written, is refused: the lock is checked again in the reply's own write.
func TestReplyToAThreadClosedMeanwhileIsRefused(t *testing.T) {
	ctx := context.Background()
	f := newTestForum(t)
	th := f.thread(t, f.mod, "Closing soon", "Last call.")

	release := holdWriter(t, f.db, func(tx *storage.Tx) error { return f.Service.SetThreadLocked(tx, th.ID, true) })
	var once sync.Once
	whenReadyToWrite(f.Service, func() { once.Do(release) })

	_, _, err := f.Service.Reply(ctx, f.member, NewReply{ThreadID: th.ID, Body: "Just in time?"})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("reply to a thread closed before it was written: %v, want ErrLocked", err)
	}
	if n, err := postRows(f, th.ID); err != nil || n != 1 {
		t.Errorf("the thread has %d posts (%v), want only the opening one", n, err)
	}
	if got, err := f.Service.store.ThreadByID(ctx, th.ID); err != nil || got.PostCount != 1 {
		t.Errorf("the thread counts %d posts (%v), want 1", got.PostCount, err)
	}

	// Staff may still reply to a closed thread, and a thread deleted meanwhile takes no
	// reply at all.
	if _, _, err := f.Service.Reply(ctx, f.mod, NewReply{ThreadID: th.ID, Body: "Closed, with reason."}); err != nil {
		t.Errorf("staff reply to a closed thread: %v", err)
	}
	other := f.thread(t, f.member, "Going away", "Soon deleted.")
	first, err := f.Service.store.Posts(ctx, other.ID, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	release = holdWriter(t, f.db, func(tx *storage.Tx) error {
		_, _, err := f.Service.DeletePostAsStaff(tx, first[0].ID, time.Now())
		return err
	})
	once = sync.Once{}
	if _, _, err := f.Service.Reply(ctx, f.mod, NewReply{ThreadID: other.ID, Body: "Anyone?"}); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("reply to a thread deleted before it was written: %v, want ErrNotFound", err)
	}
}

// Two submits of one reply form that pass their checks together make one post: the
// second finds the first by its token when the database refuses the duplicate.
func TestRacingSubmitsOfOneFormMakeOnePost(t *testing.T) {
	ctx := context.Background()
	f := newTestForum(t)
	th := f.thread(t, f.mod, "Double click", "Click once.")

	// Each submit waits at its write for the other to pass its checks too. Holding the
	// writer would not do: on PostgreSQL writes do not wait for one another, and the
	// first submit's post would be found by the second's check for its token.
	var ready sync.WaitGroup
	ready.Add(2)
	whenReadyToWrite(f.Service, func() {
		ready.Done()
		ready.Wait()
	})
	var wg sync.WaitGroup
	posts := make([]*Post, 2)
	errs := make([]error, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			posts[i], _, errs[i] = f.Service.Reply(ctx, f.member, NewReply{ThreadID: th.ID, Body: "Sent twice.", Token: "form-1"})
		}()
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		t.Fatalf("racing submits: %v, %v", errs[0], errs[1])
	}
	if posts[0].ID != posts[1].ID {
		t.Errorf("racing submits made posts %d and %d, want one", posts[0].ID, posts[1].ID)
	}
	if n, err := postRows(f, th.ID); err != nil || n != 2 {
		t.Errorf("the thread has %d posts (%v), want 2", n, err)
	}
}

// A sanctioned member is refused before anything else is checked, with the sanction's
// own words, as a refusal the pages can show.
func TestSanctionsComeFirst(t *testing.T) {
	ctx := context.Background()
	f := newTestForum(t)
	th := f.thread(t, f.member, "Mine", "Before.")
	f.sanctions.silence(f.member.ID)
	_, err := f.Service.CreateThread(ctx, f.member, NewThread{CategoryID: 1})
	e := web.AsError(err)
	if e == nil || e.Status != http.StatusForbidden || e.Message != (errSilenced{}).Error() {
		t.Errorf("new thread while silenced: %v", err)
	}
	if _, _, err := f.Service.Reply(ctx, f.member, NewReply{ThreadID: th.ID}); web.AsError(err) == nil || web.AsError(err).Status != http.StatusForbidden {
		t.Errorf("reply while silenced: %v", err)
	}
	// A member who is not sanctioned and sends nothing is asked to write something.
	_, _, err = f.Service.Reply(ctx, f.mod, NewReply{ThreadID: th.ID})
	if e := web.AsError(err); e == nil || e.Status != http.StatusUnprocessableEntity || e.Fields["body"] == "" {
		t.Errorf("empty reply: %v", err)
	}
}

// postRows counts a thread's post rows, deleted or not.
func postRows(f *testForum, threadID int64) (int, error) {
	var n int
	err := f.db.QueryRow(context.Background(), "select count(*) from posts where thread_id = ?", threadID).Scan(&n)
	return n, err
}
