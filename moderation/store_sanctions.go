package moderation

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"stoa/storage"
)

// openSanctions returns, per member of ids, the sanctions that were not lifted and had
// not ended at now: those that may be in force now or later. Members without any are
// left out.
func (st *store) openSanctions(ctx context.Context, ids []int64, now time.Time) (map[int64][]Sanction, error) {
	out := map[int64][]Sanction{}
	if len(ids) == 0 {
		return out, nil
	}
	in, args := idList(ids)
	rows, err := st.db.Query(ctx, `select id, user_id, kind, reason, starts_at, ends_at, created_at from sanctions
		where user_id in (`+in+`) and lifted_at is null and (ends_at is null or ends_at > ?) order by id`,
		append(args, now.Unix())...)
	if err != nil {
		return nil, fmt.Errorf("moderation: open sanctions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var x Sanction
		var kind string
		var starts, created int64
		var ends sql.NullInt64
		if err := rows.Scan(&x.ID, &x.UserID, &kind, &x.Reason, &starts, &ends, &created); err != nil {
			return nil, fmt.Errorf("moderation: open sanctions: %w", err)
		}
		x.Kind = SanctionKind(kind)
		x.StartsAt, x.EndsAt, x.CreatedAt = unixTime(starts), unix(ends), unixTime(created)
		out[x.UserID] = append(out[x.UserID], x)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("moderation: open sanctions: %w", err)
	}
	return out, nil
}

// sanctionsOf returns, per member of ids, every sanction they received, newest first,
// with the names of the staff who gave and lifted it.
func (st *store) sanctionsOf(ctx context.Context, ids []int64) (map[int64][]*Sanction, error) {
	out := map[int64][]*Sanction{}
	if len(ids) == 0 {
		return out, nil
	}
	in, args := idList(ids)
	rows, err := st.db.Query(ctx, `select x.id, x.user_id, x.kind, x.reason, x.starts_at, x.ends_at, x.created_at,
		coalesce(c.username, ''), x.lifted_at, coalesce(l.username, '')
		from sanctions x left join users c on c.id = x.created_by left join users l on l.id = x.lifted_by
		where x.user_id in (`+in+`) order by x.id desc`, args...)
	if err != nil {
		return nil, fmt.Errorf("moderation: sanctions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		x := &Sanction{}
		var kind string
		var starts, created int64
		var ends, lifted sql.NullInt64
		if err := rows.Scan(&x.ID, &x.UserID, &kind, &x.Reason, &starts, &ends, &created, &x.CreatedBy, &lifted, &x.LiftedBy); err != nil {
			return nil, fmt.Errorf("moderation: sanctions: %w", err)
		}
		x.Kind = SanctionKind(kind)
		x.StartsAt, x.EndsAt, x.CreatedAt, x.LiftedAt = unixTime(starts), unix(ends), unixTime(created), unix(lifted)
		out[x.UserID] = append(out[x.UserID], x)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("moderation: sanctions: %w", err)
	}
	return out, nil
}

// insertSanction records x, given by the staff member byID, inside tx and returns its id.
func (st *store) insertSanction(tx *storage.Tx, x *Sanction, byID int64) (int64, error) {
	var id int64
	err := tx.QueryRow(`insert into sanctions(user_id, kind, reason, starts_at, ends_at, created_by, created_at)
		values (?, ?, ?, ?, ?, ?, ?) returning id`, x.UserID, string(x.Kind), x.Reason, x.StartsAt.Unix(), nullTime(x.EndsAt),
		byID, x.CreatedAt.Unix()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("moderation: sanction %d: %w", x.UserID, err)
	}
	return id, nil
}

// liftSanction ends the member's sanction id at now, when it is still in force or to
// come, and returns its kind; storage.ErrNotFound when there is no such sanction.
func (st *store) liftSanction(tx *storage.Tx, id, userID, byID int64, now time.Time) (SanctionKind, error) {
	var kind string
	err := tx.QueryRow(`update sanctions set lifted_at = ?, lifted_by = ?
		where id = ? and user_id = ? and lifted_at is null and (ends_at is null or ends_at > ?) returning kind`,
		now.Unix(), byID, id, userID, now.Unix()).Scan(&kind)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("moderation: lift sanction %d: %w", id, storage.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("moderation: lift sanction %d: %w", id, err)
	}
	return SanctionKind(kind), nil
}
