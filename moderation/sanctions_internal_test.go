package moderation

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"stoa/account"
	"stoa/storage"
)

// TestSanctionsEndByThemselves moves the clock past a silence and a suspension: nobody
// has to lift them.
func TestSanctionsEndByThemselves(t *testing.T) {
	ctx := context.Background()
	p := newParts(t)
	mod := p.member(t, "mia", account.RoleModerator)
	alice := p.member(t, "alice", account.RoleMember)
	s := p.svc
	r := s.sanctions
	now := p.now

	apply := func(req SanctionRequest) {
		t.Helper()
		if err := p.db.Write(ctx, func(tx *storage.Tx) error {
			_, err := s.applySanction(tx, mod, alice, req, "test", now)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	apply(SanctionRequest{Kind: Silence, Duration: time.Hour})
	err := r.CanPost(ctx, alice.ID)
	if err == nil || !strings.Contains(err.Error(), "silenced until 1 Jan 2030 13:00 UTC") {
		t.Fatalf("silenced CanPost = %v", err)
	}
	if err := r.CanLogIn(ctx, alice.ID); err != nil {
		t.Errorf("a silenced member must still log in: %v", err)
	}
	p.advance(time.Hour)
	now = p.now
	if err := r.CanPost(ctx, alice.ID); err != nil {
		t.Errorf("the silence did not end by itself: %v", err)
	}

	apply(SanctionRequest{Kind: Suspend, Duration: 24 * time.Hour})
	err = r.CanLogIn(ctx, alice.ID)
	var re account.RestrictionError
	if err == nil || !strings.Contains(err.Error(), "suspended until 2 Jan 2030 13:00 UTC") {
		t.Fatalf("suspended CanLogIn = %v", err)
	}
	if !errors.As(err, &re) || !re.Restriction() {
		t.Error("the suspension error does not tell the login page it is for the member")
	}
	if r.CanPost(ctx, alice.ID) == nil {
		t.Error("a suspended member may post")
	}
	p.advance(24*time.Hour + time.Second)
	if err := r.CanLogIn(ctx, alice.ID); err != nil {
		t.Errorf("the suspension did not end by itself: %v", err)
	}

	h, err := s.HistoryOf(ctx, alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	if h.Active != nil || len(h.Sanctions) != 2 || h.Suggest().Sanction != Ban {
		t.Errorf("history after both ended: active %v, %d sanctions, suggests %q", h.Active, len(h.Sanctions), h.Suggest().Label())
	}
}

// TestSuggestionClimbsTheLadder: notice → short silence → suspension → ban.
func TestSuggestionClimbsTheLadder(t *testing.T) {
	h := &History{}
	steps := []string{h.Suggest().Label()}
	h.Notices = 1
	steps = append(steps, h.Suggest().Label())
	h.Sanctions = append(h.Sanctions, &Sanction{Kind: Silence})
	steps = append(steps, h.Suggest().Label())
	h.Sanctions = append(h.Sanctions, &Sanction{Kind: Suspend})
	steps = append(steps, h.Suggest().Label())
	want := []string{"a notice", "a notice and a 1 day silence", "a notice and a 1 week suspension", "a notice and a ban"}
	for i := range want {
		if steps[i] != want[i] {
			t.Errorf("step %d: %q, want %q", i, steps[i], want[i])
		}
	}
}
