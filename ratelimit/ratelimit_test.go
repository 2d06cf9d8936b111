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

func TestMarksRememberAndStayBounded(t *testing.T) {
	m := NewMarks(time.Hour, 3)
	m.Mark("a")
	if !m.Has("a") || m.Has("b") {
		t.Fatal("a mark is not remembered, or an unmarked key is")
	}
	for i := range 10 {
		m.Mark(string(rune('b' + i)))
	}
	if m.Len() > 3 {
		t.Fatalf("%d marks kept, want at most 3", m.Len())
	}
	if !m.Has("k") {
		t.Fatal("the newest mark was dropped")
	}
	short := NewMarks(time.Nanosecond, 3)
	short.Mark("x")
	time.Sleep(time.Millisecond)
	if short.Has("x") {
		t.Fatal("an expired mark is still there")
	}
}
