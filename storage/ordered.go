package storage

import (
	"context"
	"fmt"
)

// WriteOrdered is Write for a write that takes its place in key's line from its start, as
// if its first statement were tx.Order(key) (a chat message, ordered under its room).
//
// On PostgreSQL the writes that queue under one key while that key's transaction is in
// flight share the next transaction, as every write does on SQLite: a key's writes commit
// one at a time (their order is the point of the key), so without this each would pay
// for its own BEGIN, COMMIT and flush while the others wait. The guarantees stay those of
// Write and Tx.Order: each write returns once it is committed (or undone); one failing
// write undoes only its own changes (the batch's writes share a savepoint, and after a
// failure the others run again, as on SQLite: see TxFunc); AfterCommit functions run in
// commit order, the batch's in the order its writes ran. A write of the batch that calls
// Order with another key fails (one key per write).
//
// On SQLite it is Write: the single writer already commits queued writes together.
func (db *DB) WriteOrdered(ctx context.Context, key string, fn TxFunc) error {
	if db.dialect != Postgres {
		return db.Write(ctx, fn) // Order does nothing on SQLite
	}
	leave, err := db.enterWrite(ctx)
	if err != nil {
		return err
	}
	defer leave()
	req := &writeReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	db.queueMu.Lock()
	q := db.queues[key]
	start := q == nil
	if start {
		if db.queues == nil {
			db.queues = map[string]*keyQueue{}
		}
		q = &keyQueue{}
		db.queues[key] = q
	}
	q.pending = append(q.pending, req)
	db.queueMu.Unlock()
	if start {
		// One goroutine per key with writes waiting: it commits them batch by batch and
		// ends when none are left. Close waits for it through the callers' inflight.
		go db.drainKey(key, q)
	}
	// Once queued the write is carried out even if ctx ends meanwhile, as on SQLite.
	return <-req.done
}

// keyQueue holds the writes waiting for their key's next transaction.
type keyQueue struct {
	pending []*writeReq
}

// maxOrderedBatch caps how many of a key's writes share one PostgreSQL transaction.
const maxOrderedBatch = 256

// maxOrderedTries bounds how often a write that lost a deadlock or a serialization check
// runs again, as writePostgres does.
const maxOrderedTries = 8

func (db *DB) drainKey(key string, q *keyQueue) {
	for {
		db.queueMu.Lock()
		n := min(len(q.pending), maxOrderedBatch)
		if n == 0 {
			delete(db.queues, key)
			db.queueMu.Unlock()
			return
		}
		batch := q.pending[:n:n]
		q.pending = q.pending[n:]
		if len(q.pending) == 0 {
			q.pending = nil // the next append starts a fresh array, not batch's
		}
		db.queueMu.Unlock()
		db.commitOrdered(key, batch)
	}
}

// commitOrdered commits batch in one transaction that holds key, and answers each write.
func (db *DB) commitOrdered(key string, batch []*writeReq) {
	errs := make([]error, len(batch))
	for i, r := range batch {
		errs[i] = r.ctx.Err()
	}
	for try := 1; ; try++ {
		err := db.runOrdered(key, batch, errs)
		if err == nil {
			break
		}
		// The transaction itself failed (begin or commit): nothing of the batch stays.
		if !isRetryable(err) || try == maxOrderedTries {
			for i := range errs {
				if errs[i] == nil || isRetryable(errs[i]) {
					errs[i] = err
				}
			}
			for i, r := range batch {
				r.done <- errs[i]
			}
			return
		}
		for i := range errs {
			if errs[i] == nil {
				continue
			}
			if isRetryable(errs[i]) {
				errs[i] = nil
			}
		}
	}
	// Writes of a committed batch that lost a deadlock inside it run again on their own.
	var again []*writeReq
	for i, r := range batch {
		if isRetryable(errs[i]) && r.tries < maxOrderedTries {
			r.tries++
			again = append(again, r)
			continue
		}
		r.done <- errs[i]
	}
	if len(again) > 0 {
		db.commitOrdered(key, again)
	}
}

// runOrdered runs the writes of batch that have not failed in one transaction holding
// key's line, and runs their AfterCommit functions once it committed. It returns the
// transaction's own failure; each write's is in errs.
func (db *DB) runOrdered(key string, batch []*writeReq, errs []error) error {
	// A connection first, then the line, as a plain Write that calls Order does: whoever
	// holds a line has its connection already, so a full pool of writes waiting for the
	// line cannot keep its holder from finishing.
	sqlTx, err := db.write.BeginTx(context.Background(), nil)
	if err != nil {
		return fmt.Errorf("storage: begin: %w", err)
	}
	db.lines.lock(key)
	defer db.lines.unlock(key)
	t := &Tx{tx: sqlTx, dialect: Postgres, db: db, keys: []string{key}}
	runGroup(t, batch, errs)
	return db.commitPostgres(t)
}
