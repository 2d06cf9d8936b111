package storage_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"stoa/storage"
	"stoa/storage/storagetest"
)

// Every SQLite migration has a PostgreSQL twin with the same number and name, and no twin
// is left without its SQLite migration.
func TestEveryMigrationHasAPostgresTwin(t *testing.T) {
	names := func(dir string) []string {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".sql") {
				out = append(out, e.Name())
			}
		}
		return out
	}
	lite, pg := names("migrations/sqlite"), names("migrations/postgres")
	for _, n := range lite {
		if !slices.Contains(pg, n) {
			t.Errorf("migrations/sqlite/%s has no twin in migrations/postgres", n)
		}
	}
	for _, n := range pg {
		if !slices.Contains(lite, n) {
			t.Errorf("migrations/postgres/%s has no SQLite migration of the same name", n)
		}
	}
}

// schema lists "table.column" for every table of db, but engine internals: SQLite's FTS5
// shadow tables, and PostgreSQL's schema_migrations and the tsvector column search adds.
func schema(t *testing.T, db *storage.DB) []string {
	t.Helper()
	ctx := context.Background()
	var q string
	if db.Dialect() == storage.Postgres {
		q = `select table_name, column_name from information_schema.columns
			where table_schema = 'public' and table_name <> 'schema_migrations'`
	} else {
		q = `select m.name, p.name from sqlite_master m join pragma_table_info(m.name) p
			where m.type = 'table' and m.name not like 'sqlite_%'
			and m.name not like '%_data' and m.name not like '%_idx' and m.name not like '%_content'
			and m.name not like '%_docsize' and m.name not like '%_config'`
	}
	rows, err := db.Query(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var table, col string
		if err := rows.Scan(&table, &col); err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(table, "_search") && (col == "rowid" || col == "document") {
			continue // FTS5's hidden key and PostgreSQL's tsvector
		}
		out = append(out, table+"."+col)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// Both engines end their migrations with the same tables and columns.
func TestEnginesEndWithTheSameSchema(t *testing.T) {
	lite := schema(t, storagetest.OpenEngine(t, storage.SQLite, storage.Options{}))
	pg := schema(t, storagetest.OpenEngine(t, storage.Postgres, storage.Options{}))
	for _, c := range lite {
		if !slices.Contains(pg, c) {
			t.Errorf("%s is on SQLite but not on PostgreSQL", c)
		}
	}
	for _, c := range pg {
		if !slices.Contains(lite, c) {
			t.Errorf("%s is on PostgreSQL but not on SQLite", c)
		}
	}
	if len(lite) < 50 {
		t.Fatalf("only %d columns found on SQLite: the query is wrong", len(lite))
	}
}

func forEngine(t *testing.T, test func(t *testing.T, db *storage.DB)) {
	for _, e := range storagetest.Engines {
		t.Run(e.String(), func(t *testing.T) { test(t, storagetest.OpenEngine(t, e, storage.Options{})) })
	}
}

func write(t *testing.T, db *storage.DB, query string, args ...any) error {
	t.Helper()
	return db.Write(context.Background(), func(tx *storage.Tx) error {
		_, err := tx.Exec(query, args...)
		return err
	})
}

// The audit log refuses changes and removals on both engines.
func TestAuditLogIsAppendOnly(t *testing.T) {
	forEngine(t, func(t *testing.T, db *storage.DB) {
		if err := write(t, db, "insert into audit_log(at, actor_name, action, reason) values (?, ?, ?, ?)", 1, "mod", "ban", "spam"); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{"update audit_log set reason = 'nothing'", "delete from audit_log", "delete from audit_actions where name = 'ban'"} {
			if err := write(t, db, q); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: err = %v, want append-only refusal", q, err)
			}
		}
		var reason string
		if err := db.QueryRow(context.Background(), "select reason from audit_log where action = ?", "ban").Scan(&reason); err != nil || reason != "spam" {
			t.Fatalf("entry now %q, %v", reason, err)
		}
	})
}

// InsertID returns each new row's id; IsUniqueViolation recognises a duplicate on both
// engines; `?` inside a literal stays a question mark.
func TestInsertIDUniqueViolationAndPlaceholders(t *testing.T) {
	forEngine(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		var ids []int64
		for _, slug := range []string{"a", "b"} {
			err := db.Write(ctx, func(tx *storage.Tx) error {
				id, err := tx.InsertID("insert into categories(slug, name, created_at) values (?, 'what? -- no', ?)", slug, 0)
				ids = append(ids, id)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if ids[0] <= 0 || ids[1] != ids[0]+1 {
			t.Fatalf("ids %v", ids)
		}
		var name string
		if err := db.QueryRow(ctx, "select name from categories where id = ? and name like '%?%'", ids[1]).Scan(&name); err != nil || name != "what? -- no" {
			t.Fatalf("name %q, %v", name, err)
		}
		err := write(t, db, "insert into categories(slug, name, created_at) values (?, ?, ?)", "a", "again", 0)
		if !storage.IsUniqueViolation(err) {
			t.Fatalf("duplicate slug: %v, not a unique violation", err)
		}
		if storage.IsUniqueViolation(errors.New("unique")) {
			t.Fatal("any error counts as a unique violation")
		}
		// A Go bool is a flag (0/1) on both engines.
		if err := write(t, db, "insert into users(username, username_key, password_hash, created_at, email_verified) values ('x', 'x', '!', 0, ?)", true); err != nil {
			t.Fatal(err)
		}
		var v int
		if err := db.QueryRow(ctx, "select email_verified from users where username_key = ?", "x").Scan(&v); err != nil || v != 1 {
			t.Fatalf("flag %d, %v", v, err)
		}
	})
}

// On PostgreSQL writes run side by side, yet the AfterCommit functions of writes ordered
// under one key run in the order the writes committed: here every write appends the
// next number to a row it locks, so commit order is the order of the numbers.
func TestPostgresAfterCommitRunsInCommitOrderPerKey(t *testing.T) {
	db := storagetest.OpenEngine(t, storage.Postgres, storage.Options{})
	ctx := context.Background()
	if err := write(t, db, "insert into site_settings(name, value) values ('n', '0')"); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var told []int
	var wg sync.WaitGroup
	const writers = 40
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := db.Write(ctx, func(tx *storage.Tx) error {
				tx.Order("counter")
				var n int
				if err := tx.QueryRow("select cast(value as bigint) from site_settings where name = 'n' for update").Scan(&n); err != nil {
					return err
				}
				n++
				if _, err := tx.Exec("update site_settings set value = ? where name = 'n'", fmt.Sprint(n)); err != nil {
					return err
				}
				tx.AfterCommit(func() {
					mu.Lock()
					told = append(told, n)
					mu.Unlock()
				})
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if len(told) != writers {
		t.Fatalf("%d callbacks ran, want %d", len(told), writers)
	}
	for i, n := range told {
		if n != i+1 {
			t.Fatalf("callbacks ran in order %v, want 1…%d", told, writers)
		}
	}
}

// A failed write on PostgreSQL changes nothing and runs no AfterCommit; a panicking one
// is an error, not a crash.
func TestPostgresFailedWriteLeavesNothing(t *testing.T) {
	db := storagetest.OpenEngine(t, storage.Postgres, storage.Options{})
	ctx := context.Background()
	ran := false
	err := db.Write(ctx, func(tx *storage.Tx) error {
		if _, err := tx.Exec("insert into site_settings(name, value) values ('a', 'b')"); err != nil {
			return err
		}
		tx.AfterCommit(func() { ran = true })
		return errors.New("changed my mind")
	})
	if err == nil || ran {
		t.Fatalf("err %v, after-commit ran %v", err, ran)
	}
	err = db.Write(ctx, func(tx *storage.Tx) error { panic("boom") })
	if err == nil || !strings.Contains(err.Error(), "panicked") {
		t.Fatalf("panic: %v", err)
	}
	var n int
	if err := db.QueryRow(ctx, "select count(*) from site_settings").Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d rows, %v", n, err)
	}
	db.Close()
	if err := write(t, db, "select 1"); !errors.Is(err, storage.ErrClosed) {
		t.Fatalf("write after close: %v", err)
	}
}

// A second node on the same PostgreSQL database without NATS refuses to start.
func TestSecondSingleNodeIsRefused(t *testing.T) {
	url := storagetest.NewPostgres(t)
	ctx := context.Background()
	first, err := storage.Open(ctx, url, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	if err := first.LockSingleNode(ctx); err != nil {
		t.Fatal(err)
	}
	second, err := storage.Open(ctx, url, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	err = second.LockSingleNode(ctx)
	if !errors.Is(err, storage.ErrOtherNode) || !strings.Contains(err.Error(), "--nats") {
		t.Fatalf("second node: %v", err)
	}
	first.Close()
	if err := second.LockSingleNode(ctx); err != nil {
		t.Fatalf("after the first node stopped: %v", err)
	}
}

// On PostgreSQL the writes queued under one key while its transaction is in flight
// commit together, like SQLite's group commit: here 40 writes wait behind a first one and
// need only a few transactions. Each still commits on its own terms: the one that fails
// leaves nothing and undoes nobody else's row, and the AfterCommit functions run in the
// order the rows took their ids.
func TestPostgresOrderedWritesQueuedTogetherShareACommit(t *testing.T) {
	db := storagetest.OpenEngine(t, storage.Postgres, storage.Options{})
	ctx := context.Background()
	if err := write(t, db, "create table ordered_test(id bigserial primary key, n bigint not null, txid bigint not null)"); err != nil {
		t.Fatal(err)
	}
	insert := func(n int, told *[]int64, mu *sync.Mutex) storage.TxFunc {
		return func(tx *storage.Tx) error {
			tx.Order("k") // the key it is queued under: allowed, and nothing more
			id, err := tx.InsertID("insert into ordered_test(n, txid) values (?, txid_current())", n)
			if err != nil {
				return err
			}
			if n == 7 {
				return errors.New("write 7 fails")
			}
			tx.AfterCommit(func() {
				mu.Lock()
				*told = append(*told, id)
				mu.Unlock()
			})
			return nil
		}
	}
	var mu sync.Mutex
	var told []int64
	release, holding := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- db.WriteOrdered(ctx, "k", func(tx *storage.Tx) error {
			close(holding)
			<-release
			return insert(0, &told, &mu)(tx)
		})
	}()
	<-holding
	const writers = 40
	errs := make([]error, writers+1)
	var started, wg sync.WaitGroup
	for n := 1; n <= writers; n++ {
		started.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			started.Done()
			errs[n] = db.WriteOrdered(ctx, "k", insert(n, &told, &mu))
		}()
	}
	started.Wait()
	close(release)
	errs[0] = <-first
	wg.Wait()
	for n, err := range errs {
		if (n == 7) != (err != nil) {
			t.Errorf("write %d: %v", n, err)
		}
	}
	var rows, txs int
	if err := db.QueryRow(ctx, "select count(*), count(distinct txid) from ordered_test").Scan(&rows, &txs); err != nil {
		t.Fatal(err)
	}
	if rows != writers || db.QueryRow(ctx, "select count(*) from ordered_test where n = 7").Scan(&rows) != nil || rows != 0 {
		t.Fatalf("the failed write's row is stored, or another write's row is missing")
	}
	if txs > writers/4 {
		t.Errorf("%d writes queued under one key took %d transactions; want them to share a few", writers+1, txs)
	}
	if len(told) != writers || !slices.IsSorted(told) {
		t.Fatalf("after-commit functions ran for ids %v; want %d of them, in id order", told, writers)
	}
	t.Logf("%d writes, %d transactions", writers+1, txs)
}
