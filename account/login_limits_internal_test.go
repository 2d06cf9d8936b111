package account

import (
	"testing"
	"time"

	"stoa/bus/bustest"
)

// Two nodes' login limits on a real NATS: attempts counted on one node count on the other,
// so ten guesses on node A leave none for node B.
func TestLoginLimitsHoldAcrossNodes(t *testing.T) {
	open := bustest.Nodes(t)
	pa, pb := open("a"), open("b")
	a, err := newLoginLimits(pa)
	if err != nil {
		t.Fatal(err)
	}
	b2, err := newLoginLimits(pb)
	if err != nil {
		t.Fatal(err)
	}
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
