package moderation

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"stoa/storage"
)

func joinReasons(rs []Reason) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = string(r)
	}
	return strings.Join(parts, ",")
}

func splitReasons(s string) []Reason {
	var out []Reason
	for _, p := range strings.Split(s, ",") {
		if p != "" {
			out = append(out, Reason(p))
		}
	}
	return out
}

// noticeTemplates lists the templates by rule, then in the order they were added.
func (st *store) noticeTemplates(ctx context.Context) ([]*NoticeTemplate, error) {
	rows, err := st.db.Query(ctx, "select id, rule_number, title, body, reasons from notice_templates order by rule_number, id")
	if err != nil {
		return nil, fmt.Errorf("moderation: notice templates: %w", err)
	}
	defer rows.Close()
	var out []*NoticeTemplate
	for rows.Next() {
		var nt NoticeTemplate
		var reasons string
		if err := rows.Scan(&nt.ID, &nt.Rule, &nt.Title, &nt.Body, &reasons); err != nil {
			return nil, fmt.Errorf("moderation: notice templates: %w", err)
		}
		nt.Reasons = splitReasons(reasons)
		out = append(out, &nt)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("moderation: notice templates: %w", err)
	}
	return out, nil
}

// saveNoticeTemplate inserts a template (id 0) or updates one inside tx, returning its id.
func (st *store) saveNoticeTemplate(tx *storage.Tx, nt NoticeTemplate, now time.Time) (int64, error) {
	if nt.ID == 0 {
		var id int64
		err := tx.QueryRow(`insert into notice_templates(rule_number, title, body, reasons, updated_at)
			values (?, ?, ?, ?, ?) returning id`, nt.Rule, nt.Title, nt.Body, joinReasons(nt.Reasons), now.Unix()).Scan(&id)
		if err != nil {
			return 0, fmt.Errorf("moderation: add notice template: %w", err)
		}
		return id, nil
	}
	res, err := tx.Exec(`update notice_templates set rule_number = ?, title = ?, body = ?, reasons = ?, updated_at = ?
		where id = ?`, nt.Rule, nt.Title, nt.Body, joinReasons(nt.Reasons), now.Unix(), nt.ID)
	if err != nil {
		return 0, fmt.Errorf("moderation: change notice template %d: %w", nt.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return 0, fmt.Errorf("moderation: change notice template %d: %w", nt.ID, storage.ErrNotFound)
	}
	return nt.ID, nil
}

// deleteNoticeTemplate removes a template inside tx and returns what it was.
func (st *store) deleteNoticeTemplate(tx *storage.Tx, id int64) (*NoticeTemplate, error) {
	var nt NoticeTemplate
	err := tx.QueryRow("select id, rule_number, title from notice_templates where id = ?", id).Scan(&nt.ID, &nt.Rule, &nt.Title)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("moderation: remove notice template %d: %w", id, storage.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("moderation: remove notice template %d: %w", id, err)
	}
	if _, err := tx.Exec("delete from notice_templates where id = ?", id); err != nil {
		return nil, fmt.Errorf("moderation: remove notice template %d: %w", id, err)
	}
	return &nt, nil
}
