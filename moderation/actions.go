package moderation

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"stoa/account"
	"stoa/storage"
	"stoa/web"
)

// MaxReasonRunes bounds the reason a moderator gives for an action.
const MaxReasonRunes = 500

// Decision is what a moderator decided about a reported thing or a member: any of the
// actions together, or closing the reports alone (dismissing them, or agreeing with them
// when the author already removed the content).
type Decision struct {
	Dismiss bool
	// Removed closes the reports as agreed with: the content is gone already (its author
	// deleted it), so there is nothing left to hide or delete.
	Removed        bool
	Hide           bool
	Unhide         bool
	Delete         bool
	Lock           bool
	Unlock         bool
	Notice         *NoticeDraft     // nil: no notice
	Sanction       *SanctionRequest // nil: no sanction
	Reason         string           // shown to the member and in the public moderation log
	ResolveReports bool             // close the target's open reports as acted on
	// AllOfMember applies the decision to every open report about the target's member:
	// the notice and sanction once, hiding and deleting to each reported thing that can
	// be, and every report closed (actions_all.go).
	AllOfMember bool
	// ExpectReports says the moderator saw open reports when deciding: if they are gone,
	// another moderator handled them and this decision is not applied on top.
	ExpectReports bool
}

func (d *Decision) contentActions() bool { return d.Hide || d.Unhide || d.Delete || d.Lock || d.Unlock }

// errNothingOpen answers closing reports that another moderator (or an earlier click)
// already closed.
var errNothingOpen = web.Invalid("form", "There are no open reports to close.")

// closesOnly reports whether the decision only closes reports, changing nothing else.
func (d *Decision) closesOnly() bool { return d.Dismiss || d.Removed }

// Outcome says what was done, for the moderator's confirmation.
type Outcome struct {
	Done []string
}

// validate checks a decision by actor against the target as it is now, returning the
// member it concerns when it needs one.
func (s *Service) validate(ctx context.Context, actor *account.User, t *Target, d *Decision, open int) (*account.User, error) {
	d.Reason = strings.TrimSpace(d.Reason)
	if n := utf8.RuneCountInString(d.Reason); n > MaxReasonRunes {
		return nil, web.Invalid("reason", fmt.Sprintf("Shorten the reason to %d characters or fewer (it has %d).", MaxReasonRunes, n))
	}
	if d.closesOnly() {
		switch {
		case d.Dismiss && d.Removed:
			return nil, web.Invalid("form", "Choose one: dismiss the reports, or agree with them.")
		case d.Removed && d.AllOfMember:
			return nil, web.Invalid("form", "“Agreed — already removed” closes this item's reports only. Untick “all open reports of this member”.")
		case d.contentActions() || d.Notice != nil || d.Sanction != nil:
			return nil, web.Invalid("form", "Closing the reports cannot be combined with other actions. Untick the actions, or choose Apply.")
		case open == 0:
			return nil, errNothingOpen
		case d.Removed && !t.Deleted:
			return nil, web.Invalid("form", "This "+t.Kind.Noun()+" still exists. Hide or delete it, or dismiss the reports.")
		}
		return nil, nil
	}
	if !d.contentActions() && d.Notice == nil && d.Sanction == nil {
		return nil, web.Invalid("form", "Choose at least one action, or dismiss the reports.")
	}
	switch {
	case d.Hide && t.Kind != TargetPost, d.Unhide && t.Kind == TargetUser, (d.Lock || d.Unlock) && t.Kind != TargetPost:
		return nil, web.Invalid("form", "Only forum posts can be hidden (a hidden chat message can be shown again), and only their threads closed.")
	case d.Delete && t.Kind == TargetUser:
		return nil, web.Invalid("form", "A member cannot be deleted from here. Ban them instead.")
	case d.Hide && d.Unhide, d.Lock && d.Unlock:
		return nil, web.Invalid("form", "Choose one of hide and show, and one of close and reopen.")
	case (d.Hide || d.Unhide || d.Lock || d.Unlock || d.Delete) && t.Deleted:
		return nil, web.Invalid("form", "This "+t.Kind.Noun()+" was already deleted.")
	case d.Hide && t.Hidden:
		return nil, web.Invalid("form", "This post is already hidden.")
	case d.Unhide && t.Kind == TargetMessage && !t.Hidden:
		return nil, web.Invalid("form", "This message is not hidden.")
	case d.Unhide && t.Kind == TargetPost && !t.Hidden:
		return nil, web.Invalid("form", "This post is not hidden.")
	case d.Lock && t.ThreadLocked:
		return nil, web.Invalid("form", "This thread is already closed.")
	case d.Unlock && !t.ThreadLocked:
		return nil, web.Invalid("form", "This thread is not closed.")
	}
	if d.Notice == nil && d.Sanction == nil {
		return nil, nil
	}
	member, err := s.accounts.ByID(ctx, t.UserID)
	if IsNotFound(err) {
		return nil, web.Invalid("form", "This member's account was deleted, so they cannot receive a notice or a sanction.")
	}
	if err != nil {
		return nil, err
	}
	if d.Notice != nil {
		if err := noticeAllowed(actor, member); err != nil {
			return nil, err
		}
		if err := checkMessage("notice", d.Notice.Body); err != nil {
			return nil, err
		}
	}
	if x := d.Sanction; x != nil {
		switch {
		case member.IsStaff():
			return nil, ErrStaffTarget
		case x.Kind != Ban && x.Kind != Silence && x.Kind != Suspend:
			return nil, web.Invalid("sanction", "Choose silence, suspension or ban.")
		case x.Kind != Ban && !allowedDuration(x.Kind, x.Duration):
			return nil, web.Invalid("duration", "Choose how long the "+string(x.Kind)+" lasts from the list.")
		case d.Reason == "":
			return nil, web.Invalid("reason", "Give a reason: the member reads it when they try to post or log in, and it appears in the public moderation log.")
		}
	}
	return member, nil
}

// noticeAllowed refuses a notice to oneself or to another staff member: notices are how
// the moderators reach members; staff settle staff matters among themselves, and an
// administrator changes a role when it comes to that.
func noticeAllowed(actor, member *account.User) error {
	switch {
	case actor.ID == member.ID:
		return web.Invalid("form", "Notices go to members: you cannot send one to yourself.")
	case member.IsStaff():
		return web.Invalid("form", "Notices go to members: "+member.Username+" is staff. Talk to them directly, or ask an administrator.")
	}
	return nil
}

// CanNotice reports whether actor may send member a notice, for the forms that offer one.
func CanNotice(actor, member *account.User) bool { return noticeAllowed(actor, member) == nil }

// Act carries out a moderator's decision about a target (a post, a chat message or a
// member): every change, its audit entries, the notice with its email and the resolved
// reports commit in one transaction. A notice or a sanction opens an incident that covers
// every report about the member received before it (incident.go).
func (s *Service) Act(ctx context.Context, actor *account.User, kind TargetKind, id int64, d Decision) (*Outcome, error) {
	if !actor.IsStaff() {
		return nil, ErrNotStaff
	}
	t, err := s.LoadTarget(ctx, actor, kind, id)
	if IsNotFound(err) && d.closesOnly() {
		// Reports about something that is gone (a deleted account) can still be closed.
		t, err = &Target{Kind: kind, ID: id, Label: fmt.Sprintf("%s %d, which no longer exists", kind.Noun(), id), Deleted: true}, nil
	}
	if err != nil {
		return nil, err
	}
	reports, err := s.OpenReports(ctx, kind, id)
	if err != nil {
		return nil, err
	}
	if d.ExpectReports && !d.closesOnly() && len(reports) == 0 {
		return nil, errHandled
	}
	member, err := s.validate(ctx, actor, t, &d, len(reports))
	if err != nil {
		return nil, err
	}
	var version int
	var rules []Rule
	if d.Notice != nil {
		if version, rules, err = s.citedRules(ctx, d.Notice.Rules); err != nil {
			return nil, err
		}
	}
	// The reason stays the moderator's own, or empty: the reporters' categories are
	// theirs and show beside their reports, never as the moderator's reason.
	q := quote{label: t.Label, html: t.HTML, url: t.URL}
	if len(reports) > 0 {
		last := reports[len(reports)-1]
		q = quote{label: last.SnapshotLabel, html: last.SnapshotHTML, url: last.TargetURL}
	}
	if q.html == "" || t.Kind == TargetUser && len(reports) == 0 {
		q = quote{}
	}
	if d.Sanction != nil {
		d.Sanction.about = targetRef{t.Kind, t.ID}
	}
	var others []*Target
	if d.AllOfMember {
		if others, err = s.otherReported(ctx, t); err != nil {
			return nil, err
		}
	}
	out := &Outcome{}
	now := s.now()
	entry := func(a Action) Entry {
		return Entry{At: now, Action: a, TargetKind: string(t.Kind), TargetID: t.ID, TargetUserID: t.UserID,
			TargetLabel: t.Label, TargetURL: t.URL, Reason: d.Reason, AboutKind: string(t.Kind), AboutID: t.ID}
	}
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		*out = Outcome{} // a write may run twice (storage.TxFunc): start afresh
		closed := 0
		// Closing the reports first tells whether another moderator got there meanwhile:
		// then nothing is done twice.
		if d.closesOnly() || d.ResolveReports && len(reports) > 0 {
			resolution := "actioned"
			if d.Dismiss {
				resolution = "dismissed"
			}
			n, err := s.store.resolveReports(tx, actor.ID, kind, id, resolution, now)
			if err != nil {
				return err
			}
			if n == 0 {
				return errHandled
			}
			switch {
			case d.Dismiss:
				out.Done = append(out.Done, plural(int(n), "report")+" dismissed")
				if err := s.audit.Record(tx, actor, entry(ActDismissReports)); err != nil {
					return err
				}
				return s.actOnOthers(tx, actor, others, d, now, out)
			case d.Removed:
				out.Done = append(out.Done, plural(int(n), "report")+" closed as agreed (already removed)")
				return s.audit.Record(tx, actor, entry(ActAgreeRemoved))
			}
			closed = int(n)
		}
		if err := s.contentActions(tx, actor, t, d, now, entry, out); err != nil {
			return err
		}
		if err := s.actOnOthers(tx, actor, others, d, now, out); err != nil {
			return err
		}
		sanction := ""
		if d.Sanction != nil {
			x, err := s.applySanction(tx, actor, member, *d.Sanction, d.Reason, now)
			if err != nil {
				return err
			}
			sanction = x.Describe()
			out.Done = append(out.Done, member.Username+" "+sanction)
		}
		if d.Notice != nil {
			if _, err := s.insertNotice(tx, actor, member, *d.Notice, version, rules, q, sanction, t, now); err != nil {
				return err
			}
			out.Done = append(out.Done, "notice sent to "+member.Username)
		}
		if member != nil {
			if err := s.openIncident(tx, actor, member, sanction, d.Notice != nil, now); err != nil {
				return err
			}
		}
		if closed > 0 {
			out.Done = append(out.Done, plural(closed, "report")+" closed")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) contentActions(tx *storage.Tx, actor *account.User, t *Target, d Decision, now time.Time,
	entry func(Action) Entry, out *Outcome) error {
	if t.Kind == TargetMessage && d.Delete {
		if err := s.chat.DeleteMessage(tx, t.ID); err != nil {
			return err
		}
		out.Done = append(out.Done, "message deleted")
		return s.audit.Record(tx, actor, entry(ActDeleteMessage))
	}
	if t.Kind == TargetMessage && d.Unhide {
		// A message hidden automatically after reports, shown again by a moderator.
		if err := s.chat.SetMessageHidden(tx, t.ID, false); err != nil {
			return err
		}
		out.Done = append(out.Done, "message shown again")
		return s.audit.Record(tx, actor, entry(ActUnhidePost))
	}
	if t.Kind != TargetPost {
		return nil
	}
	steps := []struct {
		on     bool
		action Action
		done   string
		run    func() error
	}{
		{d.Hide, ActHidePost, "post hidden", func() error { return s.forum.SetPostHidden(tx, t.ID, true, now) }},
		{d.Unhide, ActUnhidePost, "post shown again", func() error { return s.forum.SetPostHidden(tx, t.ID, false, now) }},
		{d.Lock, ActLockThread, "thread closed", func() error { return s.forum.SetThreadLocked(tx, t.ThreadID, true) }},
		{d.Unlock, ActUnlockThread, "thread reopened", func() error { return s.forum.SetThreadLocked(tx, t.ThreadID, false) }},
		{d.Delete, ActDeletePost, "post deleted", func() error { return s.forum.DeletePost(tx, t.ID, now) }},
	}
	for _, st := range steps {
		if !st.on {
			continue
		}
		if err := st.run(); err != nil {
			return err
		}
		out.Done = append(out.Done, st.done)
		e := entry(st.action)
		if st.action == ActLockThread || st.action == ActUnlockThread {
			e.TargetKind, e.TargetID, e.TargetLabel, e.TargetURL = "thread", t.ThreadID, "Thread “"+t.ThreadTitle+"”", t.ThreadURL
		}
		if err := s.audit.Record(tx, actor, e); err != nil {
			return err
		}
	}
	return nil
}
