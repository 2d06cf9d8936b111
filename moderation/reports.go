package moderation

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"stoa/account"
	"stoa/storage"
	"stoa/web"
)

// Reason is why a member reports something.
type Reason string

// The reasons a member can choose.
const (
	ReasonSpam         Reason = "spam"
	ReasonHarassment   Reason = "harassment"
	ReasonPersonalInfo Reason = "personal_info"
	ReasonOffTopic     Reason = "off_topic"
	ReasonOther        Reason = "other"
)

// Reasons lists the reasons in the order the report form offers them.
func Reasons() []Reason {
	return []Reason{ReasonSpam, ReasonHarassment, ReasonPersonalInfo, ReasonOffTopic, ReasonOther}
}

// Label is the reason in words.
func (r Reason) Label() string {
	switch r {
	case ReasonSpam:
		return "Spam"
	case ReasonHarassment:
		return "Harassment"
	case ReasonPersonalInfo:
		return "Personal information about someone"
	case ReasonOffTopic:
		return "Off-topic"
	}
	return "Something else"
}

func validReason(r Reason) bool { return slices.Contains(Reasons(), r) }

// MaxDetailsRunes bounds what a reporter writes.
const MaxDetailsRunes = 2000

// Report is one member's report of one thing.
type Report struct {
	ID            int64
	ReporterID    int64
	Reporter      string
	Kind          TargetKind
	TargetID      int64
	TargetUserID  int64
	TargetUser    string
	Reason        Reason
	Details       string
	SnapshotLabel string
	SnapshotText  string
	SnapshotHTML  string
	TargetURL     string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	// Incident is the incident that covers the report, nil when none does yet.
	Incident *Incident
}

// ReportInput is what the report form submits.
type ReportInput struct {
	Kind    TargetKind
	ID      int64
	Reason  Reason
	Details string
}

// FileReport records a report with a snapshot of its target. A member's repeated report
// of the same thing while it is still open updates the first one instead of adding
// another; collapsed says so.
func (s *Service) FileReport(ctx context.Context, u *account.User, in ReportInput) (collapsed bool, err error) {
	in.Details = strings.TrimSpace(in.Details)
	switch {
	case !validReason(in.Reason):
		return false, web.Invalid("reason", "Choose why you are reporting this.")
	case in.Reason == ReasonOther && in.Details == "":
		return false, web.Invalid("details", "Tell the moderators what is wrong, in a sentence or two.")
	case utf8.RuneCountInString(in.Details) > MaxDetailsRunes:
		return false, web.Invalid("details", fmt.Sprintf("Shorten your explanation to %d characters or fewer.", MaxDetailsRunes))
	}
	t, err := s.LoadTarget(ctx, u, in.Kind, in.ID)
	if err != nil {
		return false, err
	}
	if t.UserID == u.ID {
		return false, web.Invalid("form", "You cannot report yourself or what you wrote. To remove a post, edit or delete it.")
	}
	if !s.reportLimit.Allow(fmt.Sprint(u.ID)) {
		return false, ErrRateLimited
	}
	now := s.now()
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		if collapsed, err = s.store.saveReport(tx, u.ID, t, in, now); err != nil {
			return err
		}
		return s.autoHide(tx, t, now)
	})
	return collapsed, err
}

// OpenReports lists the open reports of one target, oldest first.
func (s *Service) OpenReports(ctx context.Context, kind TargetKind, id int64) ([]*Report, error) {
	return s.store.openReportsOf(ctx, kind, id)
}

// ReportsBy lists every report a member filed, for their data export.
func (s *Service) ReportsBy(ctx context.Context, userID int64) ([]*Report, error) {
	return s.store.reportsBy(ctx, userID)
}

// ReportsAbout lists the reports about a member's content or account, open or closed,
// newest first.
func (s *Service) ReportsAbout(ctx context.Context, userID int64, limit int) ([]*Report, error) {
	return s.store.reportsAbout(ctx, userID, limit)
}

// OpenReportCount is how many things wait in the queue, for the staff banner.
func (s *Service) OpenReportCount(ctx context.Context) (int, error) {
	return s.store.openTargetCount(ctx, 0)
}

// errNoTarget is storage.ErrNotFound for targets, wrapped with what was looked for.
func errNoTarget(kind TargetKind, id int64) error {
	return fmt.Errorf("moderation: %s %d: %w", kind, id, storage.ErrNotFound)
}
