package moderation

import (
	"context"
	"fmt"
	"strings"
	"time"

	"stoa/account"
	"stoa/storage"
	"stoa/web"
)

// "Apply to all open reports of this member": one decision answers a member's whole
// burst. The notice and the sanction are given once, on the target the moderator
// reviewed; hiding and deleting apply to each other reported thing of the member that
// can be hidden or deleted (a chat message cannot be hidden, a profile not deleted);
// every open report about the member is closed, and one incident covers them.

// otherReported returns the member's other reported things, with open reports, as they
// are now; one that no longer exists is given by its latest report's snapshot, so its
// reports can still be closed.
func (s *Service) otherReported(ctx context.Context, t *Target) ([]*Target, error) {
	if t.UserID == 0 {
		return nil, web.Invalid("form", "This account no longer exists, so there is nothing else of theirs to act on. Untick “all open reports of this member”.")
	}
	reports, err := s.store.openReportsAbout(ctx, t.UserID)
	if err != nil {
		return nil, err
	}
	latest := map[targetRef]*Report{}
	var refs []targetRef
	for _, r := range reports {
		ref := targetRef{r.Kind, r.TargetID}
		if ref == (targetRef{t.Kind, t.ID}) {
			continue
		}
		if latest[ref] == nil {
			refs = append(refs, ref)
		}
		latest[ref] = r
	}
	found, err := s.loadTargets(ctx, refs)
	if err != nil {
		return nil, err
	}
	out := make([]*Target, 0, len(refs))
	for _, ref := range refs {
		o := found[ref]
		if o == nil {
			r := latest[ref]
			o = &Target{Kind: ref.kind, ID: ref.id, UserID: t.UserID, Label: r.SnapshotLabel, URL: r.TargetURL, Deleted: true}
		}
		out = append(out, o)
	}
	return out, nil
}

// actOnOthers applies d to the member's other reported things inside tx: closes their
// reports and hides or deletes what can be. A thing whose reports another moderator
// closed meanwhile is left as it is.
func (s *Service) actOnOthers(tx *storage.Tx, actor *account.User, others []*Target, d Decision, now time.Time, out *Outcome) error {
	if len(others) == 0 {
		return nil
	}
	resolution := "actioned"
	if d.Dismiss {
		resolution = "dismissed"
	}
	var closed, reports int
	sub := &Outcome{}
	for _, o := range others {
		n, err := s.store.resolveReports(tx, actor.ID, o.Kind, o.ID, resolution, now)
		if err != nil {
			return err
		}
		if n == 0 {
			continue
		}
		closed++
		reports += int(n)
		entry := func(a Action) Entry {
			return Entry{At: now, Action: a, TargetKind: string(o.Kind), TargetID: o.ID, TargetUserID: o.UserID,
				TargetLabel: o.Label, TargetURL: o.URL, Reason: d.Reason, AboutKind: string(o.Kind), AboutID: o.ID}
		}
		if d.Dismiss {
			if err := s.audit.Record(tx, actor, entry(ActDismissReports)); err != nil {
				return err
			}
			continue
		}
		od := Decision{Reason: d.Reason,
			Hide:   d.Hide && o.Kind == TargetPost && !o.Hidden && !o.Deleted,
			Delete: d.Delete && o.Kind != TargetUser && !o.Deleted}
		if err := s.contentActions(tx, actor, o, od, now, entry, sub); err != nil {
			return err
		}
	}
	if closed == 0 {
		return nil
	}
	line := fmt.Sprintf("%s of the same member: %s closed", plural(closed, "other reported item"), plural(reports, "report"))
	if len(sub.Done) > 0 {
		line += " (" + strings.Join(countDone(sub.Done), ", ") + ")"
	}
	out.Done = append(out.Done, line)
	return nil
}

// countDone turns ["post hidden", "post hidden", "message deleted"] into
// ["2 × post hidden", "message deleted"], in first-seen order.
func countDone(done []string) []string {
	counts := map[string]int{}
	var order []string
	for _, d := range done {
		if counts[d] == 0 {
			order = append(order, d)
		}
		counts[d]++
	}
	out := make([]string, len(order))
	for i, d := range order {
		out[i] = d
		if counts[d] > 1 {
			out[i] = fmt.Sprintf("%d × %s", counts[d], d)
		}
	}
	return out
}
