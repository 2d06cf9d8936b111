package chat

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"stoa/storage"
)

// ErrClosed is returned for chat writes submitted after the server began shutting down.
var ErrClosed = errors.New("chat: shutting down")

// job is one chat write: apply runs inside the batch transaction, publish runs once the
// batch is durable, in the order the jobs were submitted.
type job struct {
	apply   func(tx *storage.Tx) error
	publish func()
	done    chan error
}

// persister is the single goroutine through which chat writes reach the database. Every
// job queued while a batch commits joins the next batch, so many senders share one fsync
// (storage.Write batches again with the rest of the site). Because batches commit one
// after another and publish in order, message ids reach each room strictly increasing:
// a client that saw id N has seen every earlier message, which is what makes ?after=N
// resumption exact.
type persister struct {
	db       *storage.DB
	maxBatch int
	jobs     chan *job

	mu     sync.RWMutex // held for reading while submitting, for writing while closing
	closed bool
	stop   chan struct{}
	done   chan struct{}
}

func newPersister(db *storage.DB, maxBatch int) *persister {
	p := &persister{db: db, maxBatch: maxBatch, jobs: make(chan *job, 4*maxBatch),
		stop: make(chan struct{}), done: make(chan struct{})}
	go p.run()
	return p
}

// submit queues a job and waits until it is durable (and published) or failed. Once
// queued, the job is carried out even if ctx ends: the caller could not otherwise know
// whether it happened.
func (p *persister) submit(ctx context.Context, apply func(tx *storage.Tx) error, publish func()) error {
	j := &job{apply: apply, publish: publish, done: make(chan error, 1)}
	p.mu.RLock()
	if p.closed {
		p.mu.RUnlock()
		return ErrClosed
	}
	select {
	case p.jobs <- j:
	case <-ctx.Done():
		p.mu.RUnlock()
		return ctx.Err()
	}
	p.mu.RUnlock()
	return <-j.done
}

func (p *persister) run() {
	defer close(p.done)
	batch := make([]*job, 0, p.maxBatch)
	for {
		select {
		case j := <-p.jobs:
			p.commit(p.fill(append(batch[:0], j)))
		case <-p.stop:
			// No submitter can add more (closed is set), so commit what was accepted.
			for batch = p.fill(batch[:0]); len(batch) > 0; batch = p.fill(batch[:0]) {
				p.commit(batch)
			}
			return
		}
	}
}

// fill adds the jobs already waiting to batch, up to maxBatch.
func (p *persister) fill(batch []*job) []*job {
	for len(batch) < p.maxBatch {
		select {
		case j := <-p.jobs:
			batch = append(batch, j)
		default:
			return batch
		}
	}
	return batch
}

func (p *persister) commit(batch []*job) {
	errs := make([]error, len(batch))
	err := p.db.Write(context.Background(), func(tx *storage.Tx) error {
		// First every job in one savepoint: a savepoint per job makes FTS5 write its
		// pending terms out per message (chat_search), 2.6 times the cost of an FTS5
		// insert in a plain batch (storage's BenchmarkBatchInsert). Jobs rarely fail; when one does, the batch is undone and run again
		// with a savepoint per job, so a failure still undoes only its own job.
		if len(batch) > 1 && p.applyAll(tx, batch) == nil {
			return nil
		}
		for i, j := range batch {
			errs[i] = p.savepoint(tx, "chat_job", j.apply)
		}
		return nil
	})
	for i, j := range batch {
		e := errs[i]
		if err != nil {
			e = err
		}
		if e == nil && j.publish != nil {
			j.publish()
		}
		j.done <- e
	}
}

// applyAll runs every job of batch inside one savepoint and keeps their changes only if
// all of them succeed; otherwise nothing of theirs remains and it returns the error.
func (p *persister) applyAll(tx *storage.Tx, batch []*job) error {
	return p.savepoint(tx, "chat_batch", func(tx *storage.Tx) error {
		for _, j := range batch {
			if err := j.apply(tx); err != nil {
				return err
			}
		}
		return nil
	})
}

// savepoint runs fn so that its failure undoes only its own changes in the batch.
func (p *persister) savepoint(tx *storage.Tx, name string, fn func(tx *storage.Tx) error) (err error) {
	if _, err := tx.Exec("savepoint " + name); err != nil {
		return fmt.Errorf("chat: savepoint: %w", err)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("chat: write panicked: %v", r)
		}
		if err != nil {
			if _, rbErr := tx.Exec("rollback to " + name); rbErr != nil {
				err = errors.Join(err, rbErr)
				return
			}
		}
		if _, relErr := tx.Exec("release " + name); relErr != nil {
			err = errors.Join(err, fmt.Errorf("chat: release savepoint: %w", relErr))
		}
	}()
	return fn(tx)
}

// close stops accepting jobs, commits every job already accepted and waits for that.
func (p *persister) close() {
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		close(p.stop)
	}
	p.mu.Unlock()
	<-p.done
}
