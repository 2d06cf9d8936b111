package moderation

import (
	"context"
	"fmt"
	"time"

	"stoa/storage"
)

// saveReport records a member's report of t inside tx. A repeated report of the same
// thing while the first is still open updates that one instead; collapsed says so.
func (st *store) saveReport(tx *storage.Tx, reporterID int64, t *Target, in ReportInput, now time.Time) (collapsed bool, err error) {
	res, err := tx.Exec(`update reports set reason = ?, details = ?, updated_at = ?
		where reporter_id = ? and target_kind = ? and target_id = ? and resolved_at is null`,
		string(in.Reason), in.Details, now.Unix(), reporterID, string(t.Kind), t.ID)
	if err != nil {
		return false, fmt.Errorf("moderation: update report: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n > 0 {
		return n > 0, err
	}
	_, err = tx.Exec(`insert into reports(reporter_id, target_kind, target_id, target_user_id, reason, details,
		snapshot_label, snapshot_text, snapshot_html, target_url, created_at, updated_at)
		values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, reporterID, string(t.Kind), t.ID, nullID(t.UserID), string(in.Reason),
		in.Details, t.Label, t.Text, t.HTML, t.URL, now.Unix(), now.Unix())
	if err != nil {
		return false, fmt.Errorf("moderation: insert report: %w", err)
	}
	return false, nil
}

const reportColumns = `r.id, r.reporter_id, coalesce(ru.username, 'former-member'), r.target_kind, r.target_id,
	coalesce(r.target_user_id, 0), coalesce(tu.username, ''), r.reason, r.details, r.snapshot_label, r.snapshot_text,
	r.snapshot_html, r.target_url, r.created_at, r.updated_at, coalesce(r.incident_id, 0), coalesce(i.summary, ''),
	coalesce(i.created_at, 0)`

const reportJoins = ` from reports r left join users ru on ru.id = r.reporter_id and ru.deleted_at is null
	left join users tu on tu.id = r.target_user_id left join mod_incidents i on i.id = r.incident_id`

func (st *store) listReports(ctx context.Context, where string, args ...any) ([]*Report, error) {
	rows, err := st.db.Query(ctx, "select "+reportColumns+reportJoins+" where "+where, args...)
	if err != nil {
		return nil, fmt.Errorf("moderation: list reports: %w", err)
	}
	defer rows.Close()
	var out []*Report
	for rows.Next() {
		var r Report
		var kind, reason string
		var created, updated, incidentAt int64
		var inc Incident
		if err := rows.Scan(&r.ID, &r.ReporterID, &r.Reporter, &kind, &r.TargetID, &r.TargetUserID, &r.TargetUser, &reason,
			&r.Details, &r.SnapshotLabel, &r.SnapshotText, &r.SnapshotHTML, &r.TargetURL, &created, &updated,
			&inc.ID, &inc.Summary, &incidentAt); err != nil {
			return nil, fmt.Errorf("moderation: list reports: %w", err)
		}
		if inc.ID != 0 {
			inc.CreatedAt = unixTime(incidentAt)
			r.Incident = &inc
		}
		r.Kind, r.Reason = TargetKind(kind), Reason(reason)
		r.CreatedAt, r.UpdatedAt = unixTime(created), unixTime(updated)
		out = append(out, &r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("moderation: list reports: %w", err)
	}
	return out, nil
}

// openReportsOf lists the open reports of one target, oldest first.
func (st *store) openReportsOf(ctx context.Context, kind TargetKind, id int64) ([]*Report, error) {
	return st.listReports(ctx, "r.resolved_at is null and r.target_kind = ? and r.target_id = ? order by r.id", string(kind), id)
}

// openReports lists up to limit open reports, oldest first.
func (st *store) openReports(ctx context.Context, limit int) ([]*Report, error) {
	return st.listReports(ctx, "r.resolved_at is null order by r.id limit ?", limit)
}

// reportsBy lists every report a member filed.
func (st *store) reportsBy(ctx context.Context, userID int64) ([]*Report, error) {
	return st.listReports(ctx, "r.reporter_id = ? order by r.id", userID)
}

// reportsAbout lists up to limit reports about a member's content or account, newest first.
func (st *store) reportsAbout(ctx context.Context, userID int64, limit int) ([]*Report, error) {
	return st.listReports(ctx, "r.target_user_id = ? order by r.id desc limit ?", userID, limit)
}

// openTargetCount is how many different things have open reports: those of userID (their
// posts, messages and profile), or everyone's when userID is 0.
func (st *store) openTargetCount(ctx context.Context, userID int64) (int, error) {
	where, args := "resolved_at is null", []any{}
	if userID != 0 {
		where, args = where+" and target_user_id = ?", append(args, userID)
	}
	var n int
	err := st.db.QueryRow(ctx,
		"select count(*) from (select 1 from reports where "+where+" group by target_kind, target_id) open_targets", args...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("moderation: count open reports: %w", err)
	}
	return n, nil
}

// resolveReports closes every open report of a target inside tx and returns how many.
func (st *store) resolveReports(tx *storage.Tx, byID int64, kind TargetKind, id int64, resolution string, now time.Time) (int64, error) {
	res, err := tx.Exec(`update reports set resolved_at = ?, resolved_by = ?, resolution = ?
		where resolved_at is null and target_kind = ? and target_id = ?`, now.Unix(), byID, resolution, string(kind), id)
	if err != nil {
		return 0, fmt.Errorf("moderation: resolve reports of %s %d: %w", kind, id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("moderation: resolve reports of %s %d: %w", kind, id, err)
	}
	return n, nil
}

// coverReports opens an incident for a member inside tx and gives it every report about
// them that no incident covers yet and that is open, or was closed by this very action
// (by byID, at now). Nothing is written when no report is concerned.
func (st *store) coverReports(tx *storage.Tx, userID, byID int64, summary string, now time.Time) error {
	const concerned = `target_user_id = ? and incident_id is null
		and (resolved_at is null or resolved_at = ? and resolved_by = ?)`
	args := []any{userID, now.Unix(), byID}
	var n int
	if err := tx.QueryRow("select count(*) from reports where "+concerned, args...).Scan(&n); err != nil {
		return fmt.Errorf("moderation: reports of incident for %d: %w", userID, err)
	}
	if n == 0 {
		return nil
	}
	var incident int64
	if err := tx.QueryRow(`insert into mod_incidents(user_id, created_by, created_at, summary) values (?, ?, ?, ?)
		returning id`, userID, nullID(byID), now.Unix(), summary).Scan(&incident); err != nil {
		return fmt.Errorf("moderation: open incident for %d: %w", userID, err)
	}
	if _, err := tx.Exec("update reports set incident_id = ? where "+concerned, append([]any{incident}, args...)...); err != nil {
		return fmt.Errorf("moderation: cover reports of %d: %w", userID, err)
	}
	return nil
}

// openReportsAbout lists the open reports about a member's content or account, oldest first.
func (st *store) openReportsAbout(ctx context.Context, userID int64) ([]*Report, error) {
	return st.listReports(ctx, "r.resolved_at is null and r.target_user_id = ? order by r.id", userID)
}

// standingsOf counts, in one pass over the reports, each reporter's closed reports by
// how they were decided, for the reporters the condition that follows it selects.
const standingsOf = `select reporter_id, sum(case when resolution = 'actioned' then 1 else 0 end),
	sum(case when resolution = 'dismissed' then 1 else 0 end) from reports where reporter_id in `

// openReporterStandings returns the standing of every member with an open report of the
// target, inside tx; each member has at most one open report of one thing.
func (st *store) openReporterStandings(tx *storage.Tx, kind TargetKind, id int64) ([]Standing, error) {
	rows, err := tx.Query(standingsOf+`(select reporter_id from reports
		where target_kind = ? and target_id = ? and resolved_at is null) group by reporter_id`, string(kind), id)
	if err != nil {
		return nil, fmt.Errorf("moderation: reporters of %s %d: %w", kind, id, err)
	}
	defer rows.Close()
	var out []Standing
	for rows.Next() {
		var s Standing
		if err := rows.Scan(&s.ReporterID, &s.Agreed, &s.Disagreed); err != nil {
			return nil, fmt.Errorf("moderation: reporters of %s %d: %w", kind, id, err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// reporterStandings returns the standing of each of the reporters, by id.
func (st *store) reporterStandings(ctx context.Context, ids []int64) (map[int64]Standing, error) {
	out := map[int64]Standing{}
	if len(ids) == 0 {
		return out, nil
	}
	in, args := idList(unique(ids))
	rows, err := st.db.Query(ctx, standingsOf+"("+in+") group by reporter_id", args...)
	if err != nil {
		return nil, fmt.Errorf("moderation: reporter standings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s Standing
		if err := rows.Scan(&s.ReporterID, &s.Agreed, &s.Disagreed); err != nil {
			return nil, fmt.Errorf("moderation: reporter standings: %w", err)
		}
		out[s.ReporterID] = s
	}
	return out, rows.Err()
}
