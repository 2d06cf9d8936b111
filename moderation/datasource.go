package moderation

import (
	"context"
	"time"

	"stoa/account"
	"stoa/storage"
)

// DataSource is moderation's share of a member's data for the export and account
// deletion (P15): the notices they received with their conversations, the sanctions they
// received and the reports they filed. Staff notes stay with staff (P2).
func (s *Service) DataSource() account.DataSource { return dataSource{s} }

type dataSource struct{ s *Service }

type exportedReply struct {
	From string    `json:"from"`
	Text string    `json:"text"`
	At   time.Time `json:"at"`
}

type exportedNotice struct {
	ReceivedAt       time.Time       `json:"received_at"`
	From             string          `json:"from"`
	Message          string          `json:"message"`
	RulesCited       []Rule          `json:"rules_cited,omitempty"`
	AgreementVersion int             `json:"agreement_version,omitempty"`
	About            string          `json:"about,omitempty"`
	Sanction         string          `json:"sanction,omitempty"`
	ReadAt           *time.Time      `json:"read_at,omitempty"`
	Conversation     []exportedReply `json:"conversation"`
}

type exportedSanction struct {
	Kind    string     `json:"kind"`
	Reason  string     `json:"reason"`
	Starts  time.Time  `json:"starts"`
	Ends    *time.Time `json:"ends,omitempty"`
	Lifted  *time.Time `json:"lifted,omitempty"`
	Summary string     `json:"summary"`
}

type exportedReport struct {
	Reported string    `json:"reported"`
	Link     string    `json:"link"`
	Reason   string    `json:"reason"`
	Details  string    `json:"details,omitempty"`
	At       time.Time `json:"at"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func (d dataSource) ExportUser(ctx context.Context, userID int64, put func(name string, v any) error) error {
	s := d.s
	self := &account.User{ID: userID}
	list, err := s.NoticesFor(ctx, userID)
	if err != nil {
		return err
	}
	notices := []exportedNotice{}
	for _, n := range list {
		full, err := s.Notice(ctx, self, n.ID)
		if err != nil {
			return err
		}
		// Moderators' names are staff-only: the member's copy says "the moderators", as the pages do.
		e := exportedNotice{ReceivedAt: full.CreatedAt, From: "the moderators", Message: full.Body, RulesCited: full.Rules,
			AgreementVersion: full.AgreementVersion, About: full.QuoteLabel, Sanction: full.Sanction,
			ReadAt: timePtr(full.ReadAt), Conversation: []exportedReply{}}
		for _, r := range full.Replies {
			from := "you"
			if r.FromStaff {
				from = "the moderators"
			}
			e.Conversation = append(e.Conversation, exportedReply{From: from, Text: r.Body, At: r.CreatedAt})
		}
		notices = append(notices, e)
	}
	if err := put("notices.json", notices); err != nil {
		return err
	}
	xs, err := s.SanctionsOf(ctx, userID)
	if err != nil {
		return err
	}
	sanctions := []exportedSanction{}
	for _, x := range xs {
		sanctions = append(sanctions, exportedSanction{Kind: string(x.Kind), Reason: x.Reason, Starts: x.StartsAt,
			Ends: timePtr(x.EndsAt), Lifted: timePtr(x.LiftedAt), Summary: x.Describe()})
	}
	if err := put("sanctions.json", sanctions); err != nil {
		return err
	}
	rs, err := s.ReportsBy(ctx, userID)
	if err != nil {
		return err
	}
	reports := []exportedReport{}
	for _, r := range rs {
		reports = append(reports, exportedReport{Reported: r.SnapshotLabel, Link: r.TargetURL, Reason: r.Reason.Label(),
			Details: r.Details, At: r.CreatedAt})
	}
	return put("reports_filed.json", reports)
}

// EraseUser removes, when erase is true, the member's own words that moderation holds:
// their notices and conversations, the content quoted in reports about them, the details
// of reports they filed. Their moderation record (sanctions, staff notes, reports about
// them, reports they filed) stays either way, under a former member whose name only a mark
// recalls (issue 15, bug 7). The audit log keeps its entries: the database refuses to
// change it.
func (d dataSource) EraseUser(tx *storage.Tx, userID int64, erase bool) error {
	if !erase {
		return nil
	}
	if err := d.s.store.eraseMember(tx, userID); err != nil {
		return err
	}
	// Erasing only removes limits; the cached ones go once the erasure committed.
	d.s.sanctions.changed(tx, userID)
	return nil
}
