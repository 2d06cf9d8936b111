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
)

func TestHelpListsTheCommands(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		var out, errOut bytes.Buffer
		if code := run(args, nil, &out, &errOut); code != 0 {
			t.Fatalf("stoa %v: code %d: %s", args, code, errOut.String())
		}
		for _, want := range []string{"stoa user add", "stoa backup", "stoa version"} {
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
	app, err := NewApp(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	err = app.ListenAndServe(context.Background())
	if err == nil || !strings.Contains(err.Error(), "make run ADDR=") || !strings.Contains(err.Error(), "--addr") {
		t.Fatalf("listening on a busy port: %v; want advice on choosing another address", err)
	}
}
