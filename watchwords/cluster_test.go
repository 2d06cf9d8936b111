package watchwords_test

import (
	"context"
	"testing"
	"time"

	"stoa/account"
	"stoa/bus/bustest"
	"stoa/storage"
	"stoa/storage/storagetest"
	"stoa/watchwords"
)

// Two nodes on one PostgreSQL database and NATS: a word an admin blocks on one node is
// blocked on the other within a moment, and a word removed there is let through again.
func TestAChangeOnOneNodeAppliesOnTheOthers(t *testing.T) {
	nodes := bustest.Nodes(t)
	pa, pb := nodes("a"), nodes("b")
	url := storagetest.NewPostgres(t)
	ctx := context.Background()
	openNode := func() *storage.DB {
		db, err := storage.Open(ctx, url, storage.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	dbA, dbB := openNode(), openNode()
	if _, err := account.AddUser(ctx, account.NewStore(dbA), "root", "password-root", account.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	a, err := watchwords.New(ctx, dbA, pa, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := watchwords.New(ctx, dbB, pb, nil)
	if err != nil {
		t.Fatal(err)
	}
	pb.Flush()
	var rec []string
	add(t, a, &rec, watchwords.Input{Pattern: "spamword", Action: watchwords.Block})
	waitFor(t, "node b blocks the word added on node a", func() bool { return b.Check("buy spamword now").Blocked != nil })

	entries, err := a.Entries(ctx)
	if err != nil || len(entries) != 1 {
		t.Fatalf("entries %v, %v", entries, err)
	}
	if err := a.Remove(ctx, root, entries[0].ID, recorder(&rec)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "node b lets the word through once node a removed it", func() bool { return b.Check("buy spamword now").Blocked == nil })
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 5 s: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
