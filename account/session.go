package account

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"stoa/storage"
	"stoa/web"
)

// LogIn checks a username and password and starts a session.
func (s *Service) LogIn(ctx context.Context, username, password string) (*User, string, error) {
	return s.logIn(ctx, username, password, false)
}

// LogInToNotices is LogIn for a suspended member who asked to read and answer the
// moderators' notices: their session may do nothing else that writes (User.Restricted).
// A member under no such restriction simply logs in.
func (s *Service) LogInToNotices(ctx context.Context, username, password string) (*User, string, error) {
	return s.logIn(ctx, username, password, true)
}

func (s *Service) logIn(ctx context.Context, username, password string, notices bool) (*User, string, error) {
	id, hash, err := s.store.passwordHash(ctx, strings.TrimSpace(username))
	if errors.Is(err, storage.ErrNotFound) {
		// Spend the same time as a real check so timing does not reveal which names exist.
		if _, err := s.passwords.Check(ctx, s.dummyHash(), password); err != nil {
			return nil, "", err
		}
		return nil, "", ErrBadCredentials
	}
	if err != nil {
		return nil, "", err
	}
	ok, err := s.passwords.Check(ctx, hash, password)
	if web.AsError(err) != nil {
		return nil, "", err
	}
	if err != nil {
		return nil, "", fmt.Errorf("account: check password of %d: %w", id, err)
	}
	if !ok {
		return nil, "", ErrBadCredentials
	}
	if err := s.restrictions.CanLogIn(ctx, id); err != nil && !(notices && readsNotices(err)) {
		if readsNotices(err) {
			return nil, "", &suspendedLogin{cause: refusal(err)}
		}
		return nil, "", refusal(err)
	}
	token := NewToken()
	now := s.now()
	if err := s.store.db.Write(ctx, func(tx *storage.Tx) error {
		return s.store.insertSession(tx, token, id, now, now.Add(SessionTTL))
	}); err != nil {
		return nil, "", err
	}
	u, err := s.store.ByID(ctx, id)
	return u, token, err
}

// suspendedLogin answers a suspended member's usual login: its cause is the refusal (a
// *web.Error) that explains the suspension, and the login page offers to sign in to
// their notices only.
type suspendedLogin struct{ cause error }

func (e *suspendedLogin) Error() string { return e.cause.Error() }
func (e *suspendedLogin) Unwrap() error { return e.cause }

// IsSuspendedLogin reports whether err refused a login because of a suspension that
// still lets the member sign in to read and answer their notices.
func IsSuspendedLogin(err error) bool {
	var s *suspendedLogin
	return errors.As(err, &s)
}

// RestrictionError is implemented by sanction errors whose text is meant for the member,
// such as "Your account is suspended until …".
type RestrictionError interface {
	error
	Restriction() bool
}

// refusal turns a sanction into the 403 that shows its text; any other error (a failed
// lookup) stays as it is.
func refusal(err error) error {
	var re RestrictionError
	if web.AsError(err) == nil && errors.As(err, &re) {
		return web.Refused(http.StatusForbidden, re.Error()).Because(err)
	}
	return err
}

// checkPassword verifies a logged-in member's password before a change to their account,
// at most a few times a minute per member; a wrong or too frequent one is a message for
// field.
func (s *Service) checkPassword(ctx context.Context, u *User, password, field string) error {
	if !s.byMember.Allow(memberKey(u.ID)) {
		return web.Invalid(field, "Too many attempts. Wait a few minutes, then try again.")
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
		return fmt.Errorf("account: check password of %d: %w", u.ID, err)
	}
	if !ok {
		return web.Invalid(field, "That is not your password. Enter the password you log in with.")
	}
	return nil
}

func memberKey(id int64) string { return strconv.FormatInt(id, 10) }

// dummyHash is checked against when a username does not exist. It is made on first use,
// not at start, so commands such as `stoa version` do not pay for an argon2 hash.
func (s *Service) dummyHash() string {
	s.dummyOnce.Do(func() { s.dummy, _ = HashPassword("stoa-timing-equaliser") })
	return s.dummy
}

// SessionUser returns the member a session token belongs to, or storage.ErrNotFound.
func (s *Service) SessionUser(ctx context.Context, token string) (*User, error) {
	u, err := s.store.sessionUser(ctx, token, s.now())
	if err != nil {
		return nil, err
	}
	if err := s.restrictions.CanLogIn(ctx, u.ID); err != nil {
		if !readsNotices(err) {
			return nil, storage.ErrNotFound
		}
		// A suspended member's session (opened to read their notices) stays, restricted.
		u.Restricted = err.Error()
	}
	return u, nil
}

// LogOut ends a session; what lives on with it (chat WebSockets) is told.
func (s *Service) LogOut(ctx context.Context, token string) error {
	return s.store.db.Write(ctx, func(tx *storage.Tx) error {
		userID, err := s.store.deleteSession(tx, token)
		if err != nil || userID == 0 {
			return err
		}
		key := sessionKey(token)
		tx.AfterCommit(func() { s.events.SessionsEnded(SessionEnd{UserID: userID, Key: key, Reason: ReasonLoggedOut}) })
		return nil
	})
}
