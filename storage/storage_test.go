package storage

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
)

func openTest(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "stoa.db"), Options{})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestOpenAppliesMigrationsOnce(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "stoa.db")
	ctx := context.Background()
	for range 2 {
		db, err := Open(ctx, path, Options{})
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		var v int
		if err := db.Read().QueryRow("pragma user_version").Scan(&v); err != nil {
			t.Fatal(err)
		}
		all, _ := loadMigrations()
		if want := all[len(all)-1].version; v != want {
			t.Fatalf("user_version = %d, want %d", v, want)
		}
		var mode string
		if err := db.Read().QueryRow("pragma journal_mode").Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if mode != "wal" {
			t.Fatalf("journal_mode = %q, want wal", mode)
		}
		db.Close()
	}
}

func TestReadersCannotWrite(t *testing.T) {
	db := openTest(t)
	_, err := db.Read().Exec("insert into categories(slug, name, created_at) values ('x', 'X', 0)")
	if err == nil {
		t.Fatal("a read connection accepted a write")
	}
}

func TestConcurrentWritesAllCommitAndFailuresStayIsolated(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	const n = 200
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.Write(ctx, func(tx *Tx) error {
				if i%10 == 0 {
					// Insert then fail: the savepoint must undo this row only.
					tx.Exec("insert into categories(slug, name, created_at) values (?, 'bad', 0)", "bad"+strconv.Itoa(i))
					return errors.New("deliberate")
				}
				_, err := tx.Exec("insert into categories(slug, name, created_at) values (?, 'ok', 0)", "ok"+strconv.Itoa(i))
				return err
			})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if (i%10 == 0) != (err != nil) {
			t.Fatalf("write %d: err = %v", i, err)
		}
	}
	var ok, bad int
	if err := db.Read().QueryRow("select count(*) from categories where name='ok'").Scan(&ok); err != nil {
		t.Fatal(err)
	}
	if err := db.Read().QueryRow("select count(*) from categories where name='bad'").Scan(&bad); err != nil {
		t.Fatal(err)
	}
	if ok != n-n/10 || bad != 0 {
		t.Fatalf("ok=%d bad=%d, want %d and 0", ok, bad, n-n/10)
	}
}

func TestWritePanicIsAnErrorNotACrash(t *testing.T) {
	db := openTest(t)
	err := db.Write(context.Background(), func(tx *Tx) error { panic("boom") })
	if err == nil {
		t.Fatal("panicking write returned nil")
	}
	if err := db.Write(context.Background(), func(tx *Tx) error { return nil }); err != nil {
		t.Fatalf("writer unusable after panic: %v", err)
	}
}

func TestBackupIsAConsistentCopy(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	if err := db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec("insert into categories(slug, name, created_at) values ('general', 'General', 0)")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "copy.db")
	if err := BackupFile(ctx, db.Path(), dest); err != nil {
		t.Fatalf("backup: %v", err)
	}
	if err := BackupFile(ctx, db.Path(), dest); err == nil {
		t.Fatal("backup overwrote an existing file")
	}
	restored, err := Open(ctx, dest, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	var name string
	if err := restored.Read().QueryRow("select name from categories where slug='general'").Scan(&name); err != nil || name != "General" {
		t.Fatalf("restored copy: name=%q err=%v", name, err)
	}
}

func TestWriteAfterCloseFails(t *testing.T) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "s.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := db.Write(context.Background(), func(*Tx) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Fatalf("err = %v, want ErrClosed", err)
	}
}

func TestCachedStatementsReadAndWrite(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	for i := range 3 {
		if err := db.Write(ctx, func(tx *Tx) error {
			_, err := tx.Exec("insert into categories(slug, name, created_at) values (?, ?, 0)", "c"+strconv.Itoa(i), "C")
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := db.QueryRow(ctx, "select count(*) from categories where name = ?", "C").Scan(&n); err != nil || n != 3 {
		t.Fatalf("count = %d, %v", n, err)
	}
	rows, err := db.Query(ctx, "select slug from categories where name = ? order by slug", "C")
	if err != nil {
		t.Fatal(err)
	}
	var slugs []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		slugs = append(slugs, s)
	}
	rows.Close()
	if len(slugs) != 3 || slugs[0] != "c0" {
		t.Fatalf("slugs %v", slugs)
	}
	if err := db.QueryRow(ctx, "select nonsense from nowhere").Scan(&n); err == nil {
		t.Fatal("a broken query reported no error")
	}
	if err := db.Write(ctx, func(tx *Tx) error {
		return tx.QueryRow("select count(*) from categories").Scan(&n)
	}); err != nil || n != 3 {
		t.Fatalf("TxQueryRow: %d %v", n, err)
	}
}

// The writer keeps its savepoint journals in memory (see newWriterConnector).
func TestWriterKeepsTempStoreInMemory(t *testing.T) {
	db := openTest(t)
	var store int
	if err := db.Write(context.Background(), func(tx *Tx) error {
		return tx.QueryRow("pragma temp_store").Scan(&store)
	}); err != nil {
		t.Fatal(err)
	}
	if store != 2 {
		t.Fatalf("temp_store = %d, want 2 (memory)", store)
	}
}
