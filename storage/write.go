package storage

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
)

// TxFunc is one unit of work inside a write transaction. Its changes are kept only if
// it returns nil.
type TxFunc func(tx *Tx) error

type writeReq struct {
	ctx  context.Context
	fn   TxFunc
	done chan error
}

// Write runs fn in a write transaction and returns once its changes are durable on disk
// (or were rolled back). Writes that queue up while one commit is in flight share the
// next transaction (group commit), each inside its own savepoint, so one failing write
// never undoes another.
func (db *DB) Write(ctx context.Context, fn TxFunc) error {
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
	return <-req.done
}

func (db *DB) writer(maxBatch int) {
	defer close(db.done)
	batch := make([]*writeReq, 0, maxBatch)
	for {
		select {
		case req := <-db.writes:
			batch = append(batch[:0], req)
		case <-db.stop:
			// Drain what was queued before Close so no accepted write is dropped.
			for {
				select {
				case req := <-db.writes:
					db.commit([]*writeReq{req})
				default:
					return
				}
			}
		}
	fill:
		for len(batch) < maxBatch {
			select {
			case req := <-db.writes:
				batch = append(batch, req)
			default:
				break fill
			}
		}
		db.commit(batch)
	}
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
	t := &Tx{tx: tx, stmts: db.writeStmts}
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		errs[i] = runSavepoint(t, r.fn)
	}
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
