package moderation

import (
	"context"
	"fmt"
	"testing"
	"time"

	"stoa/account"
	"stoa/storage"
)

// queueSite is moderation's parts with a counter on every query the service makes, of
// its own tables, of accounts, of the forum and of chat.
type queueSite struct {
	*parts
	reporter, mod *account.User
	db            *countingDB
	accounts      *countingAccounts
	members       int
}

func newQueueSite(t testing.TB) *queueSite {
	p := newParts(t)
	q := &queueSite{parts: p, reporter: p.member(t, "rita", account.RoleMember), mod: p.member(t, "mia", account.RoleModerator)}
	q.db = &countingDB{database: p.svc.store.db}
	p.svc.store.db, p.svc.sanctions.store.db, p.svc.audit.store.db = q.db, q.db, q.db
	q.accounts = &countingAccounts{Accounts: p.svc.accounts}
	p.svc.accounts = q.accounts
	return q
}

func (q *queueSite) queries() int64 {
	return q.db.n.Load() + q.accounts.n.Load() + q.forum.calls.Load() + q.chat.calls.Load()
}

// addReported adds n members, each with a notice and a silence on their record, and
// reports a post, a chat message and the profile of each.
func (q *queueSite) addReported(t testing.TB, n int) {
	t.Helper()
	ctx := context.Background()
	for range n {
		q.members++
		m := q.member(t, fmt.Sprintf("member%d", q.members), account.RoleMember)
		if _, err := q.svc.Act(ctx, q.mod, TargetUser, m.ID, Decision{Notice: &NoticeDraft{Body: "Please calm down."},
			Sanction: &SanctionRequest{Kind: Silence, Duration: time.Hour}, Reason: "Heated"}); err != nil {
			t.Fatal(err)
		}
		post, msg := q.forum.add(m, "a reported post"), q.chat.add(m, "a reported message")
		for _, ref := range []targetRef{{TargetPost, post.ID}, {TargetMessage, msg.ID}, {TargetUser, m.ID}} {
			// Straight to the store: the reporter's pace limit is not what this tests.
			target, err := q.svc.loadTarget(ctx, ref.kind, ref.id)
			if err != nil {
				t.Fatal(err)
			}
			err = q.db.database.(*storage.DB).Write(ctx, func(tx *storage.Tx) error {
				_, err := q.svc.store.saveReport(tx, q.reporter.ID, target, ReportInput{Kind: ref.kind, ID: ref.id, Reason: ReasonSpam}, q.now)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
}

// queue loads the review queue and returns it with the number of queries it took.
func (q *queueSite) queue(t testing.TB) ([]*QueueItem, int64) {
	t.Helper()
	before := q.queries()
	items, err := q.svc.Queue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return items, q.queries() - before
}

// TestQueueQueriesDoNotGrowWithItems: the review queue reads its page in the same few
// queries whether 10 or 200 members' things are reported, each thing shown as it is now
// with its member's record.
func TestQueueQueriesDoNotGrowWithItems(t *testing.T) {
	q := newQueueSite(t)
	q.addReported(t, 10)
	items, few := q.queue(t)
	if len(items) != 30 {
		t.Fatalf("%d items in the queue, want 30", len(items))
	}
	q.addReported(t, 190)
	items, many := q.queue(t)
	if len(items) != 600 {
		t.Fatalf("%d items in the queue, want 600", len(items))
	}
	if many != few {
		t.Errorf("the queue took %d queries for 30 items and %d for 600: it must not grow with the items", few, many)
	}
	// Reports, posts, messages, members, their counts, their sanctions and the
	// reporters' standing.
	if few > 7 {
		t.Errorf("the queue took %d queries, want at most 7", few)
	}
	for _, it := range items {
		switch {
		case it.Target == nil:
			t.Errorf("%s %d: the thing is missing", it.Kind, it.TargetID)
		case it.History == nil || it.History.UserID != it.Target.UserID:
			t.Errorf("%s %d: the member's record is missing", it.Kind, it.TargetID)
		case it.History.Notices != 1 || len(it.History.Sanctions) != 1 || it.History.Active == nil:
			t.Errorf("%s %d: record %+v, want one notice and a silence in force", it.Kind, it.TargetID, it.History)
		}
	}
}

// TestQueueShowsWhatBecameOfTheThings: a reported post deleted since, and one that is
// gone altogether, are shown through their snapshots with what happened.
func TestQueueShowsWhatBecameOfTheThings(t *testing.T) {
	q := newQueueSite(t)
	q.addReported(t, 2)
	q.forum.mu.Lock()
	q.forum.posts[1].Deleted = true
	delete(q.forum.posts, 2)
	q.forum.mu.Unlock()
	items, _ := q.queue(t)
	states := map[int64][]string{}
	for _, it := range items {
		if it.Kind == TargetPost {
			states[it.TargetID] = queueTarget(it.Kind, it.TargetID, it.Target, it.Reports, it.History).State
		}
	}
	if fmt.Sprint(states[1]) != "[deleted]" || fmt.Sprint(states[2]) != "[no longer exists]" {
		t.Errorf("states %v", states)
	}
}

// BenchmarkQueue loads a queue of 10 and of 200 members' reported things.
func BenchmarkQueue(b *testing.B) {
	for _, n := range []int{10, 200} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			q := newQueueSite(b)
			q.addReported(b, n)
			base := q.queries()
			b.ResetTimer()
			for range b.N {
				if _, err := q.svc.Queue(context.Background()); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(q.queries()-base)/float64(b.N), "queries/op")
		})
	}
}
