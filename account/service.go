package account

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"stoa/storage"
)

// SessionTTL is how long a login lasts without logging in again.
const SessionTTL = 30 * 24 * time.Hour

// FieldErrors maps a form field to a message for the person filling it in.
type FieldErrors map[string]string

func (e FieldErrors) Error() string {
	parts := make([]string, 0, len(e))
	for k, v := range e {
		parts = append(parts, k+": "+v)
	}
	return "account: invalid input: " + strings.Join(parts, "; ")
}

// ErrBadCredentials is returned for a wrong username or password; which one is not said.
var ErrBadCredentials = errors.New("account: wrong username or password")

// reservedNames cannot be registered: they would let someone pose as staff or the system.
var reservedNames = map[string]bool{
	"admin": true, "administrator": true, "admins": true, "moderator": true, "moderators": true,
	"mod": true, "mods": true, "staff": true, "system": true, "root": true, "stoa": true,
	"support": true, "help": true, "anonymous": true, "former-member": true, "deleted": true,
	"everyone": true, "here": true, "all": true, "me": true, "null": true, "api": true,
}

// Service holds the rules for accounts.
type Service struct {
	store        *Store
	restrictions Restrictions
	afterCreate  []func(tx *storage.Tx, userID int64) error
	dataSources  []DataSource
	dummyOnce    sync.Once
	dummy        string
	now          func() time.Time
}

// NewService returns the account rules over store.
func NewService(store *Store) *Service {
	return &Service{store: store, restrictions: noRestrictions{}, now: time.Now}
}

// Store returns the service's store.
func (s *Service) Store() *Store { return s.store }

// SetRestrictions installs the sanctions check (moderation implements it).
func (s *Service) SetRestrictions(r Restrictions) { s.restrictions = r }

// Restrictions returns a sanctions check that always consults the one installed last, so
// packages built before moderation is wired in still enforce its sanctions.
func (s *Service) Restrictions() Restrictions { return liveRestrictions{s} }

type liveRestrictions struct{ s *Service }

func (l liveRestrictions) CanLogIn(ctx context.Context, id int64) error {
	return l.s.restrictions.CanLogIn(ctx, id)
}

func (l liveRestrictions) CanPost(ctx context.Context, id int64) error {
	return l.s.restrictions.CanPost(ctx, id)
}

// AfterCreate registers fn to run inside the transaction that creates a member, for
// records that must exist with the account (such as consent to the current policies).
func (s *Service) AfterCreate(fn func(tx *storage.Tx, userID int64) error) {
	s.afterCreate = append(s.afterCreate, fn)
}

// Registration is what the registration form asks for (P1: nothing more).
type Registration struct {
	Username string
	Password string
	Email    string
}

// ValidateUsername returns a message for a username that cannot be registered, or "".
func ValidateUsername(name string) string {
	switch {
	case len(name) < 3 || len(name) > 32:
		return "Choose a username of 3 to 32 characters."
	case !isNameStart(name[0]):
		return "Start your username with a letter or a digit."
	case reservedNames[UsernameKey(name)]:
		return "That username is reserved. Please choose another."
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !isNameStart(c) && c != '_' && c != '-' {
			return "Use only letters, digits, '_' and '-' in your username."
		}
	}
	return ""
}

func isNameStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// ValidatePassword returns a message for an unacceptable password, or "".
func ValidatePassword(pw string) string {
	switch {
	case utf8.RuneCountInString(pw) < 8:
		return "Use a password of at least 8 characters."
	case len(pw) > 256:
		return "Use a password of at most 256 characters."
	}
	return ""
}

// NormalizeEmail checks an optional email address; "" stays "".
func NormalizeEmail(email string) (string, string) {
	email = strings.TrimSpace(email)
	if email == "" {
		return "", ""
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || len(email) > 254 {
		return "", "Enter an email address like name@example.org, or leave it empty."
	}
	return email, ""
}

// Register creates a member account and logs them in, returning the session token.
func (s *Service) Register(ctx context.Context, r Registration) (*User, string, error) {
	errs := FieldErrors{}
	r.Username = strings.TrimSpace(r.Username)
	if msg := ValidateUsername(r.Username); msg != "" {
		errs["username"] = msg
	}
	if msg := ValidatePassword(r.Password); msg != "" {
		errs["password"] = msg
	}
	email, msg := NormalizeEmail(r.Email)
	if msg != "" {
		errs["email"] = msg
	}
	if len(errs) > 0 {
		return nil, "", errs
	}
	u, token, err := s.create(ctx, r.Username, r.Password, email, RoleMember, true)
	if errors.Is(err, ErrUsernameTaken) {
		return nil, "", FieldErrors{"username": "That username is taken. Please choose another."}
	}
	return u, token, err
}

// CreateUser adds a member with a role, for the command line and first-admin setup.
func (s *Service) CreateUser(ctx context.Context, username, password string, role Role) (*User, error) {
	// Staff may take reserved names such as "admin"; every other rule still applies.
	if msg := ValidateUsername(username); msg != "" && !(role.IsStaff() && reservedNames[UsernameKey(username)]) {
		return nil, errors.New(msg)
	}
	if msg := ValidatePassword(password); msg != "" {
		return nil, errors.New(msg)
	}
	u, _, err := s.create(ctx, username, password, "", role, false)
	return u, err
}

// CreateSetupAdmin creates the first admin and logs them in.
func (s *Service) CreateSetupAdmin(ctx context.Context, username, password string) (*User, string, error) {
	errs := FieldErrors{}
	if msg := ValidateUsername(username); msg != "" && !reservedNames[UsernameKey(username)] {
		errs["username"] = msg
	}
	if msg := ValidatePassword(password); msg != "" {
		errs["password"] = msg
	}
	if len(errs) > 0 {
		return nil, "", errs
	}
	return s.create(ctx, username, password, "", RoleAdmin, true)
}

func (s *Service) create(ctx context.Context, username, password, email string, role Role, login bool) (*User, string, error) {
	hash, err := HashPassword(password)
	if err != nil {
		return nil, "", err
	}
	now := s.now()
	var id int64
	var token string
	if login {
		token = NewToken()
	}
	err = s.store.db.Write(ctx, func(tx *storage.Tx) error {
		var err error
		if id, err = insertUser(tx, username, email, hash, role, now); err != nil {
			return err
		}
		for _, fn := range s.afterCreate {
			if err := fn(tx, id); err != nil {
				return err
			}
		}
		if login {
			return insertSession(tx, token, id, now, now.Add(SessionTTL))
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	u, err := s.store.ByID(ctx, id)
	return u, token, err
}

// LogIn checks a username and password and starts a session.
func (s *Service) LogIn(ctx context.Context, username, password string) (*User, string, error) {
	id, hash, err := s.store.passwordHash(ctx, strings.TrimSpace(username))
	if errors.Is(err, storage.ErrNotFound) {
		// Spend the same time as a real check so timing does not reveal which names exist.
		CheckPassword(s.dummyHash(), password)
		return nil, "", ErrBadCredentials
	}
	if err != nil {
		return nil, "", err
	}
	ok, err := CheckPassword(hash, password)
	if err != nil {
		return nil, "", fmt.Errorf("account: check password of %d: %w", id, err)
	}
	if !ok {
		return nil, "", ErrBadCredentials
	}
	if err := s.restrictions.CanLogIn(ctx, id); err != nil {
		return nil, "", err
	}
	token := NewToken()
	now := s.now()
	if err := s.store.db.Write(ctx, func(tx *storage.Tx) error {
		return insertSession(tx, token, id, now, now.Add(SessionTTL))
	}); err != nil {
		return nil, "", err
	}
	u, err := s.store.ByID(ctx, id)
	return u, token, err
}

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
		return nil, storage.ErrNotFound
	}
	return u, nil
}

// LogOut ends a session.
func (s *Service) LogOut(ctx context.Context, token string) error {
	return s.store.DeleteSession(ctx, token)
}

// NewToken returns 256 random bits, URL-safe, for sessions and one-time links.
func NewToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
