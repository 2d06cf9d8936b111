package forum

import (
	"context"
	"testing"
	"time"

	"stoa/storage"
	"stoa/storage/storagetest"
)

// Posts still queued for the search index when they are edited, purged or erased are
// indexed as they are then, or not at all: the queue never brings back what is gone.
func TestQueuedPostsFollowEditsAndErasure(t *testing.T) {
	ctx := context.Background()
	f := newTestForum(t)
	f.index.close() // keep what is posted queued until the test catches up
	search := func(words string) int {
		t.Helper()
		_, n, err := f.Search.Find(ctx, SearchQuery{Text: words})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	// inIndex counts the index's rows that match, hidden and deleted posts included: what
	// was erased or purged must leave the index itself.
	inIndex := func(match string) int {
		t.Helper()
		var n int
		query, arg := "select count(*) from post_search where post_search match ?", match
		if f.db.Dialect() == storage.Postgres {
			query, arg = "select count(*) from post_search where document @@ to_tsquery('stoa_search', ?)", storage.TSQuery(match)
		}
		if err := f.db.QueryRow(context.Background(), query, arg).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	th := f.thread(t, f.member, "Garden", "Tomatoes and basil.")
	_, _, err := f.Service.Reply(ctx, f.mod, NewReply{ThreadID: th.ID, Body: "Marigolds keep pests away."})
	if err != nil {
		t.Fatal(err)
	}
	posts, err := f.Service.store.Posts(ctx, th.ID, 2, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.Service.Edit(ctx, f.mod, posts[1].ID, "Nasturtiums keep pests away.", false); err != nil {
		t.Fatal(err)
	}
	if err := f.db.Write(ctx, func(tx *storage.Tx) error { return f.Service.DataSource().EraseUser(tx, f.member.ID, true) }); err != nil {
		t.Fatal(err)
	}
	if behind, err := f.Service.store.indexBehind(ctx); err != nil || !behind {
		t.Fatalf("nothing queued (%v): the test would not test the queue", err)
	}

	// A search catches the index up first.
	if n := search("nasturtiums"); n != 1 {
		t.Errorf("the edited reply is found %d times, want 1", n)
	}
	if n := search("marigolds"); n != 0 {
		t.Errorf("the reply's text before its edit is found %d times", n)
	}
	if n := inIndex("tomatoes OR garden"); n != 0 {
		t.Errorf("the erased member's post is in the index %d times", n)
	}

	// A post deleted long enough ago is purged before the index reaches it.
	gone := f.thread(t, f.mod, "Obsolete", "Quicksilver instructions.")
	first, err := f.Service.store.Posts(ctx, gone.ID, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.Service.Delete(ctx, f.mod, first[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := f.Service.PurgeDeleted(ctx, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := f.index.upToDate(ctx); err != nil {
		t.Fatal(err)
	}
	if indexed := inIndex("quicksilver"); indexed != 0 {
		t.Errorf("the purged post's text is in the index %d times", indexed)
	}
}

// Several nodes, and searches on each, catch the index up at once on PostgreSQL: every
// catch-up succeeds and every queued post is indexed once. Without the lock the second
// of two catch-ups moving the same posts failed on the index's key, and its search
// answered 500.
func TestCatchUpsOnSeveralNodesDoNotCollide(t *testing.T) {
	ctx := context.Background()
	url := storagetest.NewPostgres(t)
	var stores []*Store
	for range 3 {
		db, err := storage.Open(ctx, url, storage.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		stores = append(stores, NewStore(db))
	}
	const queued = 300
	for round := range 5 {
		err := stores[0].db.Write(ctx, func(tx *storage.Tx) error {
			for i := range queued {
				if err := stores[0].queueForIndex(tx, int64(round*queued+i+1), "", "catch up words"); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		errs := make(chan error, 2*len(stores))
		for _, s := range stores {
			for range 2 {
				go func() {
					x := &searchIndex{store: s, db: s.db}
					errs <- x.catchUp(ctx)
				}()
			}
		}
		for range 2 * len(stores) {
			if err := <-errs; err != nil {
				t.Fatalf("round %d: a catch-up failed: %v", round, err)
			}
		}
	}
	var indexed, left int
	if err := stores[1].db.Read().QueryRow("select count(*) from post_search").Scan(&indexed); err != nil {
		t.Fatal(err)
	}
	if err := stores[1].db.Read().QueryRow("select count(*) from post_search_queue").Scan(&left); err != nil {
		t.Fatal(err)
	}
	if indexed != 5*queued || left != 0 {
		t.Errorf("%d posts indexed and %d left queued, want %d and 0", indexed, left, 5*queued)
	}
}
