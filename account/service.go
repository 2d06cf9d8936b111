package account

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	netmail "net/mail"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"stoa/mail"
	"stoa/ratelimit"
	"stoa/storage"
	"stoa/web"
)

// SessionTTL is how long a login lasts without logging in again.
const SessionTTL = 30 * 24 * time.Hour

// ErrBadCredentials refuses a wrong username or password; which one is not said.
var ErrBadCredentials = web.Refused(http.StatusUnauthorized, "That username and password do not match. Check them and try again.")

// reservedNames cannot be registered: they would let someone pose as staff or the system.
var reservedNames = map[string]bool{
	"admin": true, "administrator": true, "admins": true, "moderator": true, "moderators": true,
	"mod": true, "mods": true, "staff": true, "system": true, "root": true, "stoa": true,
	"support": true, "help": true, "anonymous": true, "former-member": true, "deleted": true,
	"everyone": true, "here": true, "all": true, "me": true, "null": true, "api": true,
}

// Policies records, in the transaction that creates an account, that the new member
// accepted the current version of the site's policies; privacy implements it.
type Policies interface {
	Accept(tx *storage.Tx, userID int64) error
}

// PoliciesFunc lets an ordinary function record what a new member accepted.
type PoliciesFunc func(tx *storage.Tx, userID int64) error

// Accept calls f.
func (f PoliciesFunc) Accept(tx *storage.Tx, userID int64) error { return f(tx, userID) }

// Options are what the Service needs besides its store. Every field is required, except
// that a test may list no DataSources.
type Options struct {
	// Restrictions are moderation's sanctions, checked at login and on every session.
	Restrictions Restrictions
	// Policies records what a new member accepted, with the account.
	Policies Policies
	// Outbox queues the mail account sends (address confirmation, password reset) in the
	// transaction of the action that causes it; without a mail server it keeps them.
	Outbox *mail.Outbox
	// DataSources are every package's share of a member's data, for the export and the
	// account deletion (P15).
	DataSources []DataSource
}

// Service holds the rules for accounts.
type Service struct {
	store        *Store
	restrictions Restrictions
	policies     Policies
	outbox       *mail.Outbox
	dataSources  []DataSource

	// Limits kept in memory only (P3): password checks and confirmation mails per member;
	// reset links per username or address asked for (no mailbombing one person) and per
	// client (no sweeping through many accounts).
	byMember       *ratelimit.Keyed
	forgotByLogin  *ratelimit.Keyed
	forgotByClient *ratelimit.Keyed

	dummyOnce sync.Once
	dummy     string
	now       func() time.Time
}

// NewService returns the account rules over store.
func NewService(store *Store, opts Options) *Service {
	switch {
	case opts.Restrictions == nil:
		panic("account: NewService needs Restrictions")
	case opts.Policies == nil:
		panic("account: NewService needs Policies")
	case opts.Outbox == nil:
		panic("account: NewService needs an Outbox")
	}
	return &Service{store: store, restrictions: opts.Restrictions, policies: opts.Policies, outbox: opts.Outbox,
		dataSources:    opts.DataSources,
		byMember:       ratelimit.New(time.Minute, 5),
		forgotByLogin:  ratelimit.New(20*time.Minute, 3),
		forgotByClient: ratelimit.New(2*time.Minute, 10),
		now:            time.Now}
}

// Store returns the service's store.
func (s *Service) Store() *Store { return s.store }

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
	addr, err := netmail.ParseAddress(email)
	if err != nil || addr.Address != email || len(email) > 254 {
		return "", "Enter an email address like name@example.org, or leave it empty."
	}
	return email, ""
}

// Register creates a member account and logs them in, returning the session token. An
// address given is confirmed by a link mailed in the same transaction.
func (s *Service) Register(ctx context.Context, r Registration) (*User, string, error) {
	fields := map[string]string{}
	r.Username = strings.TrimSpace(r.Username)
	if msg := ValidateUsername(r.Username); msg != "" {
		fields["username"] = msg
	}
	if msg := ValidatePassword(r.Password); msg != "" {
		fields["password"] = msg
	}
	email, msg := NormalizeEmail(r.Email)
	if msg != "" {
		fields["email"] = msg
	}
	if err := web.InvalidFields(fields); err != nil {
		return nil, "", err
	}
	return s.create(ctx, r.Username, r.Password, email, RoleMember, true)
}

// CreateUser adds a member with a role, as the site creates every account (tests and
// tools that act as the site use it).
func (s *Service) CreateUser(ctx context.Context, username, password string, role Role) (*User, error) {
	if err := checkNewUser(username, password, role); err != nil {
		return nil, err
	}
	u, _, err := s.create(ctx, username, password, "", role, false)
	return u, err
}

// AddUser creates an account with a role from the command line (stoa user add). Nobody
// accepted policies on a form there and there is no address to confirm, so it writes the
// account and nothing else; it needs only the store.
func AddUser(ctx context.Context, store *Store, username, password string, role Role) (*User, error) {
	if err := checkNewUser(username, password, role); err != nil {
		return nil, err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return nil, err
	}
	var id int64
	err = store.db.Write(ctx, func(tx *storage.Tx) error {
		var err error
		id, err = store.insertUser(tx, username, "", hash, role, time.Now())
		return err
	})
	if err != nil {
		return nil, err
	}
	return store.ByID(ctx, id)
}

// checkNewUser applies the rules for a name and password given by staff or a tool: staff
// may take reserved names such as "admin"; every other rule still applies.
func checkNewUser(username, password string, role Role) error {
	if msg := ValidateUsername(username); msg != "" && !(role.IsStaff() && reservedNames[UsernameKey(username)]) {
		return web.Invalid("username", msg)
	}
	if msg := ValidatePassword(password); msg != "" {
		return web.Invalid("password", msg)
	}
	return nil
}

// CreateSetupAdmin creates the first admin and logs them in.
func (s *Service) CreateSetupAdmin(ctx context.Context, username, password string) (*User, string, error) {
	fields := map[string]string{}
	if msg := ValidateUsername(username); msg != "" && !reservedNames[UsernameKey(username)] {
		fields["username"] = msg
	}
	if msg := ValidatePassword(password); msg != "" {
		fields["password"] = msg
	}
	if err := web.InvalidFields(fields); err != nil {
		return nil, "", err
	}
	return s.create(ctx, username, password, "", RoleAdmin, true)
}

var errNameTaken = web.Invalid("username", "That username is taken. Please choose another.")

// create writes an account and everything that must exist with it in one transaction: the
// confirmation mail for its address, the record of the policies accepted and, when login
// is set, its first session. If any step fails, none of it happened.
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
		if id, err = s.store.insertUser(tx, username, email, hash, role, now); err != nil {
			return err
		}
		if email != "" {
			if err := s.queueConfirmation(tx, id, username, email); err != nil {
				return err
			}
		}
		if err := s.policies.Accept(tx, id); err != nil {
			return err
		}
		if login {
			return s.store.insertSession(tx, token, id, now, now.Add(SessionTTL))
		}
		return nil
	})
	if errors.Is(err, ErrUsernameTaken) {
		return nil, "", errNameTaken.Because(err)
	}
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
	ok, err := CheckPassword(hash, password)
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
