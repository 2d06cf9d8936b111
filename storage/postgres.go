package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// PostgreSQL goes through database/sql with pgx's stdlib driver rather than pgxpool
// directly, so that stores keep one API (*sql.Row, *sql.Rows, sql.Result) on both engines.
// pgx still prepares and caches each statement per connection (its default exec mode),
// so a query is parsed and planned once per connection, as SQLite's statement cache does.

// Advisory lock keys: PostgreSQL's advisory locks are numbered; these two are Stoa's.
const (
	lockMigrate    = 0x5354_4f41_0001 // held while one node migrates the schema
	lockSingleNode = 0x5354_4f41_0002 // held by a node that runs without NATS
)

// ErrOtherNode is returned by LockSingleNode when another node without NATS already
// uses the database.
var ErrOtherNode = errors.New("another Stoa node without --nats is already using this PostgreSQL database; " +
	"to run several nodes on one database, start every node with --nats nats://… (or stop the other node)")

func openPostgres(ctx context.Context, dsn string, opts Options) (*DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("storage: --database: %w", err)
	}
	connector := stdlib.GetConnector(*cfg)
	pool := sql.OpenDB(connector)
	conns := opts.MaxConns
	if conns <= 0 {
		conns = 16
	}
	pool.SetMaxOpenConns(conns)
	pool.SetMaxIdleConns(conns)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("storage: connect to PostgreSQL: %w", err)
	}
	if err := migratePostgres(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	db := &DB{
		dialect: Postgres,
		read:    pool,
		write:   pool,
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	close(db.done) // no writer goroutine: each write runs in a pooled transaction
	return db, nil
}

// LockSingleNode takes PostgreSQL's advisory lock for a node that runs without NATS and
// keeps it, on a connection of its own, until Close. A second node without NATS on the
// same database gets ErrOtherNode: without NATS it would not hear of the first node's
// writes (chat, caches). On SQLite it does nothing (the file is one node's).
func (db *DB) LockSingleNode(ctx context.Context) error {
	if db.dialect != Postgres {
		return nil
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("storage: single-node lock: %w", err)
	}
	var got bool
	if err := conn.QueryRowContext(ctx, "select pg_try_advisory_lock($1)", int64(lockSingleNode)).Scan(&got); err != nil {
		conn.Close()
		return fmt.Errorf("storage: single-node lock: %w", err)
	}
	if !got {
		conn.Close()
		return ErrOtherNode
	}
	db.single = conn
	return nil
}

// unlockSingleNode releases the single-node lock before the pool closes. Closing the
// *sql.Conn alone only returns it to the pool, and closing the pool sends PostgreSQL a
// goodbye without waiting for the server to end that session: a node starting right
// after this one closed could still find the lock held and be refused.
func (db *DB) unlockSingleNode() error {
	if db.single == nil {
		return nil
	}
	conn := db.single
	db.single = nil
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var released bool
	err := conn.QueryRowContext(ctx, "select pg_advisory_unlock($1)", int64(lockSingleNode)).Scan(&released)
	if err == nil && !released {
		err = errors.New("storage: single-node lock was not held at close")
	}
	if err != nil {
		// The session's end releases the lock: drop the connection rather than pool it.
		conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	return errors.Join(err, conn.Close())
}

// writePostgres runs fn in a transaction of its own from the pool; writes run side by
// side, each committing on its own (PostgreSQL groups the flushes of concurrent commits
// itself). A write that lost a deadlock or a serialization check runs again.
func (db *DB) writePostgres(ctx context.Context, fn TxFunc) error {
	leave, err := db.enterWrite(ctx)
	if err != nil {
		return err
	}
	defer leave()
	for attempt := 0; attempt < 8; attempt++ {
		if err = db.runPostgres(fn); !isRetryable(err) {
			return err
		}
	}
	return err
}

// enterWrite admits a write on PostgreSQL unless the database is closing or ctx has
// ended; an admitted write holds Close off until it calls leave.
func (db *DB) enterWrite(ctx context.Context) (leave func(), err error) {
	db.inflight.RLock()
	select {
	case <-db.stop:
		err = ErrClosed
	default:
		err = ctx.Err()
	}
	if err != nil {
		db.inflight.RUnlock()
		return nil, err
	}
	return db.inflight.RUnlock, nil
}

func (db *DB) runPostgres(fn TxFunc) (err error) {
	// As on SQLite, a write that has begun is carried out even if the caller's context
	// ends: the caller could not know whether it happened otherwise.
	sqlTx, err := db.write.BeginTx(context.Background(), nil)
	if err != nil {
		return fmt.Errorf("storage: begin: %w", err)
	}
	t := &Tx{tx: sqlTx, dialect: Postgres, db: db}
	defer func() {
		for _, k := range t.keys {
			db.lines.unlock(k)
		}
	}()
	defer func() {
		if p := recover(); p != nil {
			sqlTx.Rollback()
			err = fmt.Errorf("storage: write panicked: %v", p)
		}
	}()
	if err := fn(t); err != nil {
		sqlTx.Rollback()
		return err
	}
	return db.commitPostgres(t)
}

// commitPostgres commits t and then runs its after-commit functions in their order.
func (db *DB) commitPostgres(t *Tx) error {
	if err := t.tx.Commit(); err != nil {
		return fmt.Errorf("storage: commit: %w", err)
	}
	db.generation.Add(1)
	for _, f := range t.after {
		f()
	}
	return nil
}

// lines are the per-key queues of Tx.Order: one mutex per key in use, dropped when no
// write holds or waits for it.
type lines struct {
	mu sync.Mutex
	m  map[string]*line
}

type line struct {
	mu   sync.Mutex
	refs int
}

func (l *lines) lock(key string) {
	l.mu.Lock()
	if l.m == nil {
		l.m = map[string]*line{}
	}
	ln := l.m[key]
	if ln == nil {
		ln = &line{}
		l.m[key] = ln
	}
	ln.refs++
	l.mu.Unlock()
	ln.mu.Lock()
}

func (l *lines) unlock(key string) {
	l.mu.Lock()
	ln := l.m[key]
	ln.refs--
	if ln.refs == 0 {
		delete(l.m, key)
	}
	l.mu.Unlock()
	ln.mu.Unlock()
}
