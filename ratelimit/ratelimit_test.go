package ratelimit

import (
	"testing"
	"time"
)

func TestBurstThenRefusedPerKey(t *testing.T) {
	k := New(time.Hour, 3)
	for i := range 3 {
		if !k.Allow("alice") {
			t.Fatalf("event %d refused within the burst", i)
		}
	}
	if k.Allow("alice") {
		t.Fatal("event beyond the burst allowed")
	}
	if !k.Allow("bob") {
		t.Fatal("another key was limited by alice's events")
	}
}
