package moderation

import (
	"context"
	"slices"
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
	reports, err := s.store.openReports(ctx, maxQueueReports)
	if err != nil {
		return nil, err
	}
	byTarget := map[targetRef]*QueueItem{}
	var items []*QueueItem
	var refs []targetRef
	var members []int64
	for _, r := range reports {
		ref := targetRef{r.Kind, r.TargetID}
		it := byTarget[ref]
		if it == nil {
			it = &QueueItem{Kind: r.Kind, TargetID: r.TargetID}
			byTarget[ref] = it
			items = append(items, it)
			refs = append(refs, ref)
		}
		it.Reports = append(it.Reports, r)
		it.Latest = r
	}
	for _, it := range items {
		seen := map[int64]bool{}
		for _, r := range it.Reports {
			seen[r.ReporterID] = true
		}
		it.Reporters = len(seen)
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
	// Stable: among equally reported things, the oldest report comes first.
	slices.SortStableFunc(items, func(a, b *QueueItem) int { return b.Reporters - a.Reporters })
	return items, nil
}
