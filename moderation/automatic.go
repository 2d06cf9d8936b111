package moderation

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"stoa/account"
	"stoa/storage"
	"stoa/web"
)

// The automatic first line, as moderators see and steer it: what waits for review (held
// by a watched word or by new-member review), hiding after several reports, and each
// reporter's standing.

// WaitingItem is a post or chat message waiting for a moderator's approval.
type WaitingItem struct {
	Kind     TargetKind
	ID       int64 // the post's id, or the held chat message's
	AuthorID int64
	Author   string
	Where    string // "New thread “Hello”", "Reply in “Hello”", "#general"
	URL      string
	HTML     string
	Note     string // why it waits: "Watched word “x”", "New member: post 1 of the first 2"
	At       time.Time
}

// maxWaiting bounds the list on the queue page.
const maxWaiting = 200

// Waiting lists the posts and chat messages waiting for review, oldest first.
func (s *Service) Waiting(ctx context.Context) ([]*WaitingItem, error) {
	posts, err := s.forum.PostsInReview(ctx, maxWaiting)
	if err != nil {
		return nil, err
	}
	msgs, err := s.chat.HeldMessages(ctx, maxWaiting)
	if err != nil {
		return nil, err
	}
	out := append(posts, msgs...)
	slices.SortStableFunc(out, func(a, b *WaitingItem) int { return a.At.Compare(b.At) })
	return out, nil
}

// Review approves (publishes) or rejects what waited for review; the author is told, and
// the decision is audited.
func (s *Service) Review(ctx context.Context, actor *account.User, kind TargetKind, id int64, approve bool) error {
	if !actor.IsStaff() {
		return ErrNotStaff
	}
	now := s.now()
	return s.db.Write(ctx, func(tx *storage.Tx) error {
		var it *WaitingItem
		var err error
		var action Action
		switch {
		case kind == TargetPost && approve:
			it, err = s.forum.ApprovePost(tx, id, now)
			action = ActApprovePost
		case kind == TargetPost:
			it, err = s.forum.RejectPost(tx, id, now)
			action = ActRejectPost
		case kind == TargetMessage && approve:
			it, err = s.chat.ApproveHeld(tx, id)
			action = ActApproveMessage
		case kind == TargetMessage:
			it, err = s.chat.RejectHeld(tx, id)
			action = ActRejectMessage
		default:
			return web.Refused(http.StatusNotFound, "Nothing like that waits for review.")
		}
		if err != nil {
			return err
		}
		return s.audit.Record(tx, actor, Entry{At: now, Action: action, TargetKind: string(kind), TargetID: id,
			TargetUserID: it.AuthorID, TargetLabel: it.Where, TargetURL: it.URL, Reason: it.Note})
	})
}

// Standing is how a reporter's closed reports were decided: agreed with (acted on) or
// dismissed.
type Standing struct {
	ReporterID int64
	Reporter   string
	Agreed     int
	Disagreed  int
}

// Weight is how much the reporter's report counts toward hiding something automatically:
// 2 for a reporter with at least 3 reports agreed with and more agreed with than
// dismissed, 1 for everyone else.
func (st Standing) Weight() int {
	if st.Agreed >= 3 && st.Agreed > st.Disagreed {
		return 2
	}
	return 1
}

// autoHide hides t, inside the write that filed a report of it, once the weighted number
// of distinct members with open reports of it reaches the site's threshold. The audit log
// records it without an actor; a moderator shows it again from the queue.
func (s *Service) autoHide(tx *storage.Tx, t *Target, now time.Time) error {
	threshold := s.automod().AutoHideReports
	if threshold <= 0 || t.Deleted || t.Kind == TargetUser || t.Hidden {
		return nil
	}
	standings, err := s.store.openReporterStandings(tx, t.Kind, t.ID)
	if err != nil {
		return err
	}
	weight := 0
	for _, st := range standings {
		weight += st.Weight()
	}
	if weight < threshold {
		return nil
	}
	switch t.Kind {
	case TargetPost:
		err = s.forum.SetPostHidden(tx, t.ID, true, now)
	case TargetMessage:
		err = s.chat.SetMessageHidden(tx, t.ID, true)
	}
	if err != nil {
		return err
	}
	return s.audit.Record(tx, nil, Entry{At: now, Action: ActAutoHide, TargetKind: string(t.Kind), TargetID: t.ID,
		TargetUserID: t.UserID, TargetLabel: t.Label, TargetURL: t.URL,
		Reason: fmt.Sprintf("Reported by %d members (weighted %d; the threshold is %d)", len(standings), weight, threshold)})
}

// standings returns the standing of each reporter of the items, by reporter id.
func (s *Service) standings(ctx context.Context, items []*QueueItem) (map[int64]Standing, error) {
	var ids []int64
	for _, it := range items {
		for _, r := range it.Reports {
			ids = append(ids, r.ReporterID)
		}
	}
	return s.store.reporterStandings(ctx, ids)
}
