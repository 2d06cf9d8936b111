package moderation

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"stoa/account"
	"stoa/storage"
	"stoa/web"
)

// errOwnResetLink sends an administrator to their own account page instead.
var errOwnResetLink = web.Refused(http.StatusUnprocessableEntity, "To change your own password, use Password on your account page.")

// ResetLink makes a single-use password reset link for member, for an administrator to
// hand over when mail cannot reach them, and records in the audit log who made it and
// why. The link is returned once and stored only as a hash.
func (s *Service) ResetLink(ctx context.Context, actor, member *account.User, reason string) (string, error) {
	if !actor.IsAdmin() {
		return "", ErrNotAdmin
	}
	if actor.ID == member.ID {
		return "", errOwnResetLink
	}
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > MaxReasonRunes {
		return "", web.Invalid("reason", fmt.Sprintf("Shorten the reason to %d characters or fewer.", MaxReasonRunes))
	}
	now := s.now()
	var token string
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		var err error
		// The link and its audit entry commit together.
		if token, err = s.accounts.ResetLinkTx(tx, member.ID, now); err != nil {
			return err
		}
		return s.audit.Record(tx, actor, Entry{At: now, Action: ActResetLink, TargetKind: "user", TargetID: member.ID,
			TargetUserID: member.ID, TargetLabel: member.Username, TargetURL: "/u/" + member.Username, Reason: reason})
	})
	if err != nil {
		return "", err
	}
	return s.baseURL + "/reset/" + token, nil
}
