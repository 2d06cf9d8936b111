package mail

import (
	"context"
	"fmt"
	"testing"
	"time"

	"stoa/mail/mailtest"
	"stoa/storage"
	"stoa/storage/storagetest"
)

// Two nodes' outboxes on one database, both delivering at once: every mail reaches the
// mail server exactly once. On PostgreSQL each node has its own pool, as two processes
// would, and claims with "for update skip locked"; on SQLite the one file is one node's,
// so both outboxes share its writer.
func TestTwoOutboxesSendEachMailOnce(t *testing.T) {
	for _, engine := range storagetest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			ctx := context.Background()
			target := storagetest.Target(t, engine)
			open := func() *storage.DB {
				db, err := storage.Open(ctx, target, storage.Options{})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				return db
			}
			dbA := open()
			dbB := dbA
			if engine == storage.Postgres {
				dbB = open()
			}
			srv := mailtest.Start(t, mailtest.Options{})
			cfg := Config{SMTPURL: srv.URL(), BaseURL: "https://forum.example.org", PollEvery: 20 * time.Millisecond}
			a, b := NewOutbox(dbA, cfg), NewOutbox(dbB, cfg)

			const n = 300
			err := dbA.Write(ctx, func(tx *storage.Tx) error {
				for i := range n {
					if err := a.Enqueue(tx, Message{To: fmt.Sprintf("member%d@example.org", i), Subject: "Hello", Text: "hello"}); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			started(t, a)
			started(t, b)
			srv.Wait(n, 30*time.Second)
			waitFor(t, "the outbox to empty", func() bool { return len(list(t, a)) == 0 })
			a.Close()
			b.Close()

			seen := map[string]int{}
			for _, m := range srv.Mails() {
				seen[m.Header.Get("Message-Id")]++
			}
			if got := len(srv.Mails()); got != n || len(seen) != n {
				t.Fatalf("the mail server received %d mails, %d different ones; want %d, each once", got, len(seen), n)
			}
		})
	}
}

// A node that claims mail and dies before recording the delivery leaves it leased: no
// other node sends it until the lease ends, then another node does, long before the
// retry back-off would have come round.
func TestMailOfADeadNodeIsSentAfterItsLease(t *testing.T) {
	for _, engine := range storagetest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			ctx := context.Background()
			srv := mailtest.Start(t, mailtest.Options{})
			c := &clock{now: time.Unix(1_700_000_000, 0)}
			cfg := Config{SMTPURL: srv.URL(), Now: c.Now, Lease: time.Minute, RetryBase: 6 * time.Hour, RetryMax: 6 * time.Hour}
			db := storagetest.OpenEngine(t, engine, storage.Options{})
			dead, alive := NewOutbox(db, cfg), NewOutbox(db, cfg)
			d, err := parseSMTPURL(srv.URL(), nil)
			if err != nil {
				t.Fatal(err)
			}
			enqueue(t, dead, Message{To: "bob@example.org", Subject: "Hi", Text: "hello"})
			if claimed, err := dead.claim(ctx, batchSize); err != nil || len(claimed) != 1 {
				t.Fatalf("claim = %v, %v", claimed, err)
			}
			// The dead node never sends nor records anything.
			c.Add(59 * time.Second)
			alive.deliverDue(ctx, d)
			if len(srv.Mails()) != 0 {
				t.Fatal("another node sent a mail while its claim was leased")
			}
			c.Add(time.Second)
			alive.deliverDue(ctx, d)
			if m := srv.Mails(); len(m) != 1 || m[0].To[0] != "bob@example.org" {
				t.Fatalf("after the lease the mail server has %d mails, want bob's", len(m))
			}
			if q := list(t, alive); len(q) != 0 {
				t.Fatalf("outbox after delivery: %+v", q)
			}
		})
	}
}
