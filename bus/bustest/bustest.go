// Package bustest connects test nodes to the NATS server on 127.0.0.1:4222, each test in a
// cluster of its own, so tests never hear each other or an earlier run. Without NATS the
// tests that need it skip with a message, except under CI=true, where they fail.
package bustest

import (
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"testing"
	"time"

	"stoa/bus"
)

// URL is the NATS server the tests use.
const URL = "nats://127.0.0.1:4222"

// Need skips t when no NATS server answers (fails under CI=true).
func Need(t testing.TB) {
	t.Helper()
	c, err := net.DialTimeout("tcp", "127.0.0.1:4222", 2*time.Second)
	if err == nil {
		c.Close()
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("NATS is not reachable at 127.0.0.1:4222: %v", err)
	}
	t.Skipf("NATS is not reachable at 127.0.0.1:4222 (%v): this test needs it", err)
}

// Nodes returns a function that connects one node after another to a fresh cluster;
// each is closed at t's cleanup.
func Nodes(t testing.TB) func(node string) *bus.Bus {
	t.Helper()
	Need(t)
	b := make([]byte, 6)
	rand.Read(b)
	cluster := "t" + hex.EncodeToString(b)
	return func(node string) *bus.Bus {
		t.Helper()
		p, err := bus.Open(bus.Options{URL: URL, Node: node, Cluster: cluster})
		if err != nil {
			t.Fatalf("connect node %s to NATS: %v", node, err)
		}
		t.Cleanup(p.Close)
		return p
	}
}
