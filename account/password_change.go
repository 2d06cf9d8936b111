package account

import (
	"context"
	"errors"
	"time"

	"stoa/storage"
	"stoa/web"
)

// AdminResetTTL is how long a reset link made by an administrator works: long enough to
// reach the member by some other way than mail, once.
const AdminResetTTL = 24 * time.Hour

// ChangePassword sets a new password for u after checking the current one. Every session
// of the account ends, as after a reset, so whoever knew the old password is logged out
// everywhere; the browser that made the change goes on with the new session whose token
// is returned.
func (s *Service) ChangePassword(ctx context.Context, u *User, current, next string) (string, error) {
	if current == "" {
		return "", web.Invalid("current", "Enter the password you log in with now.")
	}
	if err := s.checkPassword(ctx, u, current, "current"); err != nil {
		return "", err
	}
	if msg := ValidatePassword(next); msg != "" {
		return "", web.Invalid("password", msg)
	}
	if next == current {
		return "", web.Invalid("password", "That is your current password. Choose a different one.")
	}
	hash, err := HashPassword(next)
	if err != nil {
		return "", err
	}
	token := NewToken()
	now := s.now()
	err = s.store.db.Write(ctx, func(tx *storage.Tx) error {
		if err := s.store.setPassword(tx, u.ID, hash); err != nil {
			return err
		}
		// A reset link asked for earlier would undo the change: it goes too.
		if err := s.store.deleteMailTokens(tx, u.ID, purposeReset); err != nil {
			return err
		}
		// Chat sockets of the old sessions close too; this browser goes on with a new one.
		if err := s.endSessions(tx, u.ID, ReasonReset); err != nil {
			return err
		}
		return s.store.insertSession(tx, token, u.ID, now, now.Add(SessionTTL))
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// ErrNoSuchMember answers the command line when no member has the name it was given.
var ErrNoSuchMember = errors.New("account: no such member")

// SetPassword sets a member's password from the command line (stoa user passwd), for an
// operator helping someone who cannot log in. Like a reset, it ends every session of the
// account and voids outstanding reset links. It needs only the store.
func SetPassword(ctx context.Context, store *Store, username, password string) (*User, error) {
	if msg := ValidatePassword(password); msg != "" {
		return nil, web.Invalid("password", msg)
	}
	u, err := store.ByUsername(ctx, username)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, ErrNoSuchMember
	}
	if err != nil {
		return nil, err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return nil, err
	}
	err = store.db.Write(ctx, func(tx *storage.Tx) error {
		if err := store.setPassword(tx, u.ID, hash); err != nil {
			return err
		}
		if err := store.deleteMailTokens(tx, u.ID, purposeReset); err != nil {
			return err
		}
		return DeleteSessionsOf(tx, u.ID)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// ResetLinkTx makes, inside tx, a single-use password reset link for a member, for an
// administrator to hand over when mail cannot reach them (the site has no mail server,
// or the member gave no address). Earlier reset links of the member stop working. It
// returns the link's token; the link is /reset/TOKEN, as for links sent by mail.
func (s *Store) ResetLinkTx(tx *storage.Tx, userID int64, now time.Time) (string, error) {
	if err := s.deleteMailTokens(tx, userID, purposeReset); err != nil {
		return "", err
	}
	token := NewToken()
	if err := s.insertMailToken(tx, token, userID, purposeReset, "", now, AdminResetTTL); err != nil {
		return "", err
	}
	return token, nil
}
