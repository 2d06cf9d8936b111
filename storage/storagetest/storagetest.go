// Package storagetest opens fresh databases for tests, on either engine: a SQLite file
// in the test's temporary folder, or a PostgreSQL database stoa_test_<random> created
// for the test and dropped at its cleanup.
//
// STOA_TEST_ENGINE chooses the engine of Open (sqlite, the default, or postgres);
// STOA_TEST_POSTGRES is the server to create databases on (default
// postgres://postgres@127.0.0.1:5432/postgres). Without a PostgreSQL server the tests
// that need one skip with a message that says so, except under CI=true, where they fail.
package storagetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx", for creating databases

	"stoa/storage"
)

// Engines is every engine, for tests that run on each in turn.
var Engines = []storage.Dialect{storage.SQLite, storage.Postgres}

// Engine is the engine chosen by STOA_TEST_ENGINE (SQLite unless it says postgres).
func Engine() storage.Dialect {
	if e := os.Getenv("STOA_TEST_ENGINE"); e == "postgres" || e == "postgresql" {
		return storage.Postgres
	}
	return storage.SQLite
}

// Open opens a fresh database on the engine STOA_TEST_ENGINE names, closed at cleanup.
func Open(t testing.TB) *storage.DB { return OpenEngine(t, Engine(), storage.Options{}) }

// OpenEngine opens a fresh database on engine with every migration applied, closed (and
// on PostgreSQL dropped) at cleanup.
func OpenEngine(t testing.TB, engine storage.Dialect, opts storage.Options) *storage.DB {
	t.Helper()
	target := ""
	if engine == storage.Postgres {
		target = NewMigratedPostgres(t)
	} else {
		target = Target(t, engine)
	}
	db, err := storage.Open(context.Background(), target, opts)
	if err != nil {
		t.Fatalf("open %s: %v", engine, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Target returns where a fresh, empty database of engine is: a file path for SQLite,
// a postgres:// URL of a database created for this test (and dropped at its cleanup,
// after the cleanups registered later, which close it) for PostgreSQL.
func Target(t testing.TB, engine storage.Dialect) string {
	t.Helper()
	if engine == storage.SQLite {
		return filepath.Join(t.TempDir(), "stoa.db")
	}
	return NewPostgres(t)
}

// Server is the PostgreSQL server tests create their databases on.
func Server() string {
	if s := os.Getenv("STOA_TEST_POSTGRES"); s != "" {
		return s
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// NewPostgres creates an empty database stoa_test_<random> and returns its URL; it is
// dropped at the test's cleanup. It skips the test when no server answers, unless
// CI=true.
func NewPostgres(t testing.TB) string {
	t.Helper()
	return newPostgres(t, false)
}

// NewMigratedPostgres is NewPostgres with every migration applied already, as
// storage.Open would apply them: the database is copied from a template database,
// stoa_template_<digest of the migrations>, which the first test to need it builds and
// later tests and runs reuse (a changed migration makes a new one; old ones may be
// dropped at any time). Copying takes a fraction of the time migrating does.
func NewMigratedPostgres(t testing.TB) string {
	t.Helper()
	return newPostgres(t, true)
}

func newPostgres(t testing.TB, migrated bool) string {
	t.Helper()
	admin, err := sql.Open("pgx", Server())
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err = admin.PingContext(ctx)
		cancel()
	}
	if err != nil {
		if admin != nil {
			admin.Close()
		}
		msg := fmt.Sprintf("PostgreSQL is not reachable at %s (set STOA_TEST_POSTGRES): %v", Server(), err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	var b [6]byte
	rand.Read(b[:])
	name := "stoa_test_" + hex.EncodeToString(b[:])
	create := "create database " + name
	if migrated {
		tmpl, err := template(admin)
		if err != nil {
			admin.Close()
			t.Fatalf("template database: %v", err)
		}
		create += " template " + tmpl
	}
	if err := createDatabase(admin, create); err != nil {
		admin.Close()
		t.Fatalf("%s: %v", create, err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		// with (force) ends connections a failed test left open.
		if _, err := admin.Exec("drop database if exists " + name + " with (force)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := databaseURL(name)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func databaseURL(name string) (string, error) {
	u, err := url.Parse(Server())
	if err != nil {
		return "", fmt.Errorf("STOA_TEST_POSTGRES: %w", err)
	}
	u.Path = "/" + name
	return u.String(), nil
}

// createDatabase runs create, again while the template is still in use: PostgreSQL
// copies a template only while no session is connected to it, and the sessions of the
// template's builder end a moment after their connections close.
func createDatabase(admin *sql.DB, create string) error {
	var err error
	for range 100 {
		_, err = admin.Exec(create)
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "55006" { // object_in_use
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
	return err
}

// templates are the template databases this process has seen built, by name.
var templates sync.Map

// lockTemplate is the advisory lock (on the server's admin database) that test
// processes take turns on to build a template database once.
const lockTemplate = 0x5354_4f41_7465

// template returns the name of the migrated template database, building it if no test
// process has yet: under an advisory lock, as a database of its own that is renamed
// only once every migration is in.
func template(admin *sql.DB) (string, error) {
	digest, err := storage.MigrationsDigest(storage.Postgres)
	if err != nil {
		return "", err
	}
	name := "stoa_template_" + digest
	if _, ok := templates.Load(name); ok {
		return name, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	conn, err := admin.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "select pg_advisory_lock($1)", int64(lockTemplate)); err != nil {
		return "", err
	}
	defer conn.ExecContext(context.Background(), "select pg_advisory_unlock($1)", int64(lockTemplate))
	var exists bool
	if err := conn.QueryRowContext(ctx, "select exists(select 1 from pg_database where datname = $1)", name).Scan(&exists); err != nil {
		return "", err
	}
	if !exists {
		var b [6]byte
		rand.Read(b[:])
		build := "stoa_test_" + hex.EncodeToString(b[:])
		if _, err := conn.ExecContext(ctx, "create database "+build); err != nil {
			return "", err
		}
		u, err := databaseURL(build)
		if err != nil {
			return "", err
		}
		db, err := storage.Open(ctx, u, storage.Options{MaxConns: 1})
		if err != nil {
			conn.ExecContext(ctx, "drop database if exists "+build+" with (force)")
			return "", fmt.Errorf("migrate %s: %w", build, err)
		}
		db.Close()
		// Renaming, like copying, waits for the builder's session to end.
		if err := createDatabase(admin, "alter database "+build+" rename to "+name); err != nil {
			return "", err
		}
	}
	templates.Store(name, true)
	return name, nil
}
