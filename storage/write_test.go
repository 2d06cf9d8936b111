package storage

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// closingContext closes db the first time Write looks at its Done channel, which Write
// does just before it queues the write: the moment at which a Close used to strand it.
type closingContext struct {
	context.Context
	db   *DB
	once sync.Once
}

func (c *closingContext) Done() <-chan struct{} {
	c.once.Do(func() { c.db.Close() })
	return c.Context.Done()
}

// A Write that races Close returns (committed, or refused with ErrClosed); it never waits
// for a writer that has already stopped. Queuing after the writer's last drain is one
// side of a random choice, so the race is run many times.
func TestWriteRacingCloseReturns(t *testing.T) {
	for round := range 24 {
		db, err := Open(context.Background(), filepath.Join(t.TempDir(), fmt.Sprintf("s%d.db", round)), Options{})
		if err != nil {
			t.Fatal(err)
		}
		ctx := &closingContext{Context: context.Background(), db: db}
		result := make(chan error, 1)
		go func() { result <- db.Write(ctx, func(*Tx) error { return nil }) }()
		select {
		case err := <-result:
			if err != nil && !errors.Is(err, ErrClosed) {
				t.Fatalf("round %d: Write racing Close: %v", round, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("round %d: a Write racing Close never returned", round)
		}
	}
}

// The writes of one batch share a savepoint; when one fails or panics, only its own
// changes and after-commit work are undone, every other write commits and runs its own.
func TestBatchWithFailingWritesKeepsTheOthers(t *testing.T) {
	db := openTest(t)
	const n = 20
	var mu sync.Mutex
	var committed []int
	runs := make([]int, n)
	batch := make([]*writeReq, n)
	for i := range batch {
		batch[i] = &writeReq{ctx: context.Background(), done: make(chan error, 1), fn: func(tx *Tx) error {
			runs[i]++
			if _, err := tx.Exec("insert into categories(slug, name, created_at) values (?, 'batch', 0)", fmt.Sprint("b", i)); err != nil {
				return err
			}
			tx.AfterCommit(func() { mu.Lock(); committed = append(committed, i); mu.Unlock() })
			switch i {
			case 7:
				return errors.New("write 7 fails")
			case 11:
				panic("write 11 panics")
			}
			return nil
		}}
	}
	db.commit(batch)
	for i, r := range batch {
		if err := <-r.done; (i == 7 || i == 11) != (err != nil) {
			t.Errorf("write %d: err %v", i, err)
		}
	}
	if len(committed) != n-2 {
		t.Errorf("after-commit work ran for %v, want every write but 7 and 11", committed)
	}
	for k, i := range committed {
		if i == 7 || i == 11 || k > 0 && committed[k-1] >= i {
			t.Fatalf("after-commit work ran for %v: want every write but 7 and 11, in order", committed)
		}
	}
	var rows int
	if err := db.Read().QueryRow("select count(*) from categories where name = 'batch'").Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != n-2 {
		t.Fatalf("%d rows committed, want %d", rows, n-2)
	}
	// A failure costs the writes grouped with it one more run, never more.
	for i, r := range runs {
		if r < 1 || r > 2 || (i == 7 || i == 11) && r != 1 {
			t.Errorf("write %d ran %d times", i, r)
		}
	}
}

// A batch whose writes all succeed runs each of them once.
func TestBatchRunsEachWriteOnce(t *testing.T) {
	db := openTest(t)
	runs := make([]int, 5)
	batch := make([]*writeReq, len(runs))
	for i := range batch {
		batch[i] = &writeReq{ctx: context.Background(), done: make(chan error, 1), fn: func(tx *Tx) error {
			runs[i]++
			_, err := tx.Exec("insert into categories(slug, name, created_at) values (?, 'once', 0)", fmt.Sprint("o", i))
			return err
		}}
	}
	db.commit(batch)
	for i, r := range batch {
		if err := <-r.done; err != nil || runs[i] != 1 {
			t.Errorf("write %d: err %v, ran %d times", i, err, runs[i])
		}
	}
}
