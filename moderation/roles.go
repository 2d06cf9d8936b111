package moderation

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"stoa/account"
	"stoa/storage"
	"stoa/web"
)

// SetRole lets an admin promote or demote a member, recording who did it. Admins cannot
// change their own role, so nobody locks themselves out by a slip, and the accounts
// refuse to demote the last administrator.
func (s *Service) SetRole(ctx context.Context, actor, member *account.User, role account.Role, reason string) error {
	if !actor.IsAdmin() {
		return ErrNotAdmin
	}
	if actor.ID == member.ID {
		return web.Invalid("role", "You cannot change your own role. Ask another administrator.")
	}
	if member.Role == role {
		return nil
	}
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > MaxReasonRunes {
		return web.Invalid("reason", fmt.Sprintf("Shorten the reason to %d characters or fewer.", MaxReasonRunes))
	}
	now := s.now()
	return s.db.Write(ctx, func(tx *storage.Tx) error {
		// The role and its audit entry commit together.
		if err := s.accounts.SetRoleTx(tx, member.ID, role); err != nil {
			return err
		}
		return s.audit.Record(tx, actor, Entry{At: now, Action: ActChangeRole, TargetKind: "user", TargetID: member.ID, TargetUserID: member.ID,
			TargetLabel: fmt.Sprintf("%s: %s → %s", member.Username, member.Role, role), TargetURL: "/u/" + member.Username, Reason: reason})
	})
}

// MemberRow is one member in the admin's list, with what staff need at a glance.
type MemberRow struct {
	User   *account.User
	Active *Sanction
}

// Members lists members by username with their current sanction; the accounts never
// give it email addresses (P13).
func (s *Service) Members(ctx context.Context, f account.MemberSearch) ([]*MemberRow, int, error) {
	users, total, err := s.accounts.SearchMembers(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	ids := make([]int64, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	active, err := s.sanctions.activeOf(ctx, ids, false)
	if err != nil {
		return nil, 0, err
	}
	out := make([]*MemberRow, len(users))
	for i, u := range users {
		out[i] = &MemberRow{User: u, Active: active[u.ID]}
	}
	return out, total, nil
}
