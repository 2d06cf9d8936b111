package moderation

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"stoa/account"
	"stoa/storage"
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

func validReason(r Reason) bool {
	for _, x := range Reasons() {
		if x == r {
			return true
		}
	}
	return false
}

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
}

// ReportInput is what the report form submits.
type ReportInput struct {
	Kind    TargetKind
	ID      int64
	Reason  Reason
	Details string
}

// ErrRateLimited is returned to a member who reports too much too quickly.
var ErrRateLimited = errors.New("You have sent many reports in a short time. Please wait a few minutes and try again; the moderators already have your earlier reports.")

// FileReport records a report with a snapshot of its target. A member's repeated report
// of the same thing while it is still open updates the first one instead of adding
// another; collapsed says so.
func (s *Service) FileReport(ctx context.Context, u *account.User, in ReportInput) (collapsed bool, err error) {
	in.Details = strings.TrimSpace(in.Details)
	switch {
	case !validReason(in.Reason):
		return false, inputError("reason", "Choose why you are reporting this.")
	case in.Reason == ReasonOther && in.Details == "":
		return false, inputError("details", "Tell the moderators what is wrong, in a sentence or two.")
	case utf8.RuneCountInString(in.Details) > MaxDetailsRunes:
		return false, inputError("details", fmt.Sprintf("Shorten your explanation to %d characters or fewer.", MaxDetailsRunes))
	}
	t, err := s.LoadTarget(ctx, u, in.Kind, in.ID)
	if err != nil {
		return false, err
	}
	if t.UserID == u.ID {
		return false, inputError("form", "You cannot report yourself or what you wrote. To remove a post, edit or delete it.")
	}
	if !s.reportLimit.Allow(fmt.Sprint(u.ID)) {
		return false, ErrRateLimited
	}
	now := s.now().Unix()
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		res, err := tx.Exec(`update reports set reason = ?, details = ?, updated_at = ?
			where reporter_id = ? and target_kind = ? and target_id = ? and resolved_at is null`,
			string(in.Reason), in.Details, now, u.ID, string(t.Kind), t.ID)
		if err != nil {
			return fmt.Errorf("moderation: update report: %w", err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			collapsed = true
			return nil
		}
		var targetUser any
		if t.UserID != 0 {
			targetUser = t.UserID
		}
		_, err = tx.Exec(`insert into reports(reporter_id, target_kind, target_id, target_user_id, reason, details,
			snapshot_label, snapshot_text, snapshot_html, target_url, created_at, updated_at)
			values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, u.ID, string(t.Kind), t.ID, targetUser, string(in.Reason), in.Details,
			t.Label, t.Text, t.HTML, t.URL, now, now)
		if err != nil {
			return fmt.Errorf("moderation: insert report: %w", err)
		}
		return nil
	})
	return collapsed, err
}

const reportColumns = `r.id, r.reporter_id, coalesce(ru.username, 'former-member'), r.target_kind, r.target_id,
	coalesce(r.target_user_id, 0), coalesce(tu.username, ''), r.reason, r.details, r.snapshot_label, r.snapshot_text,
	r.snapshot_html, r.target_url, r.created_at, r.updated_at`

const reportJoins = ` from reports r left join users ru on ru.id = r.reporter_id and ru.deleted_at is null
	left join users tu on tu.id = r.target_user_id`

func scanReports(rows *sql.Rows) ([]*Report, error) {
	defer rows.Close()
	var out []*Report
	for rows.Next() {
		var r Report
		var kind, reason string
		var created, updated int64
		if err := rows.Scan(&r.ID, &r.ReporterID, &r.Reporter, &kind, &r.TargetID, &r.TargetUserID, &r.TargetUser, &reason,
			&r.Details, &r.SnapshotLabel, &r.SnapshotText, &r.SnapshotHTML, &r.TargetURL, &created, &updated); err != nil {
			return nil, fmt.Errorf("moderation: read reports: %w", err)
		}
		r.Kind, r.Reason = TargetKind(kind), Reason(reason)
		r.CreatedAt, r.UpdatedAt = time.Unix(created, 0).UTC(), time.Unix(updated, 0).UTC()
		out = append(out, &r)
	}
	return out, rows.Err()
}

// OpenReports lists the open reports of one target, oldest first.
func (s *Service) OpenReports(ctx context.Context, kind TargetKind, id int64) ([]*Report, error) {
	rows, err := s.db.Query(ctx, "select "+reportColumns+reportJoins+
		" where r.resolved_at is null and r.target_kind = ? and r.target_id = ? order by r.id", string(kind), id)
	if err != nil {
		return nil, fmt.Errorf("moderation: open reports of %s %d: %w", kind, id, err)
	}
	return scanReports(rows)
}

// ReportsBy lists every report a member filed, for their data export.
func (s *Service) ReportsBy(ctx context.Context, userID int64) ([]*Report, error) {
	rows, err := s.db.Query(ctx, "select "+reportColumns+reportJoins+" where r.reporter_id = ? order by r.id", userID)
	if err != nil {
		return nil, fmt.Errorf("moderation: reports by %d: %w", userID, err)
	}
	return scanReports(rows)
}

// QueueItem is one reported thing in the review queue, with every open report of it.
type QueueItem struct {
	Kind      TargetKind
	TargetID  int64
	Reports   []*Report
	Reporters int
	Latest    *Report // its snapshot is the one shown
	History   *History
}

// maxQueueReports bounds one queue page; a moderator who works through it sees the rest.
const maxQueueReports = 1000

// Queue returns the open reports grouped by what they report, the most reported first,
// then the oldest.
func (s *Service) Queue(ctx context.Context) ([]*QueueItem, error) {
	rows, err := s.db.Query(ctx, "select "+reportColumns+reportJoins+
		" where r.resolved_at is null order by r.id limit ?", maxQueueReports)
	if err != nil {
		return nil, fmt.Errorf("moderation: queue: %w", err)
	}
	reports, err := scanReports(rows)
	if err != nil {
		return nil, err
	}
	type key struct {
		kind TargetKind
		id   int64
	}
	byTarget := map[key]*QueueItem{}
	var items []*QueueItem
	for _, r := range reports {
		k := key{r.Kind, r.TargetID}
		it := byTarget[k]
		if it == nil {
			it = &QueueItem{Kind: r.Kind, TargetID: r.TargetID}
			byTarget[k] = it
			items = append(items, it)
		}
		it.Reports = append(it.Reports, r)
		it.Latest = r
	}
	histories := map[int64]*History{}
	for _, it := range items {
		seen := map[int64]bool{}
		for _, r := range it.Reports {
			seen[r.ReporterID] = true
		}
		it.Reporters = len(seen)
		uid := it.Latest.TargetUserID
		if uid == 0 {
			continue
		}
		if histories[uid] == nil {
			if histories[uid], err = s.HistoryOf(ctx, uid); err != nil {
				return nil, err
			}
		}
		it.History = histories[uid]
	}
	// Stable: among equally reported things, the oldest report comes first.
	slices.SortStableFunc(items, func(a, b *QueueItem) int { return b.Reporters - a.Reporters })
	return items, nil
}

// OpenReportCount is how many things wait in the queue, for the staff banner.
func (s *Service) OpenReportCount(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRow(ctx,
		"select count(*) from (select 1 from reports where resolved_at is null group by target_kind, target_id)").Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("moderation: count open reports: %w", err)
	}
	return n, nil
}

// resolveReports closes every open report of a target inside tx.
func resolveReports(tx *storage.Tx, actor *account.User, kind TargetKind, id int64, resolution string, now time.Time) (int64, error) {
	res, err := tx.Exec(`update reports set resolved_at = ?, resolved_by = ?, resolution = ?
		where resolved_at is null and target_kind = ? and target_id = ?`, now.Unix(), actor.ID, resolution, string(kind), id)
	if err != nil {
		return 0, fmt.Errorf("moderation: resolve reports of %s %d: %w", kind, id, err)
	}
	return res.RowsAffected()
}

// errNoTarget is storage.ErrNotFound for targets, wrapped with what was looked for.
func errNoTarget(kind TargetKind, id int64) error {
	return fmt.Errorf("moderation: %s %d: %w", kind, id, storage.ErrNotFound)
}

// ReportsAbout lists the reports about a member's content or account, open or closed,
// newest first.
func (s *Service) ReportsAbout(ctx context.Context, userID int64, limit int) ([]*Report, error) {
	rows, err := s.db.Query(ctx, "select "+reportColumns+reportJoins+
		" where r.target_user_id = ? order by r.id desc limit ?", userID, limit)
	if err != nil {
		return nil, fmt.Errorf("moderation: reports about %d: %w", userID, err)
	}
	return scanReports(rows)
}
