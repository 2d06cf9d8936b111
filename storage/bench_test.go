package storage

import (
	"context"
	"database/sql"
	"path/filepath"
	"runtime"
	"testing"
)

// openBench opens a fresh database with a small table for benchmark writes.
func openBench(b *testing.B) *DB {
	b.Helper()
	db, err := Open(context.Background(), filepath.Join(b.TempDir(), "stoa.db"), Options{})
	if err != nil {
		b.Fatalf("open: %v", err)
	}
	b.Cleanup(func() { db.Close() })
	err = db.Write(context.Background(), func(tx *Tx) error {
		_, err := tx.Exec("create table bench_rows (id integer primary key, body text not null)")
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return db
}

// benchBody is the size of a typical chat message with its rendered HTML.
const benchBody = "<p>a short chat message, as people send them, rendered once at write time</p>"

func insertRow(tx *Tx) error {
	_, err := tx.Exec("insert into bench_rows(body) values (?)", benchBody)
	return err
}

// BenchmarkWrite measures durable writes (synchronous=FULL, one fsync per commit): one
// writer waiting for each commit in turn, against 64 writers whose writes share commits
// (group commit). ns/op is per acknowledged write.
func BenchmarkWrite(b *testing.B) {
	b.Run("sequential", func(b *testing.B) {
		db := openBench(b)
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			if err := db.Write(ctx, insertRow); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("concurrent64", func(b *testing.B) {
		db := openBench(b)
		ctx := context.Background()
		// RunParallel starts parallelism × GOMAXPROCS goroutines: at least 64 writers.
		p := runtime.GOMAXPROCS(0)
		b.SetParallelism((64 + p - 1) / p)
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := db.Write(ctx, insertRow); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// BenchmarkReadRow measures one point query on the reader pool, the shape of most page
// queries: as the stores run it today (go-sqlite3 prepares the SQL on every call) and
// with a statement prepared once, to show what statement caching would save.
func BenchmarkReadRow(b *testing.B) {
	db := openBench(b)
	ctx := context.Background()
	if err := db.Write(ctx, insertRow); err != nil {
		b.Fatal(err)
	}
	const q = "select body from bench_rows where id = ?"
	b.Run("query", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			var body string
			for pb.Next() {
				if err := db.Read().QueryRowContext(ctx, q, 1).Scan(&body); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("prepared", func(b *testing.B) {
		stmt, err := db.Read().PrepareContext(ctx, q)
		if err != nil {
			b.Fatal(err)
		}
		defer stmt.Close()
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			var body string
			for pb.Next() {
				if err := stmt.QueryRowContext(ctx, 1).Scan(&body); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// BenchmarkBatchInsert measures one insert inside a 128-insert transaction, with and
// without the savepoint that Write puts around each queued write, into an ordinary table
// and into an FTS5 index. FTS5 writes its pending terms out at every savepoint, so a
// savepoint per write turns one index segment per batch into one per write.
func BenchmarkBatchInsert(b *testing.B) {
	for _, table := range []struct{ name, ddl string }{
		{"table", "create table t (body text not null)"},
		{"fts5", "create virtual table t using fts5(body, tokenize = 'porter unicode61 remove_diacritics 2')"},
	} {
		for _, savepoint := range []bool{false, true} {
			name := table.name + "/plain"
			if savepoint {
				name = table.name + "/savepoint"
			}
			b.Run(name, func(b *testing.B) {
				db, err := sql.Open("sqlite3", "file:"+filepath.Join(b.TempDir(), "bench.db")+"?_journal_mode=WAL&_synchronous=FULL")
				if err != nil {
					b.Fatal(err)
				}
				defer db.Close()
				db.SetMaxOpenConns(1)
				if _, err := db.Exec(table.ddl); err != nil {
					b.Fatal(err)
				}
				exec := func(tx *sql.Tx, q string, args ...any) {
					if _, err := tx.Exec(q, args...); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportAllocs()
				b.ResetTimer()
				for done := 0; done < b.N; {
					tx, err := db.Begin()
					if err != nil {
						b.Fatal(err)
					}
					for j := 0; j < 128 && done < b.N; j, done = j+1, done+1 {
						if savepoint {
							exec(tx, "savepoint w")
						}
						exec(tx, "insert into t(body) values (?)", benchBody)
						if savepoint {
							exec(tx, "release w")
						}
					}
					if err := tx.Commit(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
