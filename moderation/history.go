package moderation

import (
	"context"
	"time"
)

// History is a member's moderation record: what the queue weighs when it suggests the
// next step.
type History struct {
	UserID    int64
	Notices   int
	Upheld    int // reports about them that moderators acted on
	Sanctions []*Sanction
	Active    *Sanction // the hardest sanction in force, if any
}

// count returns how many sanctions of kind the member received (lifted ones included:
// lifting is a kindness, not a correction of the record).
func (h *History) count(kind SanctionKind) int {
	n := 0
	for _, x := range h.Sanctions {
		if x.Kind == kind {
			n++
		}
	}
	return n
}

// Summary says the record in a few words for the queue.
func (h *History) Summary() string {
	if h.Notices == 0 && len(h.Sanctions) == 0 {
		return "No earlier notices or sanctions."
	}
	s := plural(h.Notices, "notice")
	if n := h.count(Silence); n > 0 {
		s += ", " + plural(n, "silence")
	}
	if n := h.count(Suspend); n > 0 {
		s += ", " + plural(n, "suspension")
	}
	if n := h.count(Ban); n > 0 {
		s += ", " + plural(n, "ban")
	}
	return s + "."
}

// Step is a suggested response: a notice, with or without a sanction.
type Step struct {
	Sanction SanctionKind // "" for a notice alone
	Duration time.Duration
}

// Label says the step in words.
func (st Step) Label() string {
	switch st.Sanction {
	case Silence:
		return "a notice and a " + DurationLabel(st.Duration) + " silence"
	case Suspend:
		return "a notice and a " + DurationLabel(st.Duration) + " suspension"
	case Ban:
		return "a notice and a ban"
	}
	return "a notice"
}

// Suggest is the next step on the ladder notice → short silence → suspension → ban,
// from what the member already received. Moderators may always choose otherwise.
func (h *History) Suggest() Step {
	switch {
	case h.count(Suspend) > 0 || h.count(Ban) > 0:
		return Step{Sanction: Ban}
	case h.count(Silence) > 0:
		return Step{Sanction: Suspend, Duration: 7 * 24 * time.Hour}
	case h.Notices > 0:
		return Step{Sanction: Silence, Duration: 24 * time.Hour}
	}
	return Step{}
}

// HistoryOf loads a member's moderation record.
func (s *Service) HistoryOf(ctx context.Context, userID int64) (*History, error) {
	all, err := s.histories(ctx, []int64{userID})
	if err != nil {
		return nil, err
	}
	return all[userID], nil
}

// histories loads the records of several members in a fixed number of queries, however
// many they are: the review queue shows one per reported member.
func (s *Service) histories(ctx context.Context, ids []int64) (map[int64]*History, error) {
	ids = unique(ids)
	counts, err := s.store.historyCounts(ctx, ids)
	if err != nil {
		return nil, err
	}
	sanctions, err := s.store.sanctionsOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := make(map[int64]*History, len(ids))
	for _, id := range ids {
		h := &History{UserID: id, Notices: counts[id].notices, Upheld: counts[id].upheld, Sanctions: sanctions[id]}
		for _, x := range h.Sanctions {
			if x.Active(now) && (h.Active == nil || severity(x.Kind) > severity(h.Active.Kind)) {
				h.Active = x
			}
		}
		out[id] = h
	}
	return out, nil
}

func severity(k SanctionKind) int {
	switch k {
	case Ban:
		return 3
	case Suspend:
		return 2
	}
	return 1
}
