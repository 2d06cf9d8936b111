package account

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"stoa/mail"
	"stoa/ratelimit"
	"stoa/storage"
	"stoa/web"
)

// SessionTTL is how long a login lasts without logging in again.
const SessionTTL = 30 * 24 * time.Hour

// ErrBadCredentials refuses a wrong username or password; which one is not said.
var ErrBadCredentials = web.Refused(http.StatusUnauthorized, "That username and password do not match. Check them and try again.")

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
	// SessionEvents hears when sessions end (chat closes their WebSockets); a test may
	// leave it out.
	SessionEvents SessionEvents
	// NameReservation says how long a deleted account's username stays reserved (the site
	// setting); left out, DefaultNameReservation.
	NameReservation func() time.Duration
}

// DefaultNameReservation is how long a deleted account's username stays reserved unless
// the admin chose otherwise: old @mentions and quotes keep pointing at "former member",
// and nobody takes the name of someone who deleted their account to escape a sanction.
const DefaultNameReservation = 90 * 24 * time.Hour

// Service holds the rules for accounts.
type Service struct {
	store        *Store
	restrictions Restrictions
	policies     Policies
	outbox       *mail.Outbox
	dataSources  []DataSource
	passwords    *Passwords
	events       SessionEvents
	reservation  func() time.Duration
	exports      chan struct{} // one token per export running

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
	if opts.SessionEvents == nil {
		opts.SessionEvents = noSessionEvents{}
	}
	if opts.NameReservation == nil {
		opts.NameReservation = func() time.Duration { return DefaultNameReservation }
	}
	return &Service{store: store, restrictions: opts.Restrictions, policies: opts.Policies, outbox: opts.Outbox,
		dataSources:    opts.DataSources,
		passwords:      NewPasswords(),
		events:         opts.SessionEvents,
		reservation:    opts.NameReservation,
		exports:        make(chan struct{}, ExportSlots),
		byMember:       ratelimit.New(time.Minute, 5),
		forgotByLogin:  ratelimit.New(20*time.Minute, 3),
		forgotByClient: ratelimit.New(2*time.Minute, 10),
		now:            time.Now}
}

// Store returns the service's store.
func (s *Service) Store() *Store { return s.store }

// Passwords returns the service's password hashing, for tests and metrics.
func (s *Service) Passwords() *Passwords { return s.passwords }

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
	return s.create(ctx, r.Username, r.Password, email, RoleMember, true, false, true)
}

// CreateUser adds a member with a role, as the site creates every account (tests and
// tools that act as the site use it).
func (s *Service) CreateUser(ctx context.Context, username, password string, role Role) (*User, error) {
	if err := checkNewUser(username, password, role); err != nil {
		return nil, err
	}
	u, _, err := s.create(ctx, username, password, "", role, false, false, false)
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

// ErrAdminExists refuses the setup link once an administrator exists, however it was
// made (the link, or stoa user add while the server runs).
var ErrAdminExists = web.Refused(http.StatusGone, "This site already has an administrator, so the setup link no longer works. Log in instead.")

// checkSetupAdmin checks the setup form before the link is used up.
func checkSetupAdmin(username, password string) error {
	fields := map[string]string{}
	if msg := ValidateUsername(username); msg != "" && !reservedNames[UsernameKey(username)] {
		fields["username"] = msg
	}
	if msg := ValidatePassword(password); msg != "" {
		fields["password"] = msg
	}
	return web.InvalidFields(fields)
}

// CreateSetupAdmin creates the first admin and logs them in. Inside the write it checks
// that no administrator exists, so it creates at most one, whatever runs beside it.
func (s *Service) CreateSetupAdmin(ctx context.Context, username, password string) (*User, string, error) {
	if err := checkSetupAdmin(username, password); err != nil {
		return nil, "", err
	}
	return s.create(ctx, username, password, "", RoleAdmin, true, true, false)
}

var errNameTaken = web.Invalid("username", "That username is taken. Please choose another.")

// create writes an account and everything that must exist with it in one transaction: the
// confirmation mail for its address, the record of the policies accepted and, when login
// is set, its first session. With firstAdmin it refuses (ErrAdminExists) when an
// administrator exists. If any step fails, none of it happened.
//
// reserved refuses a name that a deleted account held until its reservation ends.
func (s *Service) create(ctx context.Context, username, password, email string, role Role, login, firstAdmin, reserved bool) (*User, string, error) {
	hash, err := s.passwords.Hash(ctx, password)
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
		if firstAdmin {
			admins, err := s.store.CountOtherAdmins(tx, 0)
			if err != nil {
				return err
			}
			if admins > 0 {
				return ErrAdminExists
			}
		}
		if reserved {
			deleted, err := s.store.lastDeletedHolderTx(tx, username)
			if err != nil {
				return err
			}
			if until := deleted.Add(s.reservation()); !deleted.IsZero() && now.Before(until) {
				return web.Invalid("username", "That username belonged to an account that was deleted; it stays reserved until "+
					until.UTC().Format("2 January 2006")+". Please choose another.")
			}
		}
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

// NewToken returns 256 random bits, URL-safe, for sessions and one-time links.
func NewToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
