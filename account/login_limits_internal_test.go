package account

import (
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"testing"
	"time"

	"stoa/bus"
)

// Two nodes' login limits on a real NATS: attempts counted on one node count on the other,
// so ten guesses on node A leave none for node B.
func TestLoginLimitsHoldAcrossNodes(t *testing.T) {
	if c, err := net.DialTimeout("tcp", "127.0.0.1:4222", 2*time.Second); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("NATS is not reachable at 127.0.0.1:4222: %v", err)
		}
		t.Skipf("NATS is not reachable at 127.0.0.1:4222 (%v)", err)
	} else {
		c.Close()
	}
	b := make([]byte, 6)
	rand.Read(b)
	cluster := "t" + hex.EncodeToString(b)
	open := func(node string) *bus.Bus {
		p, err := bus.Open(bus.Options{URL: "nats://127.0.0.1:4222", Node: node, Cluster: cluster})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(p.Close)
		return p
	}
	pa, pb := open("a"), open("b")
	a, b2 := newLoginLimits(pa), newLoginLimits(pb)
	pa.Flush()
	pb.Flush()
	for i := range loginBurst {
		if !a.admit("victim", "10.0.0.1") {
			t.Fatalf("attempt %d refused on node A", i+1)
		}
		a.result("victim", "10.0.0.1", false)
	}
	pa.Flush()
	// Node B hears of the ten attempts and of the address that failed (in that order,
	// from one node): once it has the mark, the address is refused there, though it never
	// tried on B, because B counted A's ten attempts against the account.
	deadline := time.Now().Add(5 * time.Second)
	for !b2.failed.Has(loginPair("victim", "10.0.0.1")) {
		if time.Now().After(deadline) {
			t.Fatal("node B never heard that the address gave a wrong password on node A")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if b2.admit("victim", "10.0.0.1") {
		t.Fatal("node B lets the address that failed ten times on node A guess again")
	}
	// The owner, from an address that never failed, still gets an attempt on node B.
	if !b2.admit("victim", "192.0.2.7") {
		t.Fatal("the owner's fresh address is locked out on node B")
	}
}
