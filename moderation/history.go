package moderation

import (
	"context"
	"fmt"
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

// countsAs is what a sanction weighs when the queue suggests the next step. The rule
// (also in the README's "Moderation" section):
//   - a sanction that ran its course, or is in force, counts as what it is;
//   - a sanction replaced by a heavier one counts as what it was (it was served, then
//     escalated);
//   - a sanction lifted early counts one step lighter: a lifted ban or suspension as a
//     silence, a lifted silence as nothing more than the notice that came with it. The
//     member was warned, but a lift (after an appeal, say) must not escalate the next
//     suggestion as if the sanction were still in force;
//   - a sanction lifted as "applied in error" counts for nothing.
//
// It returns "" when the sanction counts for nothing.
func (x *Sanction) countsAs() SanctionKind {
	switch {
	case x.LiftedInError:
		return ""
	case x.LiftedAt.IsZero() || x.ReplacedBy != 0:
		return x.Kind
	case x.Kind == Silence:
		return ""
	}
	return Silence
}

// count returns how many sanctions weigh as kind toward the next step (countsAs).
func (h *History) count(kind SanctionKind) int {
	n := 0
	for _, x := range h.Sanctions {
		if x.countsAs() == kind {
			n++
		}
	}
	return n
}

// Summary says the record in a few words for the queue: what the member received
// (sanctions applied in error left out), and how many were lifted early.
func (h *History) Summary() string {
	kinds := map[SanctionKind]int{}
	lifted, inError := 0, 0
	for _, x := range h.Sanctions {
		switch {
		case x.LiftedInError:
			inError++
			continue
		case !x.LiftedAt.IsZero() && x.ReplacedBy == 0:
			lifted++
		}
		kinds[x.Kind]++
	}
	if h.Notices == 0 && len(h.Sanctions) == 0 {
		return "No earlier notices or sanctions."
	}
	s := plural(h.Notices, "notice")
	if n := kinds[Silence]; n > 0 {
		s += ", " + plural(n, "silence")
	}
	if n := kinds[Suspend]; n > 0 {
		s += ", " + plural(n, "suspension")
	}
	if n := kinds[Ban]; n > 0 {
		s += ", " + plural(n, "ban")
	}
	if lifted > 0 {
		s += fmt.Sprintf(" (%d lifted early)", lifted)
	}
	if inError > 0 {
		s += fmt.Sprintf("; %d applied in error, not counted", inError)
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
