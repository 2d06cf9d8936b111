package moderation

import (
	"context"
	"fmt"
	"strings"

	"stoa/account"
	"stoa/storage"
)

// insertAudit appends an entry inside tx. The database refuses actions outside the enum
// and any later change to the entry.
func (st *store) insertAudit(tx *storage.Tx, e Entry) error {
	_, err := tx.Exec(`insert into audit_log(at, actor_id, actor_name, action, target_kind, target_id, target_user_id,
		target_label, target_url, reason, about_kind, about_id) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.At.Unix(), nullID(e.ActorID), e.ActorName, string(e.Action), e.TargetKind, nullID(e.TargetID),
		nullID(e.TargetUserID), e.TargetLabel, e.TargetURL, e.Reason, e.AboutKind, nullID(e.AboutID))
	if err != nil {
		return fmt.Errorf("moderation: audit %s: %w", e.Action, err)
	}
	return nil
}

// auditEntries lists the entries f selects, newest first, with the total that match.
func (st *store) auditEntries(ctx context.Context, f AuditFilter) ([]Entry, int, error) {
	where := []string{"1 = 1"}
	var args []any
	if f.Action != "" {
		where = append(where, "l.action = ?")
		args = append(args, string(f.Action))
	}
	if f.Actor != "" {
		where = append(where, "lower(l.actor_name) = ?")
		args = append(args, account.UsernameKey(f.Actor))
	}
	if f.TargetUserID != 0 {
		where = append(where, "l.target_user_id = ?")
		args = append(args, f.TargetUserID)
	}
	if f.TargetKind != "" {
		where = append(where, "(l.target_kind = ? and l.target_id = ? or l.about_kind = ? and l.about_id = ?)")
		args = append(args, f.TargetKind, f.TargetID, f.TargetKind, f.TargetID)
	}
	for _, a := range f.WithoutActions {
		where = append(where, "l.action <> ?")
		args = append(args, string(a))
	}
	if f.PublicOnly {
		where = append(where, "a.public = 1")
	}
	cond := strings.Join(where, " and ")
	var total int
	if err := st.db.QueryRow(ctx, "select count(*) from audit_log l join audit_actions a on a.name = l.action where "+cond,
		args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("moderation: count audit entries: %w", err)
	}
	rows, err := st.db.Query(ctx, `select l.id, l.at, coalesce(l.actor_id, 0), l.actor_name, l.action, l.target_kind,
		coalesce(l.target_id, 0), coalesce(l.target_user_id, 0), l.target_label, l.target_url, l.reason
		from audit_log l join audit_actions a on a.name = l.action where `+cond+` order by l.id desc limit ? offset ?`,
		append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("moderation: list audit entries: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var at int64
		var action string
		if err := rows.Scan(&e.ID, &at, &e.ActorID, &e.ActorName, &action, &e.TargetKind, &e.TargetID, &e.TargetUserID,
			&e.TargetLabel, &e.TargetURL, &e.Reason); err != nil {
			return nil, 0, fmt.Errorf("moderation: list audit entries: %w", err)
		}
		e.At, e.Action = unixTime(at), Action(action)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("moderation: list audit entries: %w", err)
	}
	return out, total, nil
}
