package storage

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
)

// TxFunc is one unit of work inside a write transaction. Its changes are kept only if
// it returns nil.
//
// A TxFunc may run twice. The writes queued together share one savepoint, which is what
// makes a batch cheap: a savepoint per write costs a copy of every page it touches, and
// makes FTS5 write its pending terms out once per write instead of once per batch. When
// one write of a batch fails, that savepoint undoes them all; the failing write keeps its
// error and the others run again, so that a failure undoes only its own changes. A
// TxFunc must therefore change nothing but the database, through tx; values it hands
// back to its caller are assigned, never accumulated (a slice it appends to would hold
// the first run's items too), and work for after the commit goes to tx.AfterCommit,
// which forgets what an undone run registered.
type TxFunc func(tx *Tx) error

type writeReq struct {
	ctx  context.Context
	fn   TxFunc
	done chan error
	// tries counts the runs of a PostgreSQL ordered write that lost a deadlock.
	tries int
}

// Write runs fn in a write transaction and returns once its changes are durable on disk
// (or were rolled back). Writes that queue up while one commit is in flight share the
// next transaction (group commit), so many writers pay for one fsync; one failing write
// never undoes another.
//
// On PostgreSQL each write runs in a pooled transaction of its own, beside the others
// (see Tx.Order for the order of their AfterCommit functions); WriteOrdered group-commits
// the writes of one key.
func (db *DB) Write(ctx context.Context, fn TxFunc) error {
	if db.dialect == Postgres {
		return db.writePostgres(ctx, fn)
	}
	req := &writeReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case <-db.stop:
		return ErrClosed
	default:
	}
	select {
	case db.writes <- req:
	case <-ctx.Done():
		return ctx.Err()
	case <-db.stop:
		return ErrClosed
	}
	// Once queued the write is carried out even if ctx ends meanwhile: the caller cannot
	// know whether it happened otherwise.
	select {
	case err := <-req.done:
		return err
	case <-db.done:
		// The writer has stopped, but this write may have been queued after it took
		// the last one (Close raced the send above). Nobody else will answer it.
		db.refuseQueued()
		return <-req.done
	}
}

// refuseQueued answers every write still queued once the writer has stopped. A write's
// own Write call runs this, so no write is left waiting; any of them may answer the
// others, and each is answered once, by whoever takes it from the queue.
func (db *DB) refuseQueued() {
	for {
		select {
		case req := <-db.writes:
			req.done <- ErrClosed
		default:
			return
		}
	}
}

func (db *DB) writer(maxBatch int) {
	defer close(db.done)
	batch := make([]*writeReq, 0, maxBatch)
	for {
		select {
		case req := <-db.writes:
			batch = append(batch[:0], req)
		case <-db.stop:
			// Commit what was queued before Close so that no accepted write is dropped;
			// a write queued after this drain is refused by its own Write call.
			for batch = db.fill(batch[:0], maxBatch); len(batch) > 0; batch = db.fill(batch[:0], maxBatch) {
				db.commit(batch)
			}
			return
		}
		db.commit(db.fill(batch, maxBatch))
	}
}

// fill adds the writes already queued to batch, up to maxBatch.
func (db *DB) fill(batch []*writeReq, maxBatch int) []*writeReq {
	for len(batch) < maxBatch {
		select {
		case req := <-db.writes:
			batch = append(batch, req)
		default:
			return batch
		}
	}
	return batch
}

func (db *DB) commit(batch []*writeReq) {
	errs := make([]error, len(batch))
	tx, err := db.write.BeginTx(context.Background(), nil)
	if err != nil {
		for _, r := range batch {
			r.done <- fmt.Errorf("storage: begin: %w", err)
		}
		return
	}
	t := &Tx{tx: tx, stmts: db.writeStmts, db: db}
	for i, r := range batch {
		errs[i] = r.ctx.Err()
	}
	runGroup(t, batch, errs)
	if err := tx.Commit(); err != nil {
		err = fmt.Errorf("storage: commit: %w", err)
		for _, r := range batch {
			r.done <- err
		}
		return
	}
	// Bump the generation before anyone hears of the commit, so that a cache checked
	// after an acknowledged write never takes an older generation for current.
	db.generation.Add(1)
	for _, fn := range t.after {
		fn()
	}
	for i, r := range batch {
		r.done <- errs[i]
	}
	db.writeStmts.preparePending()
}

// runGroup runs the writes of batch that have not failed (errs[i] == nil) in one
// savepoint. If one of them fails, that savepoint undoes them all; the failing write keeps
// its error, and the writes before it and after it are run again as groups of their own,
// so that each failure costs its neighbours one more run, never their changes.
func runGroup(t *Tx, batch []*writeReq, errs []error) {
	live := -1
	for i := range batch {
		if errs[i] == nil {
			if live >= 0 {
				live = len(batch) // two or more
				break
			}
			live = i
		}
	}
	switch {
	case live < 0:
		return
	case live < len(batch):
		// One write alone needs no group: its own savepoint undoes its failure.
		errs[live] = runSavepoint(t, batch[live].fn)
		return
	}
	failed := -1
	err := runSavepoint(t, func(t *Tx) error {
		for i, r := range batch {
			if errs[i] != nil {
				continue
			}
			failed = i // should fn panic, the panic is this write's
			if err := r.fn(t); err != nil {
				return err
			}
		}
		failed = -1
		return nil
	})
	if err == nil {
		return
	}
	if failed < 0 {
		// The savepoint itself failed: every write of the group gets that error.
		for i := range errs {
			if errs[i] == nil {
				errs[i] = err
			}
		}
		return
	}
	errs[failed] = err
	runGroup(t, batch[:failed], errs[:failed])
	runGroup(t, batch[failed+1:], errs[failed+1:])
}

// runSavepoint runs fn so that its failure, or its panic, undoes only its own changes.
func runSavepoint(t *Tx, fn TxFunc) (err error) {
	tx := t.tx
	registered := len(t.after)
	if _, err := tx.Exec("savepoint w"); err != nil {
		return fmt.Errorf("storage: savepoint: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("storage: write panicked: %v", p)
		}
		if err != nil {
			// What a failed write asked to run after the commit goes with its changes.
			clear(t.after[registered:])
			t.after = t.after[:registered]
			if _, rbErr := tx.Exec("rollback to w; release w"); rbErr != nil {
				err = errors.Join(err, rbErr)
			}
			return
		}
		if _, relErr := tx.Exec("release w"); relErr != nil {
			err = fmt.Errorf("storage: release: %w", relErr)
		}
	}()
	return fn(t)
}

// generation counts the transactions committed through Write.
type generation = atomic.Uint64

// Generation changes after every committed write transaction, before its writers are
// answered. A cache of something read from the database stays valid while the generation
// it was read under is current: read the generation first, then the data, and keep the
// pair.
func (db *DB) Generation() uint64 { return db.generation.Load() }
