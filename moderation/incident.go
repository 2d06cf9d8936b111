package moderation

import (
	"strconv"
	"strings"
	"time"

	"stoa/account"
	"stoa/storage"
)

// An incident is one burst of a member's reported conduct, answered once. The rule
// (issue 15, bug 4):
//
//   - A moderator's notice or sanction to a member opens an incident, in the transaction
//     that records the action.
//   - Every report about that member (their posts, chat messages or profile) that was
//     received before that transaction committed, and that no earlier incident covers,
//     joins it: the reports the moderator acted on are closed, the others stay open and
//     are marked covered by the incident.
//   - A covered report suggests no further notice or sanction: the member has been
//     answered for it. The moderator can still hide or delete the content, dismiss the
//     reports or, deliberately, act again.
//   - A report received after the action is not covered: it starts the next incident,
//     and the suggestion climbs the ladder from the record that now includes the action.
//   - Hiding or deleting content alone, dismissing or agreeing that content was already
//     removed open no incident: they answer the content, not the member.

// Incident is a member's burst of reported conduct and the action that answered it.
type Incident struct {
	ID        int64
	Summary   string // "silenced for 1 day, notice sent"
	CreatedAt time.Time
}

// Describe says the incident for the queue: "Covered by incident 3: silenced for 1 day,
// notice sent (5 Dec 2026 13:00 UTC)".
func (i *Incident) Describe() string {
	return "Covered by incident " + strconv.FormatInt(i.ID, 10) + ": " + i.Summary + " (" + FormatTime(i.CreatedAt) +
		"). Reports received before that action are one incident."
}

// openIncident records, inside the transaction of a notice or sanction to member, the
// incident it answers, and gives it every uncovered report about the member received
// until now: those this action just closed and those still open.
func (s *Service) openIncident(tx *storage.Tx, actor, member *account.User, sanction string, notice bool, now time.Time) error {
	var done []string
	if sanction != "" {
		done = append(done, sanction)
	}
	if notice {
		done = append(done, "notice sent")
	}
	if len(done) == 0 {
		return nil
	}
	return s.store.coverReports(tx, member.ID, actor.ID, strings.Join(done, ", "), now)
}

// covered returns the incident that covers all of reports, or nil when one of them is
// not covered (it arrived after the last action, so it is new conduct).
func covered(reports []*Report) *Incident {
	if len(reports) == 0 {
		return nil
	}
	for _, r := range reports {
		if r.Incident == nil {
			return nil
		}
	}
	return reports[len(reports)-1].Incident
}
