package moderation

import (
	"context"
	"fmt"
	"strings"

	"stoa/account"
	"stoa/storage"
)

// SetRole lets an admin promote or demote a member, recording who did it. Admins cannot
// change their own role, so nobody locks themselves out by a slip.
func (s *Service) SetRole(ctx context.Context, actor, member *account.User, role account.Role, reason string) error {
	if !actor.IsAdmin() {
		return ErrNotAdmin
	}
	if actor.ID == member.ID {
		return inputError("role", "You cannot change your own role. Ask another administrator.")
	}
	if member.Role == role {
		return nil
	}
	reason = strings.TrimSpace(reason)
	if len([]rune(reason)) > MaxReasonRunes {
		return inputError("reason", fmt.Sprintf("Shorten the reason to %d characters or fewer.", MaxReasonRunes))
	}
	now := s.now()
	return s.db.Write(ctx, func(tx *storage.Tx) error {
		// The role changes here rather than through account.Store.SetRole so that it and
		// its audit entry commit together.
		var admins int
		if err := tx.QueryRow("select count(*) from users where role = 'admin' and deleted_at is null and id <> ?", member.ID).Scan(&admins); err != nil {
			return fmt.Errorf("moderation: count admins: %w", err)
		}
		if member.Role == account.RoleAdmin && admins == 0 {
			// A site must keep an administrator.
			return inputError("role", "This is the only administrator. Make someone else an administrator first.")
		}
		res, err := tx.Exec("update users set role = ? where id = ? and deleted_at is null", string(role), member.ID)
		if err != nil {
			return fmt.Errorf("moderation: set role of %d: %w", member.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return storage.ErrNotFound
		}
		return Audit(tx, actor, Entry{At: now, Action: ActChangeRole, TargetKind: "user", TargetID: member.ID, TargetUserID: member.ID,
			TargetLabel: fmt.Sprintf("%s: %s → %s", member.Username, member.Role, role), TargetURL: "/u/" + member.Username, Reason: reason})
	})
}

// MemberFilter selects members for the admin's list.
type MemberFilter struct {
	Query  string       // part of a username
	Role   account.Role // "" for every role
	Limit  int
	Offset int
}

// MemberRow is one member in the admin's list, with what staff need at a glance.
type MemberRow struct {
	User   *account.User
	Active *Sanction
}

// Members lists members by username with their current sanction; it never reads email
// addresses (P13).
func (s *Service) Members(ctx context.Context, f MemberFilter) ([]*MemberRow, int, error) {
	where := "deleted_at is null"
	var args []any
	if q := strings.TrimSpace(f.Query); q != "" {
		where += " and username_key like ? escape '\\'"
		args = append(args, "%"+likeEscape(account.UsernameKey(q))+"%")
	}
	if f.Role != "" {
		where += " and role = ?"
		args = append(args, string(f.Role))
	}
	var total int
	if err := s.db.QueryRow(ctx, "select count(*) from users where "+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("moderation: count members: %w", err)
	}
	rows, err := s.db.Query(ctx, "select id, username, display_name, role, created_at from users where "+where+
		" order by username_key limit ? offset ?", append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("moderation: list members: %w", err)
	}
	var out []*MemberRow
	for rows.Next() {
		u := &account.User{}
		var role string
		var created int64
		if err := rows.Scan(&u.ID, &u.Username, &u.DisplayName, &role, &created); err != nil {
			rows.Close()
			return nil, 0, fmt.Errorf("moderation: list members: %w", err)
		}
		u.Role, u.CreatedAt = account.Role(role), unixTime(created)
		out = append(out, &MemberRow{User: u})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	for _, m := range out {
		if m.Active, _, err = s.activeSanction(ctx, m.User.ID, false); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}
