package moderation

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
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
		coalesce(c.username, ''), x.lifted_at, coalesce(l.username, ''), x.lift_reason, x.lifted_in_error,
		coalesce(x.replaced_by, 0)
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
		var inError int
		if err := rows.Scan(&x.ID, &x.UserID, &kind, &x.Reason, &starts, &ends, &created, &x.CreatedBy, &lifted, &x.LiftedBy,
			&x.LiftReason, &inError, &x.ReplacedBy); err != nil {
			return nil, fmt.Errorf("moderation: sanctions: %w", err)
		}
		x.Kind = SanctionKind(kind)
		x.StartsAt, x.EndsAt, x.CreatedAt, x.LiftedAt = unixTime(starts), unix(ends), unixTime(created), unix(lifted)
		x.LiftedInError = inError == 1
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

// openSanctionsTx returns, inside tx, the member's sanctions that were not lifted and
// had not ended at now.
func (st *store) openSanctionsTx(tx *storage.Tx, userID int64, now time.Time) ([]*Sanction, error) {
	rows, err := tx.Query(`select id, kind, starts_at, ends_at from sanctions
		where user_id = ? and lifted_at is null and (ends_at is null or ends_at > ?) order by id`, userID, now.Unix())
	if err != nil {
		return nil, fmt.Errorf("moderation: open sanctions of %d: %w", userID, err)
	}
	defer rows.Close()
	var out []*Sanction
	for rows.Next() {
		x := &Sanction{UserID: userID}
		var kind string
		var starts int64
		var ends sql.NullInt64
		if err := rows.Scan(&x.ID, &kind, &starts, &ends); err != nil {
			return nil, fmt.Errorf("moderation: open sanctions of %d: %w", userID, err)
		}
		x.Kind, x.StartsAt, x.EndsAt = SanctionKind(kind), unixTime(starts), unix(ends)
		out = append(out, x)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("moderation: open sanctions of %d: %w", userID, err)
	}
	return out, nil
}

// replaceSanctions ends, inside tx, the member's sanctions still open at now other than
// newID, recording that newID replaced them.
func (st *store) replaceSanctions(tx *storage.Tx, userID, newID, byID int64, reason string, now time.Time) error {
	_, err := tx.Exec(`update sanctions set lifted_at = ?, lifted_by = ?, replaced_by = ?, lift_reason = ?
		where user_id = ? and id <> ? and lifted_at is null and (ends_at is null or ends_at > ?)`,
		now.Unix(), byID, newID, reason, userID, newID, now.Unix())
	if err != nil {
		return fmt.Errorf("moderation: replace sanctions of %d: %w", userID, err)
	}
	return nil
}

// liftSanctions ends at now every sanction of the member in force, and returns them,
// hardest first; storage.ErrNotFound when l.SanctionID, the one the moderator saw, is
// not in force (lifted meanwhile, ended, or not theirs).
func (st *store) liftSanctions(tx *storage.Tx, userID int64, l Lift, byID int64, now time.Time) ([]*Sanction, error) {
	lifted, err := st.openSanctionsTx(tx, userID, now)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(lifted, func(x *Sanction) bool { return x.ID == l.SanctionID }) {
		return nil, fmt.Errorf("moderation: lift sanction %d: %w", l.SanctionID, storage.ErrNotFound)
	}
	for _, x := range lifted {
		if _, err := tx.Exec(`update sanctions set lifted_at = ?, lifted_by = ?, lift_reason = ?, lifted_in_error = ? where id = ?`,
			now.Unix(), byID, l.Reason, l.InError, x.ID); err != nil {
			return nil, fmt.Errorf("moderation: lift sanction %d: %w", x.ID, err)
		}
	}
	sort.SliceStable(lifted, func(i, j int) bool { return kindRank(lifted[i].Kind) < kindRank(lifted[j].Kind) })
	return lifted, nil
}
