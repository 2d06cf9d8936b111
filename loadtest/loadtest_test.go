package main

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// buildStoa compiles the server from the module root into dir, as make build would.
func buildStoa(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "stoa")
	cmd := exec.Command("go", "build", "-tags", "sqlite_fts5", "-o", bin, ".")
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestQuickRunCompletesAndLosesNoAcknowledgedWrite runs every scenario with small numbers
// against the real binary, then checks that each one produced its figures and that every
// reply, thread and chat message the server acknowledged is in the database after the
// server stopped. It judges correctness, never speed.
func TestQuickRunCompletesAndLosesNoAcknowledgedWrite(t *testing.T) {
	bin := buildStoa(t)
	cfg, err := parseFlags([]string{"-quick", "-bin", bin}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var log bytes.Buffer
	rep := run(ctx, cfg, &log)
	var out bytes.Buffer
	rep.print(&out, "go test ./loadtest")
	t.Log("\n" + out.String())

	for name, err := range map[string]error{"setup": rep.setupErr, "forum": rep.forumErr, "idle": rep.idleErr,
		"fan-out": rep.fanErr, "ingest": rep.ingErr, "stop": rep.stopErr, "verify": rep.verErr} {
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	f := rep.forum
	if f.Thread.Ops == 0 || f.Thread.Errors > 0 || f.Ceiling.Ops == 0 || f.At70.Ops == 0 || f.At70.Errors > 0 {
		t.Errorf("thread page: %d reads (%d errors: %v), ceiling %d, at 70 %% %d (%d errors: %v)",
			f.Thread.Ops, f.Thread.Errors, f.Thread.FirstErr, f.Ceiling.Ops, f.At70.Ops, f.At70.Errors, f.At70.FirstErr)
	}
	if f.Posting.Ops == 0 || f.Posting.Errors > 0 {
		t.Errorf("posting: %d replies acknowledged, %d errors: %v", f.Posting.Ops, f.Posting.Errors, f.Posting.FirstErr)
	}
	if fo := rep.fanout; len(fo.Steps) == 0 || fo.Steps[0].Acked == 0 || fo.Steps[0].Acked < fo.Steps[0].Sent ||
		fo.Steps[0].Delivered < fo.Steps[0].Expected {
		t.Errorf("fan-out: steps %+v", fo.Steps)
	}
	if i := rep.idle; i.Open != i.Clients || i.After <= 0 {
		t.Errorf("idle: %d of %d open, RSS %d → %d", i.Open, i.Clients, i.Before, i.After)
	}
	if g := rep.ingest; g.Stats.Ops == 0 || g.Stats.Errors > 0 {
		t.Errorf("ingest: %d messages acknowledged, %d errors: %v", g.Stats.Ops, g.Stats.Errors, g.Stats.FirstErr)
	}
	// Every member's first message in a room is held until they confirm that the room is
	// public (DESIGN.md, "Chat WebSocket"): the senders must have been asked.
	if g := rep.ingest; g.Confirms == 0 {
		t.Error("ingest: no sender was asked to confirm that its room is public")
	}
	v := rep.verified
	if !v.OK() || v.Posts == 0 || v.Threads == 0 || v.Messages == 0 {
		t.Errorf("acknowledged writes: %+v", *v)
	}
	if !strings.Contains(out.String(), "acknowledged writes") {
		t.Errorf("the table lacks its verification line:\n%s", out.String())
	}
}

// TestPercentiles checks the latency summary on a known distribution.
func TestPercentiles(t *testing.T) {
	var d []time.Duration
	for i := 100; i >= 1; i-- {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	p50, p99, mx := percentiles(d)
	if p50 != 50*time.Millisecond || p99 != 99*time.Millisecond || mx != 100*time.Millisecond {
		t.Errorf("percentiles = %v, %v, %v; want 50ms, 99ms, 100ms", p50, p99, mx)
	}
}

// TestProbeRoundTrip checks that the fan-out probe survives as letters only.
func TestProbeRoundTrip(t *testing.T) {
	p := probe(3, 1234567890*time.Nanosecond)
	if strings.ContainsAny(p, "0123456789") {
		t.Fatalf("probe %q contains digits", p)
	}
	rest := []byte(strings.TrimPrefix(p, "probe ") + "</p>")
	step, rest, ok := parseLetters(rest)
	if !ok || step != 3 || rest[0] != ' ' {
		t.Fatalf("step = %d, ok %v, rest %q", step, ok, rest)
	}
	stamp, _, ok := parseLetters(rest[1:])
	if !ok || stamp != 1234567890 {
		t.Fatalf("stamp = %d, ok %v", stamp, ok)
	}
}

// TestFlags checks -only and -rates.
func TestFlags(t *testing.T) {
	cfg, err := parseFlags([]string{"-quick", "-only", "ceiling,ingest", "-rates", "10,20"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Only["thread"] || !cfg.Only["ingest"] || cfg.Only["fanout"] || len(cfg.FanoutRates) != 2 {
		t.Errorf("config %+v", cfg)
	}
	if _, err := parseFlags([]string{"-only", "nope"}, &bytes.Buffer{}); err == nil {
		t.Error("-only nope was accepted")
	}
	if _, err := parseFlags([]string{"-rates", "x"}, &bytes.Buffer{}); err == nil {
		t.Error("-rates x was accepted")
	}
}
