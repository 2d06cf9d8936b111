package account

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"stoa/storage"
	"stoa/web"
)

// FormerMember is the name shown on content kept after its author deleted their account.
const FormerMember = "former-member"

// ErrLastAdmin refuses to delete the only administrator, which would leave the site
// without anyone who can run it.
var ErrLastAdmin = web.Refused(http.StatusConflict, "You are the only administrator. Make another member an administrator first, then delete your account.")

// errWrongPassword is how a wrong password answers an account deletion; it is still
// ErrBadCredentials to errors.Is.
var errWrongPassword = web.Invalid("password", "That is not your password. Nothing was deleted; try again.").Because(ErrBadCredentials)

// DeleteAccount erases a member (P15) after checking their password. Every data source
// erases or anonymises its share in the same transaction (erase says which, for content
// others can see); the account's personal fields, sessions and one-time links go. The row
// itself stays, emptied, because kept posts still point at it. What changes in others'
// content (quotes of the member, mentions) is prepared before the write by the data
// sources that are ErasePlanners, and prepared again if it changed meanwhile.
func (s *Service) DeleteAccount(ctx context.Context, userID int64, password string, erase bool) error {
	u, err := s.store.ByID(ctx, userID)
	if err != nil {
		return err
	}
	_, hash, err := s.store.passwordHash(ctx, u.Username)
	if err != nil {
		return err
	}
	ok, err := s.passwords.Check(ctx, hash, password)
	if web.AsError(err) != nil {
		return err
	}
	if err != nil {
		return fmt.Errorf("account: check password of %d: %w", userID, err)
	}
	if !ok {
		return errWrongPassword
	}
	for attempt := 1; ; attempt++ {
		err := s.deleteAccount(ctx, u, erase)
		if !errors.Is(err, ErrContentChanged) {
			return err
		}
		if attempt == eraseAttempts {
			return errBusyDeleting.Because(err)
		}
	}
}

// errBusyDeleting answers a deletion that others' writing kept overtaking.
var errBusyDeleting = web.Refused(http.StatusConflict, "Others were writing about you at that very moment. Nothing was deleted; try again.")

// deleteAccount prepares what the data sources change in others' content, then deletes
// the account in one write.
func (s *Service) deleteAccount(ctx context.Context, u *User, erase bool) error {
	userID := u.ID
	var plans []func(tx *storage.Tx) error
	for _, ds := range s.dataSources {
		if p, ok := ds.(ErasePlanner); ok {
			plan, err := p.PlanErase(ctx, DeletedMember{ID: u.ID, Username: u.Username, Erase: erase})
			if err != nil {
				return fmt.Errorf("account: delete member %d: %w", userID, err)
			}
			plans = append(plans, plan)
		}
	}
	now := s.now()
	return s.store.db.Write(ctx, func(tx *storage.Tx) error {
		// Checked inside the write, which is serialised, so two admins deleting their
		// accounts at once cannot both leave.
		others, err := s.store.CountOtherAdmins(tx, userID)
		if err != nil {
			return err
		}
		if u.IsAdmin() && others == 0 {
			return ErrLastAdmin
		}
		// Others' content first, while the member's own is still there to compare with.
		for _, plan := range plans {
			if err := plan(tx); err != nil {
				return fmt.Errorf("account: delete member %d: %w", userID, err)
			}
		}
		for _, ds := range s.dataSources {
			if err := ds.EraseUser(tx, userID, erase); err != nil {
				return fmt.Errorf("account: delete member %d: %w", userID, err)
			}
		}
		if err := s.endSessions(tx, userID, ReasonDeleted); err != nil {
			return err
		}
		if err := s.store.deleteAvatar(tx, userID); err != nil {
			return err
		}
		// One-time links (password reset, address confirmation) carry the address too.
		if err := s.store.deleteAllMailTokens(tx, userID); err != nil {
			return err
		}
		// The name's mark stays on the emptied row: it reserves the name, and keeps the
		// account's moderation record findable when someone holds the name again.
		if err := s.store.markDeletedName(tx, userID, u.Username); err != nil {
			return err
		}
		return s.store.eraseUser(tx, userID, now)
	})
}

// NameReservationDays is how many days a deleted account's username stays reserved.
func (s *Service) NameReservationDays() int { return int(s.reservation() / (24 * time.Hour)) }
