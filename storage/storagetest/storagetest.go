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
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

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
	db, err := storage.Open(context.Background(), Target(t, engine), opts)
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
	if _, err := admin.Exec("create database " + name); err != nil {
		admin.Close()
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		// with (force) ends connections a failed test left open.
		if _, err := admin.Exec("drop database if exists " + name + " with (force)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(Server())
	if err != nil {
		t.Fatalf("STOA_TEST_POSTGRES: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}
