package account_test

import (
	"archive/zip"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"stoa/account"
	"stoa/storage"
)

// newAccounts is the account service on a fresh database, with these data sources.
func newAccounts(t *testing.T, sources ...account.DataSource) (*account.Service, *storage.DB) {
	t.Helper()
	db := openDB(t)
	return newService(db, account.Options{DataSources: sources}), db
}

// countingWriter counts what reached it.
type countingWriter struct{ n int }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += len(p)
	return len(p), nil
}

// bigSource puts many records; checkSource records how much of the archive had already
// reached the writer when its turn came.
type bigSource struct{}

func (bigSource) ExportUser(_ context.Context, _ int64, put func(string, any) error) error {
	rows := make([]map[string]string, 2000)
	for i := range rows {
		// Varied text, so compression cannot shrink it to nothing.
		rows[i] = map[string]string{"text": strings.Repeat(string(rune('a'+i%26)), 20) + account.NewToken()}
	}
	return put("big.json", rows)
}

func (bigSource) EraseUser(*storage.Tx, int64, bool) error { return nil }

type checkSource struct {
	w    *countingWriter
	seen int
}

func (c *checkSource) ExportUser(_ context.Context, _ int64, put func(string, any) error) error {
	c.seen = c.w.n
	return put("small.json", []string{"one"})
}

func (*checkSource) EraseUser(*storage.Tx, int64, bool) error { return nil }

// The export streams: what one data source handed over reaches the client before the next
// source is even asked, so no archive is ever built whole in memory (P15).
func TestExportStreams(t *testing.T) {
	w := &countingWriter{}
	check := &checkSource{w: w}
	svc, _ := newAccounts(t, bigSource{}, check)
	ctx := context.Background()
	u, err := svc.CreateUser(ctx, "alice", "password-alice", account.RoleMember)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Export(ctx, u.ID, w); err != nil {
		t.Fatal(err)
	}
	if check.seen < 50<<10 {
		t.Errorf("only %d bytes had been written when the second source ran; the archive is being held back", check.seen)
	}

	var buf bytes.Buffer
	if err := svc.Export(ctx, u.ID, &buf); err != nil {
		t.Fatal(err)
	}
	z, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range z.File {
		names = append(names, f.Name)
	}
	want := "profile.json profile.html sessions.json sessions.html big.json big.html small.json small.html index.html"
	if strings.Join(names, " ") != want {
		t.Errorf("archive holds %v, want %s", names, want)
	}
}

// A data source cannot overwrite another's file or escape the archive's folder.
func TestExportRefusesBadFileNames(t *testing.T) {
	svc, _ := newAccounts(t, namedSource("profile.json"))
	ctx := context.Background()
	u, _ := svc.CreateUser(ctx, "alice", "password-alice", account.RoleMember)
	if err := svc.Export(ctx, u.ID, &countingWriter{}); err == nil {
		t.Error("a second profile.json was accepted")
	}
	svc2, _ := newAccounts(t, namedSource("../../etc/passwd.json"))
	u2, _ := svc2.CreateUser(ctx, "bob", "password-bob", account.RoleMember)
	var buf bytes.Buffer
	if err := svc2.Export(ctx, u2.ID, &buf); err != nil {
		t.Fatal(err)
	}
	z, _ := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	for _, f := range z.File {
		if strings.Contains(f.Name, "/") || strings.Contains(f.Name, "..") {
			t.Errorf("archive entry %q leaves the folder", f.Name)
		}
	}
}

type namedSource string

func (n namedSource) ExportUser(_ context.Context, _ int64, put func(string, any) error) error {
	return put(string(n), map[string]string{"x": "y"})
}

func (namedSource) EraseUser(*storage.Tx, int64, bool) error { return nil }

// Deleting an account needs the password, keeps the last administrator, and leaves no
// personal field, session or one-time link behind (P15).
func TestDeleteAccountRules(t *testing.T) {
	svc, db := newAccounts(t)
	ctx := context.Background()
	root, _ := svc.CreateUser(ctx, "root", "password-root", account.RoleAdmin)
	alice, _, err := svc.Register(ctx, account.Registration{Username: "alice", Password: "password-alice", Email: "alice@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteAccount(ctx, alice.ID, "wrong", true); !errors.Is(err, account.ErrBadCredentials) {
		t.Fatalf("wrong password: %v", err)
	}
	if err := svc.DeleteAccount(ctx, root.ID, "password-root", true); !errors.Is(err, account.ErrLastAdmin) {
		t.Fatalf("deleting the last admin: %v", err)
	}
	if _, err := svc.Store().ByID(ctx, root.ID); err != nil {
		t.Fatal("the last admin was deleted after all")
	}
	if err := db.Write(ctx, func(tx *storage.Tx) error {
		_, err := tx.Exec("insert into account_tokens(token_hash, user_id, purpose, email, created_at, expires_at) values (?, ?, 'confirm', 'new@example.org', 1, 9999999999)", []byte{1}, alice.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteAccount(ctx, alice.ID, "password-alice", false); err != nil {
		t.Fatal(err)
	}
	var name, key, hash string
	var email sql.NullString
	var sessions, tokens int
	scan(t, db.QueryRow(context.Background(), "select username, username_key, coalesce(email, ''), password_hash from users where id = ?", alice.ID), &name, &key, &email, &hash)
	scan(t, db.QueryRow(context.Background(), "select count(*) from sessions where user_id = ?", alice.ID), &sessions)
	scan(t, db.QueryRow(context.Background(), "select count(*) from account_tokens where user_id = ?", alice.ID), &tokens)
	if name != account.FormerMember || strings.Contains(key, "alice") || email.String != "" || hash != "!" || sessions+tokens != 0 {
		t.Errorf("after deletion: name %q key %q email %q hash %q, %d sessions, %d tokens", name, key, email.String, hash, sessions, tokens)
	}
	if _, _, err := svc.LogIn(ctx, "alice", "password-alice"); !errors.Is(err, account.ErrBadCredentials) {
		t.Errorf("log in as the deleted member: %v", err)
	}
}

// heldSource holds the export it is part of until released.
type heldSource struct {
	started chan struct{}
	release chan struct{}
}

func (h heldSource) ExportUser(_ context.Context, _ int64, put func(string, any) error) error {
	h.started <- struct{}{}
	<-h.release
	return put("held.json", []string{"x"})
}

func (heldSource) EraseUser(*storage.Tx, int64, bool) error { return nil }

// At most ExportSlots exports run at once: another is told to try again, not queued.
func TestExportsAreLimited(t *testing.T) {
	held := heldSource{started: make(chan struct{}), release: make(chan struct{})}
	svc, _ := newAccounts(t, held)
	ctx := context.Background()
	u, err := svc.CreateUser(ctx, "alice", "password-alice", account.RoleMember)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, account.ExportSlots)
	for range account.ExportSlots {
		go func() { done <- svc.Export(ctx, u.ID, io.Discard) }()
		<-held.started
	}
	if err := svc.Export(ctx, u.ID, io.Discard); !errors.Is(err, account.ErrExportsBusy) {
		t.Fatalf("an export beyond the slots: %v, want ErrExportsBusy", err)
	}
	close(held.release)
	for range account.ExportSlots {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	go func() { <-held.started }()
	if err := svc.Export(ctx, u.ID, io.Discard); err != nil {
		t.Fatalf("once the others finished: %v", err)
	}
}

// TestExportMemory reports what one export of 20,000 records (4 MB of text) allocates;
// run with -v. It is a measurement, not a check.
func TestExportMemory(t *testing.T) {
	svc, _ := newAccounts(t, largeSource{})
	ctx := context.Background()
	u, err := svc.CreateUser(ctx, "alice", "password-alice", account.RoleMember)
	if err != nil {
		t.Fatal(err)
	}
	// The peak of live memory above what was in use before, sampled while it runs.
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	stop, peak := make(chan struct{}), make(chan uint64)
	go func() {
		var most uint64
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			most = max(most, m.HeapAlloc)
			select {
			case <-stop:
				peak <- most
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	err = svc.Export(ctx, u.ID, io.Discard)
	close(stop)
	most := <-peak
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("export of 20,000 records (4 MB of text): peak heap %.1f MB above the start", float64(most-before.HeapAlloc)/1e6)
}

type largeSource struct{}

func (largeSource) ExportUser(_ context.Context, _ int64, put func(string, any) error) error {
	type post struct {
		ID       int    `json:"id"`
		Markdown string `json:"markdown"`
	}
	rows := make([]post, 20000)
	for i := range rows {
		rows[i] = post{ID: i, Markdown: strings.Repeat("word ", 40)}
	}
	return put("posts.json", rows)
}

func (largeSource) EraseUser(*storage.Tx, int64, bool) error { return nil }
