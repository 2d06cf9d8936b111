// Package storage opens Stoa's database, applies its embedded migrations and runs every
// write through one pipeline (Write, AfterCommit). Two engines sit behind one API:
// SQLite in --data (one writer connection that commits queued writes together) and
// PostgreSQL for several nodes (writes in pooled transactions, side by side). Stores
// write `?` placeholders for both; engine differences stay here and in store files.
package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/mattn/go-sqlite3" // built with -tags sqlite_fts5
)

// ErrNotFound is returned by stores when a row that was asked for does not exist.
var ErrNotFound = errors.New("not found")

// ErrClosed is returned for writes submitted after Close.
var ErrClosed = errors.New("storage: database is closed")

// DB is the application's database. On SQLite: a pool of read connections and a single
// writer; on PostgreSQL: one pool for both.
type DB struct {
	dialect Dialect
	read    *sql.DB
	write   *sql.DB
	path    string
	rebind  rebinder
	lines   lines
	// PostgreSQL: writes in flight (Close waits for them) and the single-node lock.
	inflight sync.RWMutex
	single   *sql.Conn
	// PostgreSQL: the writes of WriteOrdered waiting for their key's next transaction.
	queueMu sync.Mutex
	queues  map[string]*keyQueue

	readStmts  *stmtCache
	writeStmts *stmtCache
	generation generation
	writes     chan *writeReq
	stop       chan struct{}
	stopOnce   sync.Once
	done       chan struct{}
}

// Options tune the database; the zero value is what production uses.
type Options struct {
	// MaxBatch caps how many queued writes share one transaction (default 256; SQLite).
	MaxBatch int
	// MaxConns caps the PostgreSQL pool (default 16).
	MaxConns int
}

// Open opens the database named by target and applies pending migrations: a
// postgres:// URL opens PostgreSQL, anything else is the path of a SQLite file, created
// if needed, with its writer started.
func Open(ctx context.Context, target string, opts Options) (*DB, error) {
	if IsPostgresURL(target) {
		return openPostgres(ctx, target, opts)
	}
	return openSQLite(ctx, target, opts)
}

func openSQLite(ctx context.Context, path string, opts Options) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("storage: create data folder: %w", err)
	}
	// synchronous=FULL: an acknowledged write must survive a crash; group commit pays
	// for the fsync instead of skipping it.
	common := url.Values{
		"_journal_mode": {"WAL"},
		"_foreign_keys": {"on"},
		"_busy_timeout": {"10000"},
		"_synchronous":  {"FULL"},
	}
	wq := cloneValues(common)
	wq.Set("_txlock", "immediate")
	write := sql.OpenDB(newWriterConnector("file:" + path + "?" + wq.Encode()))
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("storage: open %s: %w", path, err)
	}
	if err := migrate(ctx, write); err != nil {
		write.Close()
		return nil, err
	}

	rq := cloneValues(common)
	rq.Set("_query_only", "true")
	read, err := sql.Open("sqlite3", "file:"+path+"?"+rq.Encode())
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("storage: open readers: %w", err)
	}
	n := max(4, 2*runtime.NumCPU())
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	read.SetConnMaxIdleTime(5 * time.Minute)

	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 256
	}
	db := &DB{
		read:       read,
		write:      write,
		path:       path,
		readStmts:  newStmtCache(read),
		writeStmts: newStmtCache(write),
		writes:     make(chan *writeReq, 4*opts.MaxBatch),
		stop:       make(chan struct{}),
		done:       make(chan struct{}),
	}
	go db.writer(opts.MaxBatch)
	return db, nil
}

// writerConnector opens the writer's connection with the settings that go-sqlite3 takes
// no DSN parameter for.
type writerConnector struct {
	dsn string
	drv *sqlite3.SQLiteDriver
}

// newWriterConnector keeps the writer's savepoint journals in memory. Every write runs in
// a savepoint, and SQLite copies each page a savepoint changes into a sub-journal, which
// otherwise spills to a temporary file past 64 KiB: in chat ingest that file's writes
// cost as much as the inserts themselves. A sub-journal holds at most one batch's pages.
func newWriterConnector(dsn string) writerConnector {
	return writerConnector{dsn: dsn, drv: &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		_, err := c.Exec("pragma temp_store = memory", nil)
		return err
	}}}
}

func (c writerConnector) Connect(context.Context) (driver.Conn, error) { return c.drv.Open(c.dsn) }

func (c writerConnector) Driver() driver.Driver { return c.drv }

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// Read returns the pool used for queries that do not write. Its queries take the
// engine's own placeholders; stores use QueryRow and Query instead.
func (db *DB) Read() *sql.DB { return db.read }

// Dialect tells a store which engine this is.
func (db *DB) Dialect() Dialect { return db.dialect }

// Path returns the database file's path ("" on PostgreSQL).
func (db *DB) Path() string { return db.path }

// Close commits writes already queued (SQLite) or waits for those in flight
// (PostgreSQL), then closes every connection.
func (db *DB) Close() error {
	db.stopOnce.Do(func() { close(db.stop) })
	<-db.done
	if db.dialect == Postgres {
		db.inflight.Lock() // every write that started has finished
		defer db.inflight.Unlock()
		return errors.Join(db.unlockSingleNode(), db.write.Close())
	}
	db.readStmts.close()
	db.writeStmts.close()
	return errors.Join(db.read.Close(), db.write.Close())
}

// Ping checks that the database answers a query; /healthz uses it.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.read.QueryRowContext(ctx, "select 1").Scan(&one); err != nil {
		return fmt.Errorf("storage: ping: %w", err)
	}
	return nil
}

// ErrBackupPostgres is the answer of Backup on PostgreSQL, whose own tools do it better.
var ErrBackupPostgres = errors.New("storage: Stoa backs up SQLite only; back up a PostgreSQL database with pg_dump (and restore with pg_restore)")

// Backup writes a consistent copy of the live database to dest, which must not exist.
func (db *DB) Backup(ctx context.Context, dest string) error {
	if db.dialect == Postgres {
		return ErrBackupPostgres
	}
	return BackupFile(ctx, db.path, dest)
}

// BackupFile copies the database at src to dest without starting a writer, so that
// `stoa backup` can run beside a live server.
func BackupFile(ctx context.Context, src, dest string) error {
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("storage: backup: %w", err)
	}
	// Not query_only: VACUUM INTO counts as a write to the destination.
	conn, err := sql.Open("sqlite3", "file:"+src+"?_busy_timeout=10000")
	if err != nil {
		return fmt.Errorf("storage: backup: %w", err)
	}
	defer conn.Close()
	abs, err := filepath.Abs(dest)
	if err != nil {
		return fmt.Errorf("storage: backup: %w", err)
	}
	// The copy holds everything the database does, so only its owner may read it: the
	// file is made empty with mode 0600 first (VACUUM INTO fills an empty file), and
	// O_EXCL refuses one that exists.
	f, err := os.OpenFile(abs, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("storage: backup: %s already exists", dest)
	}
	if err != nil {
		return fmt.Errorf("storage: backup: %w", err)
	}
	f.Close()
	// VACUUM INTO reads one snapshot of the database, so the copy is consistent even
	// while the server keeps writing.
	if _, err := conn.ExecContext(ctx, "vacuum into ?", abs); err != nil {
		os.Remove(abs)
		return fmt.Errorf("storage: backup to %s: %w", dest, err)
	}
	return nil
}
