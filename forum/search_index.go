package forum

import (
	"context"
	"errors"
	"log/slog"
	"sync"

	"stoa/storage"
)

// indexBatch is how many queued posts go into the search index per statement.
const indexBatch = 1000

// searchIndex brings queued posts into the full-text index (see migration 0065): each
// write that queues a post wakes it once committed, and it moves everything queued by
// then in one write of its own, so that many posts share the index's work. A search
// first waits for it to catch up, so that a member always finds what was posted before
// they searched.
type searchIndex struct {
	store   *Store
	db      *storage.DB
	log     *slog.Logger
	wake    chan struct{}
	stop    chan struct{}
	done    chan struct{}
	stopped sync.Once
}

func startSearchIndex(store *Store, db *storage.DB, log *slog.Logger) *searchIndex {
	x := &searchIndex{store: store, db: db, log: log, wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go x.run()
	x.queued() // what a crash left queued
	return x
}

func (x *searchIndex) run() {
	defer close(x.done)
	for {
		select {
		case <-x.wake:
			if err := x.upToDate(context.Background()); err != nil && !errors.Is(err, storage.ErrClosed) {
				x.log.Error("forum: search index", "err", err)
			}
		case <-x.stop:
			return
		}
	}
}

// queued says that a committed write queued posts. It never blocks: it runs on the
// writer, after the commit (storage.Tx.AfterCommit).
func (x *searchIndex) queued() {
	select {
	case x.wake <- struct{}{}:
	default: // already woken; that catch-up will see these posts too
	}
}

// upToDate returns once every post written before it was called is searchable. It
// writes only when posts are queued: an empty write would still cost a commit, and make
// every kept page look out of date.
func (x *searchIndex) upToDate(ctx context.Context) error {
	behind, err := x.store.indexBehind(ctx)
	if err != nil || !behind {
		return err
	}
	return x.catchUp(ctx)
}

// catchUp indexes every queued post.
func (x *searchIndex) catchUp(ctx context.Context) error {
	for {
		var moved int
		err := x.db.Write(ctx, func(tx *storage.Tx) error {
			var err error
			moved, err = x.store.indexQueued(tx, indexBatch)
			return err
		})
		if err != nil || moved < indexBatch {
			return err
		}
	}
}

// close stops the index; what is still queued is indexed at the next start, or by the
// next search.
func (x *searchIndex) close() {
	x.stopped.Do(func() {
		close(x.stop)
		<-x.done
	})
}
