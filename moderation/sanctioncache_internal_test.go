package moderation

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"stoa/account"
)

// cacheFixture is moderation's parts with a moderator and a member, on a clock the
// test moves.
type cacheFixture struct {
	*parts
	s          *Service
	mod, alice *account.User
}

func newCacheFixture(t *testing.T) *cacheFixture {
	t.Helper()
	p := newParts(t)
	return &cacheFixture{parts: p, s: p.svc, mod: p.member(t, "mia", account.RoleModerator),
		alice: p.member(t, "alice", account.RoleMember)}
}

// service returns a second moderation service on the fixture's database and clock: it
// stands for a second Stoa instance.
func (f *cacheFixture) service() *Service { return f.instance() }

// sanction applies a sanction to alice the way a moderator does, through Act.
func (f *cacheFixture) sanction(t *testing.T, s *Service, kind SanctionKind, d time.Duration) {
	t.Helper()
	if _, err := s.Act(context.Background(), f.mod, TargetUser, f.alice.ID,
		Decision{Sanction: &SanctionRequest{Kind: kind, Duration: d}, Reason: "test"}); err != nil {
		t.Fatal(err)
	}
}

// lift lifts alice's sanctions that are in force, as a moderator does.
func (f *cacheFixture) lift(t *testing.T, s *Service) {
	t.Helper()
	xs, err := s.SanctionsOf(context.Background(), f.alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range xs {
		if x.Active(s.now()) {
			// Reinstating lifts every sanction in force at once.
			if err := s.Reinstate(context.Background(), f.mod, f.alice, Lift{SanctionID: x.ID, Reason: "appeal"}); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
}

// TestSanctionCacheTakesEffectAtOnce: with alice's "allowed" answer cached, a silence
// and a suspension apply to the very next check on this instance, and lifting them does
// too, without waiting for the cache to expire (the clock does not move).
func TestSanctionCacheTakesEffectAtOnce(t *testing.T) {
	f := newCacheFixture(t)
	ctx := context.Background()
	r := f.s.sanctions
	for i := 0; i < 3; i++ { // warm the cache
		if err := r.CanPost(ctx, f.alice.ID); err != nil {
			t.Fatalf("before any sanction: %v", err)
		}
		if err := r.CanLogIn(ctx, f.alice.ID); err != nil {
			t.Fatalf("before any sanction: %v", err)
		}
	}

	f.sanction(t, f.s, Silence, time.Hour)
	if err := r.CanPost(ctx, f.alice.ID); err == nil || !strings.Contains(err.Error(), "silenced until 1 Jan 2030 13:00 UTC") {
		t.Fatalf("CanPost right after the silence = %v", err)
	}
	if err := r.CanLogIn(ctx, f.alice.ID); err != nil {
		t.Errorf("a silenced member must still log in: %v", err)
	}
	f.lift(t, f.s)
	if err := r.CanPost(ctx, f.alice.ID); err != nil {
		t.Errorf("CanPost right after the silence was lifted = %v", err)
	}

	f.sanction(t, f.s, Suspend, 24*time.Hour)
	if err := r.CanLogIn(ctx, f.alice.ID); err == nil || !strings.Contains(err.Error(), "suspended until 2 Jan 2030 12:00 UTC") {
		t.Fatalf("CanLogIn right after the suspension = %v", err)
	}
	f.sanction(t, f.s, Ban, 0)
	if err := r.CanLogIn(ctx, f.alice.ID); err == nil || !strings.Contains(err.Error(), "banned") {
		t.Fatalf("CanLogIn right after the ban = %v (the ban is harder than the suspension)", err)
	}
	f.lift(t, f.s)
	if err := r.CanLogIn(ctx, f.alice.ID); err != nil {
		t.Errorf("CanLogIn right after both were lifted = %v", err)
	}
	if err := r.CanPost(ctx, f.alice.ID); err != nil {
		t.Errorf("CanPost right after both were lifted = %v", err)
	}
}

// TestSanctionCacheExpiresWithoutAWrite: a cached silence ends when its time is up, with
// no write and within the cache's lifetime.
func TestSanctionCacheExpiresWithoutAWrite(t *testing.T) {
	f := newCacheFixture(t)
	ctx := context.Background()
	r := f.s.sanctions
	f.sanction(t, f.s, Silence, time.Hour)
	f.advance(time.Hour - 1500*time.Millisecond)
	if r.CanPost(ctx, f.alice.ID) == nil { // cached now, 1.5 s before the end
		t.Fatal("the silence ended early")
	}
	f.advance(time.Second)
	if r.CanPost(ctx, f.alice.ID) == nil { // still cached, 0.5 s before the end
		t.Fatal("the silence ended early")
	}
	f.advance(500 * time.Millisecond) // exactly the end, the entry still fresh
	if _, ok := f.s.sanctions.cache.lookup(f.alice.ID, f.s.now()); !ok {
		t.Fatal("test assumption: the entry should still be cached")
	}
	if err := r.CanPost(ctx, f.alice.ID); err != nil {
		t.Errorf("the cached silence did not end by itself: %v", err)
	}
}

// TestSanctionCacheNoStaleAllowed: a check that read "allowed" from the database before a
// silence committed, and stores it after, must not make later checks answer "allowed";
// and with checks running all the time, none that starts after the silence was
// acknowledged may pass.
func TestSanctionCacheNoStaleAllowed(t *testing.T) {
	f := newCacheFixture(t)
	ctx := context.Background()
	r := f.s.sanctions

	// The race, step by step: a load starts, the silence commits, the load stores.
	gen := f.s.sanctions.cache.generation()
	open, err := f.s.sanctions.open(ctx, []int64{f.alice.ID}, f.s.now()) // reads "no sanctions"
	before := open[f.alice.ID]
	if err != nil || len(before) != 0 {
		t.Fatalf("before: %v %v", before, err)
	}
	f.sanction(t, f.s, Silence, time.Hour)
	f.s.sanctions.cache.store(f.alice.ID, gen, f.s.now(), before) // the late store
	if r.CanPost(ctx, f.alice.ID) == nil {
		t.Fatal("a load that raced with the silence left a stale \"allowed\"")
	}
	f.lift(t, f.s)

	// The same under load: checkers run while the silence is applied.
	var acknowledged atomic.Bool
	var stale atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				after := acknowledged.Load()
				if err := r.CanPost(ctx, f.alice.ID); err == nil && after {
					stale.Add(1)
				}
			}
		}()
	}
	time.Sleep(20 * time.Millisecond)
	f.sanction(t, f.s, Silence, time.Hour)
	acknowledged.Store(true)
	time.Sleep(50 * time.Millisecond)
	close(stop)
	wg.Wait()
	if n := stale.Load(); n > 0 {
		t.Errorf("%d checks started after the silence was acknowledged answered \"allowed\"", n)
	}
}

// TestSanctionCacheOtherInstanceConverges: a silence written by another instance is seen
// here once the cached answer is older than sanctionTTL, without any write here.
func TestSanctionCacheOtherInstanceConverges(t *testing.T) {
	f := newCacheFixture(t)
	ctx := context.Background()
	other := f.service()
	r := f.s.sanctions
	if err := r.CanPost(ctx, f.alice.ID); err != nil { // cached "allowed" here
		t.Fatal(err)
	}
	f.sanction(t, other, Silence, time.Hour)
	if err := other.sanctions.CanPost(ctx, f.alice.ID); err == nil {
		t.Fatal("the writing instance does not see its own silence")
	}
	f.advance(sanctionTTL)
	if r.CanPost(ctx, f.alice.ID) == nil {
		t.Errorf("this instance still allows alice %v after another instance silenced her", sanctionTTL)
	}
	f.lift(t, other)
	f.advance(sanctionTTL)
	if err := r.CanPost(ctx, f.alice.ID); err != nil {
		t.Errorf("this instance still refuses alice %v after another instance lifted the silence: %v", sanctionTTL, err)
	}
}

// BenchmarkCanPost is the permission check on every post and chat message.
func BenchmarkCanPost(b *testing.B) {
	ctx := context.Background()
	p := newParts(b)
	alice := p.member(b, "alice", account.RoleMember)
	r, err := NewSanctions(p.db, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := r.CanPost(ctx, alice.ID); err != nil {
				b.Fatal(err)
			}
		}
	})
}
