// Package moderation holds the tools moderators use to enforce the community agreement:
// reports, one review queue, notices to rule-breakers, sanctions that every other package
// enforces through account.Restrictions, private staff notes and the append-only audit log.
package moderation

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"stoa/account"
	"stoa/forum"
	"stoa/markup"
	"stoa/ratelimit"
	"stoa/storage"
)

// Rule is one numbered rule of the community agreement.
type Rule struct {
	Number int
	Text   string
}

// Agreement gives the community agreement's current numbered rules; the privacy package
// keeps the versioned document and the server adapts it.
type Agreement interface {
	CurrentRules(ctx context.Context) (version int, rules []Rule, err error)
}

// Mail is one email to a member, queued in the transaction that records a notice.
type Mail struct {
	UserID  int64
	To      string
	Subject string
	Text    string
}

// Mailer queues mail inside tx so that it is sent exactly when the notice is recorded;
// the server adapts the mail outbox to it.
type Mailer interface {
	EnqueueMail(tx *storage.Tx, m Mail) error
}

// ChatMessage is a chat message as moderation needs it: who wrote it and what it said.
type ChatMessage struct {
	ID       int64
	AuthorID int64
	Author   string
	Room     string
	Source   string
	HTML     string
	URL      string
	Hidden   bool
	Deleted  bool
}

// Chat looks up chat messages for reports and deletes them for moderators; the server
// adapts the chat package to it.
type Chat interface {
	Message(ctx context.Context, id int64) (*ChatMessage, error)
	// DeleteMessage removes a message inside tx; after is called once tx committed, for
	// telling connected clients.
	DeleteMessage(tx *storage.Tx, id int64) (after func(), err error)
}

// Errors a person may see as they are.
var (
	ErrNotStaff    = errors.New("Only moderators can do this.")
	ErrNotAdmin    = errors.New("Only administrators can do this.")
	ErrStaffTarget = errors.New("Moderators and administrators cannot be sanctioned. An administrator can change their role first.")
)

// InputError is a problem with what a person typed; Fields maps a form field to a
// message for them ("form" for the whole form).
type InputError struct{ Fields map[string]string }

func (e *InputError) Error() string { return "moderation: invalid input" }

func inputError(field, msg string) *InputError {
	return &InputError{Fields: map[string]string{field: msg}}
}

// Options is what the moderation service is built from. Agreement, Mailer and Chat
// may be nil while those features are absent: notices then cite no rules, are delivered
// in-app only, and chat messages cannot be reported.
type Options struct {
	DB        *storage.DB
	Accounts  *account.Store
	Forum     *forum.Service
	Renderer  *markup.Renderer
	Agreement Agreement
	Mailer    Mailer
	Chat      Chat
	// BaseURL is the site's public address, for links in emails.
	BaseURL string
}

// Service holds moderation's rules.
type Service struct {
	db        *storage.DB
	accounts  *account.Store
	forum     *forum.Service
	render    *markup.Renderer
	agreement Agreement
	mailer    Mailer
	chat      Chat
	baseURL   string
	now       func() time.Time
	// reportLimit keeps one member from flooding the queue; it lives in memory (P3).
	reportLimit *ratelimit.Keyed
	// sanctionCache keeps members' open sanctions for the permission checks.
	sanctionCache *sanctionCache
}

// New returns the moderation service.
func New(o Options) *Service {
	return &Service{db: o.DB, accounts: o.Accounts, forum: o.Forum, render: o.Renderer, agreement: o.Agreement,
		mailer: o.Mailer, chat: o.Chat, baseURL: o.BaseURL, now: time.Now,
		reportLimit: ratelimit.New(2*time.Minute, 10), sanctionCache: newSanctionCache()}
}

func unix(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.Unix(v.Int64, 0).UTC()
}

func unixTime(v int64) time.Time { return time.Unix(v, 0).UTC() }

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Unix()
}

func requireStaff(u *account.User) error {
	if !u.IsStaff() {
		return ErrNotStaff
	}
	return nil
}
