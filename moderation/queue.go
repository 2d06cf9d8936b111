package moderation

import (
	"context"
	"slices"
	"time"
)

// QueueItem is one reported thing in the review queue, with every open report of it.
type QueueItem struct {
	Kind      TargetKind
	TargetID  int64
	Reports   []*Report
	Reporters int
	Latest    *Report // its snapshot is the one shown
	// Target is the thing as it is now, or nil when it no longer exists.
	Target *Target
	// History is the record of the member responsible for it, nil when there is none.
	History *History
	// Standings is each reporter's standing, in the order of Reports.
	Standings []Standing
}

// maxQueueReports bounds one queue page; a moderator who works through it sees the rest.
const maxQueueReports = 1000

// Queue returns the open reports grouped by what they report, the most reported first,
// then the oldest. It reads the page in a fixed number of queries, however many things
// are reported: the reports, then the things and their members' records, each kind at
// once.
func (s *Service) Queue(ctx context.Context) ([]*QueueItem, error) {
	return s.queue(ctx, QueueFilter{})
}

// queue is the queue as f narrows it; the filter applies before anything is loaded
// beyond the reports.
func (s *Service) queue(ctx context.Context, f QueueFilter) ([]*QueueItem, error) {
	items, err := s.openItems(ctx, f)
	if err != nil {
		return nil, err
	}
	refs := make([]targetRef, 0, len(items))
	members := make([]int64, 0, len(items))
	for _, it := range items {
		refs = append(refs, targetRef{it.Kind, it.TargetID})
		members = append(members, it.Latest.TargetUserID)
	}
	targets, err := s.loadTargets(ctx, refs)
	if err != nil {
		return nil, err
	}
	histories, err := s.histories(ctx, members)
	if err != nil {
		return nil, err
	}
	standings, err := s.standings(ctx, items)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		it.Target = targets[targetRef{it.Kind, it.TargetID}]
		it.History = histories[it.Latest.TargetUserID]
		for _, r := range it.Reports {
			st := standings[r.ReporterID]
			st.ReporterID, st.Reporter = r.ReporterID, r.Reporter
			it.Standings = append(it.Standings, st)
		}
	}
	return items, nil
}

// openItems returns the reported things f selects in queue order, the most reported
// first, then the oldest, with their open reports only: the order needs nothing more,
// so moving on to the next item loads nothing else.
func (s *Service) openItems(ctx context.Context, f QueueFilter) ([]*QueueItem, error) {
	reports, err := s.store.openReports(ctx, maxQueueReports)
	if err != nil {
		return nil, err
	}
	byTarget := map[targetRef]*QueueItem{}
	var items []*QueueItem
	for _, r := range reports {
		ref := targetRef{r.Kind, r.TargetID}
		it := byTarget[ref]
		if it == nil {
			it = &QueueItem{Kind: r.Kind, TargetID: r.TargetID}
			byTarget[ref] = it
			items = append(items, it)
		}
		it.Reports = append(it.Reports, r)
		it.Latest = r
	}
	now := s.now()
	items = slices.DeleteFunc(items, func(it *QueueItem) bool { return !f.keep(it.Kind, it.Reports, now) })
	for _, it := range items {
		seen := map[int64]bool{}
		for _, r := range it.Reports {
			seen[r.ReporterID] = true
		}
		it.Reporters = len(seen)
	}
	// Stable: among equally reported things, the oldest report comes first.
	slices.SortStableFunc(items, func(a, b *QueueItem) int { return b.Reporters - a.Reporters })
	return items, nil
}

// QueueFilter narrows the review queue; zero fields select everything.
type QueueFilter struct {
	Kind   TargetKind // post, message or user
	Reason Reason     // at least one open report gives this reason
	Age    QueueAge   // how long the oldest open report has waited
}

// QueueAge is a filter on how long an item has waited in the queue.
type QueueAge string

// The age filters the queue offers.
const (
	AgeAny     QueueAge = ""
	AgeNew     QueueAge = "new" // the oldest open report is less than a day old
	AgeDay     QueueAge = "1d"  // waiting a day or more
	AgeWeek    QueueAge = "7d"  // waiting a week or more
	dayForAges          = 24 * time.Hour
)

// QueueAges lists the age filters in the order the queue offers them.
func QueueAges() []QueueAge { return []QueueAge{AgeAny, AgeNew, AgeDay, AgeWeek} }

// Label is the age filter in words.
func (a QueueAge) Label() string {
	switch a {
	case AgeNew:
		return "Reported in the last 24 hours"
	case AgeDay:
		return "Waiting a day or more"
	case AgeWeek:
		return "Waiting a week or more"
	}
	return "Any age"
}

// ParseQueueAge returns the age filter named s, or false when s names none.
func ParseQueueAge(s string) (QueueAge, bool) {
	for _, a := range QueueAges() {
		if string(a) == s {
			return a, true
		}
	}
	return "", false
}

// keep reports whether an item with these open reports passes the filter at now.
func (f QueueFilter) keep(kind TargetKind, reports []*Report, now time.Time) bool {
	if f.Kind != "" && kind != f.Kind {
		return false
	}
	if f.Reason != "" && !slices.ContainsFunc(reports, func(r *Report) bool { return r.Reason == f.Reason }) {
		return false
	}
	waited := now.Sub(reports[0].CreatedAt)
	switch f.Age {
	case AgeNew:
		return waited < dayForAges
	case AgeDay:
		return waited >= dayForAges
	case AgeWeek:
		return waited >= 7*dayForAges
	}
	return true
}

// QueueGroup is the queue's items about one member: what they wrote that was reported,
// and their profile, under their record, so a moderator answers the member once.
type QueueGroup struct {
	UserID   int64  // 0 when the account no longer exists
	Username string // "" when the account no longer exists
	Items    []*QueueItem
}

// Reports is how many open reports the group holds.
func (g *QueueGroup) Reports() int {
	n := 0
	for _, it := range g.Items {
		n += len(it.Reports)
	}
	return n
}

// GroupedQueue returns the items f selects grouped by the member responsible, in queue
// order: the group of the first item first. Items whose member is gone stand alone.
func (s *Service) GroupedQueue(ctx context.Context, f QueueFilter) ([]*QueueGroup, error) {
	items, err := s.queue(ctx, f)
	if err != nil {
		return nil, err
	}
	byMember := map[int64]*QueueGroup{}
	var out []*QueueGroup
	for _, it := range items {
		uid := it.Latest.TargetUserID
		g := byMember[uid]
		if g == nil || uid == 0 {
			g = &QueueGroup{UserID: uid, Username: it.Latest.TargetUser}
			if uid != 0 {
				byMember[uid] = g
			}
			out = append(out, g)
		}
		g.Items = append(g.Items, it)
	}
	return out, nil
}
