package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"stoa/storage"
	"stoa/web"
)

// What the moderation tools ask of accounts: several members at once for the review
// queue, a filtered list for administrators, and role changes inside the transaction
// that records them in the audit log.

// ByIDs loads the active members among ids, in no particular order; ids of no member, or
// of a deleted one, are left out.
func (s *Store) ByIDs(ctx context.Context, ids []int64) ([]*User, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.db.Query(ctx, "select "+userColumns+" from users where deleted_at is null and id in (?"+
		strings.Repeat(", ?", len(ids)-1)+")", args...)
	if err != nil {
		return nil, fmt.Errorf("account: load users: %w", err)
	}
	defer rows.Close()
	var out []*User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("account: load users: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("account: load users: %w", err)
	}
	return out, nil
}

// MemberSearch selects members for the administrators' list.
type MemberSearch struct {
	Query  string // part of a username
	Role   Role   // "" for every role
	Limit  int
	Offset int
}

// SearchMembers lists active members by username with the total that match. It reads no
// email address: staff pages never show one (P13).
func (s *Store) SearchMembers(ctx context.Context, f MemberSearch) ([]*User, int, error) {
	where := "deleted_at is null"
	var args []any
	if q := strings.TrimSpace(f.Query); q != "" {
		where += ` and username_key like ? escape '\'`
		args = append(args, "%"+likeEscape(UsernameKey(q))+"%")
	}
	if f.Role != "" {
		where += " and role = ?"
		args = append(args, string(f.Role))
	}
	var total int
	if err := s.db.QueryRow(ctx, "select count(*) from users where "+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("account: count members: %w", err)
	}
	rows, err := s.db.Query(ctx, "select id, username, display_name, role, created_at from users where "+where+
		" order by username_key limit ? offset ?", append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("account: list members: %w", err)
	}
	defer rows.Close()
	var out []*User
	for rows.Next() {
		u := &User{}
		var role string
		var created int64
		if err := rows.Scan(&u.ID, &u.Username, &u.DisplayName, &role, &created); err != nil {
			return nil, 0, fmt.Errorf("account: list members: %w", err)
		}
		u.Role, u.CreatedAt = Role(role), time.Unix(created, 0).UTC()
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("account: list members: %w", err)
	}
	return out, total, nil
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}

// ErrOnlyAdminRole refuses to take the role away from the only administrator: a site must
// keep one.
var ErrOnlyAdminRole = web.Invalid("role", "This is the only administrator. Make someone else an administrator first.")

// SetRoleTx changes an active member's role inside tx, so that the change and its record
// commit together. It refuses to demote the last administrator with ErrOnlyAdminRole.
func (s *Store) SetRoleTx(tx *storage.Tx, id int64, role Role) error {
	var current string
	err := tx.QueryRow("select role from users where id = ? and deleted_at is null", id).Scan(&current)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("account: set role of %d: %w", id, storage.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("account: set role of %d: %w", id, err)
	}
	if Role(current) == RoleAdmin && role != RoleAdmin {
		var others int
		if err := tx.QueryRow("select count(*) from users where role = 'admin' and deleted_at is null and id <> ?", id).Scan(&others); err != nil {
			return fmt.Errorf("account: count admins: %w", err)
		}
		if others == 0 {
			return ErrOnlyAdminRole
		}
	}
	if _, err := tx.Exec("update users set role = ? where id = ?", string(role), id); err != nil {
		return fmt.Errorf("account: set role of %d: %w", id, err)
	}
	return nil
}
