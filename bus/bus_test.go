package bus_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"stoa/bus"
	"stoa/bus/bustest"
)

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10 s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestEventsReachTheOtherNodesOnly(t *testing.T) {
	open := bustest.Nodes(t)
	a, b := open("a"), open("b")
	stranger := bustest.Nodes(t)("c") // another community on the same NATS
	var atA, atB, atStranger atomic.Int64
	for _, s := range []struct {
		bus *bus.Bus
		n   *atomic.Int64
	}{{a, &atA}, {b, &atB}, {stranger, &atStranger}} {
		if err := s.bus.Subscribe("x", func([]byte) { s.n.Add(1) }); err != nil {
			t.Fatal(err)
		}
	}
	for _, node := range []*bus.Bus{a, b, stranger} {
		if err := node.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	a.Publish("x", []byte("hello"))
	a.Flush()
	waitUntil(t, "b hears a", func() bool { return atB.Load() == 1 })
	b.Flush()
	stranger.Flush()
	if atA.Load() != 0 {
		t.Error("a heard its own event")
	}
	if atStranger.Load() != 0 {
		t.Error("another community on the same NATS heard the event")
	}
}

func TestTheSetupClaimHasOneHolder(t *testing.T) {
	open := bustest.Nodes(t)
	a, b := open("a"), open("b")
	ctx := context.Background()
	if mine, err := a.Claim(ctx, "setup"); err != nil || !mine {
		t.Fatalf("first claim: %v %v", mine, err)
	}
	if mine, err := b.Claim(ctx, "setup"); err != nil || mine {
		t.Fatalf("b claimed what a holds: %v %v", mine, err)
	}
	// a restarts under the same name: it still holds the claim.
	a2 := open("a")
	if mine, err := a2.Claim(ctx, "setup"); err != nil || !mine {
		t.Fatalf("a after a restart: %v %v", mine, err)
	}
	// The embedded bus is the only node: it holds everything and publishes nowhere.
	alone, _ := bus.Open(bus.Options{})
	if mine, err := alone.Claim(ctx, "setup"); err != nil || !mine || alone.Clustered() || alone.Check() != nil {
		t.Fatalf("embedded bus: %v %v", mine, err)
	}
	alone.Publish("x", nil)
}

func TestGenerationMovesWithTheOtherNodesCommits(t *testing.T) {
	open := bustest.Nodes(t)
	a, b := open("a"), open("b")
	var localA, localB atomic.Uint64
	ga, err := a.Generation(localA.Load)
	if err != nil {
		t.Fatal(err)
	}
	gb, err := b.Generation(localB.Load)
	if err != nil {
		t.Fatal(err)
	}
	defer ga.Close()
	defer gb.Close()
	b.Flush()
	before := gb.Value()
	localA.Add(1) // a commits
	waitUntil(t, "b's generation moves after a commits", func() bool { return gb.Value() != before })
	if ga.Value() != 1 {
		t.Errorf("a's generation %d: it counted its own announcement", ga.Value())
	}
}
