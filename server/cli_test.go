package server

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"stoa/storage/storagetest"
)

func TestHelpListsTheCommands(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		var out, errOut bytes.Buffer
		if code := run(args, nil, &out, &errOut); code != 0 {
			t.Fatalf("stoa %v: code %d: %s", args, code, errOut.String())
		}
		for _, want := range []string{"stoa user add", "stoa backup", "stoa migrate-data", "stoa version"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("stoa %v does not list %q:\n%s", args, want, out.String())
			}
		}
	}
	var out bytes.Buffer
	run([]string{"--help"}, nil, &out, io.Discard)
	if !strings.Contains(out.String(), "-addr") {
		t.Errorf("stoa --help does not show serve's flags:\n%s", out.String())
	}
}

func TestUserAddAcceptsFlagsAfterTheName(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args       []string
		name, role string
	}{
		{[]string{"user", "add", "alice", "--role", "admin", "--data", dir}, "alice", "admin"},
		{[]string{"user", "add", "--data", dir, "bob", "--role=moderator"}, "bob", "moderator"},
		{[]string{"user", "add", "--data", dir, "--role", "member", "carol"}, "carol", "member"},
	} {
		var out, errOut bytes.Buffer
		if code := run(c.args, strings.NewReader("a long enough password\n"), &out, &errOut); code != 0 {
			t.Fatalf("stoa %v: code %d: %s", c.args, code, errOut.String())
		}
		want := "Added " + c.role + ` "` + c.name + `"`
		if !strings.HasPrefix(out.String(), want) {
			t.Errorf("stoa %v printed %q, want it to start with %q", c.args, out.String(), want)
		}
	}
	var errOut bytes.Buffer
	if code := run([]string{"user", "add", "--data", dir, "dave", "erin"}, strings.NewReader("pw pw pw pw pw\n"), io.Discard, &errOut); code == 0 ||
		!strings.Contains(errOut.String(), "usage: stoa user add") {
		t.Errorf("two names: code %d, %q; want a usage error", code, errOut.String())
	}
}

func TestBusyPortSaysHowToChooseAnother(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cfg := Config{Addr: ln.Addr().String(), DataDir: filepath.Join(t.TempDir(), "data"), Quiet: true, LogFormat: "text"}
	app, err := NewApp(context.Background(), onTestEngine(t, cfg), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	err = app.ListenAndServe(context.Background())
	if err == nil || !strings.Contains(err.Error(), "make run ADDR=") || !strings.Contains(err.Error(), "--addr") {
		t.Fatalf("listening on a busy port: %v; want advice on choosing another address", err)
	}
}

// stoa user passwd sets a member's password while the server runs, logs them out
// everywhere, and takes its flags before or after the name (issue 16, bug 2).
func TestUserPasswd(t *testing.T) {
	dir := t.TempDir()
	cfg := onTestEngine(t, Config{Addr: "127.0.0.1:0", DataDir: dir, Quiet: true, LogFormat: "text"})
	if cfg.DatabaseURL != "" {
		t.Setenv("STOA_DATABASE_URL", cfg.DatabaseURL) // the commands below use it too
	}
	if code := run([]string{"user", "add", "alice", "--data", dir}, strings.NewReader("the first password\n"), io.Discard, io.Discard); code != 0 {
		t.Fatal("could not add alice")
	}
	app, err := NewApp(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	ctx := context.Background()
	_, session, err := app.accounts.LogIn(ctx, "alice", "the first password")
	if err != nil {
		t.Fatal(err)
	}

	var out, errOut bytes.Buffer
	if code := run([]string{"user", "passwd", "alice", "--data", dir}, strings.NewReader("short\n"), &out, &errOut); code == 0 ||
		!strings.Contains(errOut.String(), "at least 8 characters") {
		t.Fatalf("a short password: code %d, %q; want it refused with the rule", code, errOut.String())
	}
	errOut.Reset()
	if code := run([]string{"user", "passwd", "--data", dir, "nobody"}, strings.NewReader("a new password\n"), &out, &errOut); code == 0 ||
		!strings.Contains(errOut.String(), `no member called "nobody"`) {
		t.Fatalf("an unknown member: code %d, %q", code, errOut.String())
	}
	t.Setenv("STOA_PASSWORD", "the second password")
	out.Reset()
	if code := run([]string{"user", "passwd", "alice", "--data", dir}, nil, &out, &errOut); code != 0 {
		t.Fatalf("stoa user passwd alice: code %d: %s", code, errOut.String())
	}
	if !strings.HasPrefix(out.String(), `Changed the password of member "alice"`) {
		t.Errorf("stoa user passwd printed %q", out.String())
	}
	if _, err := app.accounts.SessionUser(ctx, session); err == nil {
		t.Error("alice's session still works after her password was set")
	}
	if _, _, err := app.accounts.LogIn(ctx, "alice", "the first password"); err == nil {
		t.Error("the old password still logs in")
	}
	if _, _, err := app.accounts.LogIn(ctx, "alice", "the second password"); err != nil {
		t.Errorf("the new password does not log in: %v", err)
	}
	// Flags first works too.
	t.Setenv("STOA_PASSWORD", "the third password")
	if code := run([]string{"user", "passwd", "--data", dir, "alice"}, nil, io.Discard, &errOut); code != 0 {
		t.Fatalf("flags before the name: code %d: %s", code, errOut.String())
	}
	if _, _, err := app.accounts.LogIn(ctx, "alice", "the third password"); err != nil {
		t.Errorf("the third password does not log in: %v", err)
	}
	out.Reset()
	run([]string{"--help"}, nil, &out, io.Discard)
	if !strings.Contains(out.String(), "stoa user passwd NAME") {
		t.Errorf("stoa --help does not list user passwd:\n%s", out.String())
	}
}

func TestMigrateDataCommand(t *testing.T) {
	dir := t.TempDir()
	if code := run([]string{"user", "add", "ann", "--data", dir}, strings.NewReader("a long enough password\n"), io.Discard, io.Discard); code != 0 {
		t.Fatal("user add failed")
	}
	target := storagetest.NewPostgres(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"migrate-data", "--data", dir}, "needs --to postgres://"},
		{[]string{"migrate-data", "--data", dir, "--to", "mysql://db/stoa"}, `--to "mysql://db/stoa" must be a postgres:// URL`},
		{[]string{"migrate-data", "--to", target, "--data", filepath.Join(dir, "nothing")}, "no Stoa database at"},
		{[]string{"migrate-data", "--data", dir, "--to", "postgres://postgres@127.0.0.1:1/stoa?connect_timeout=5"}, "connect to PostgreSQL"},
		{[]string{"migrate-data", "--data", dir, "extra", "--to", target}, "takes no arguments"},
		{[]string{"migrate-data", "--data", dir, "--database", target}, "give the PostgreSQL URL as --to"},
	} {
		var out, errOut bytes.Buffer
		if code := run(c.args, nil, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), c.want) {
			t.Errorf("stoa %v: code %d, %q; want 1 and %q", c.args, code, errOut.String(), c.want)
		}
	}
	// Flags after the command's other words, a line per table, then done.
	var out, errOut bytes.Buffer
	if code := run([]string{"migrate-data", "--to", target, "--data", dir}, nil, &out, &errOut); code != 0 {
		t.Fatalf("migrate-data: code %d: %s", code, errOut.String())
	}
	for _, want := range []string{"table users: 1 rows\n", "table posts: 0 rows\n", "Done: every table's row count and checksum match"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("migrate-data printed no %q:\n%s", want, out.String())
		}
	}
	errOut.Reset()
	if code := run([]string{"migrate-data", "--to", target, "--data", dir}, nil, io.Discard, &errOut); code != 1 || !strings.Contains(errOut.String(), "not empty") {
		t.Errorf("second migrate-data into the same database: code %d, %q", code, errOut.String())
	}
}
