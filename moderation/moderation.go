// Package moderation holds the tools moderators use to enforce the community agreement:
// reports, one review queue, notices to rule-breakers, sanctions that every other package
// enforces through account.Restrictions, private staff notes and the append-only audit log.
//
// Two parts need only the database and are built before the packages below moderation,
// which are given them: the audit log (NewAuditLog) and the sanctions check
// (NewSanctions). The Service (New) holds the rules and is built last, from everything.
package moderation

import (
	"context"
	"net/http"
	"time"

	"stoa/account"
	"stoa/markup"
	"stoa/ratelimit"
	"stoa/storage"
	"stoa/web"
)

// Rule is one numbered rule of the community agreement.
type Rule struct {
	Number int
	Text   string
}

// Agreement gives the community agreement's current numbered rules; the privacy package
// keeps the versioned document and the server adapts it. With no agreement yet it
// returns no rules, or storage.ErrNotFound.
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

// Accounts is what moderation asks of members' accounts; *account.Store implements it.
type Accounts interface {
	ByID(ctx context.Context, id int64) (*account.User, error)
	ByUsername(ctx context.Context, name string) (*account.User, error)
	// ByIDs returns the active members among ids; others are left out.
	ByIDs(ctx context.Context, ids []int64) ([]*account.User, error)
	// SearchMembers lists members for the administrators, without email addresses.
	SearchMembers(ctx context.Context, f account.MemberSearch) ([]*account.User, int, error)
	// SetRoleTx changes a member's role inside tx, refusing to demote the last
	// administrator with an error the admin can read.
	SetRoleTx(tx *storage.Tx, id int64, role account.Role) error
	// ResetLinkTx makes a single-use password reset link for a member inside tx and
	// returns its token (the link is /reset/TOKEN).
	ResetLinkTx(tx *storage.Tx, id int64, now time.Time) (string, error)
	// FormerHolders lists the deleted accounts that held a username, newest first.
	FormerHolders(ctx context.Context, username string) ([]account.FormerHolder, error)
	// DeletedAccount returns a deleted account, or storage.ErrNotFound.
	DeletedAccount(ctx context.Context, id int64) (account.FormerHolder, error)
}

// ForumPost is a forum post as moderation reviews it, with the state of its thread.
type ForumPost struct {
	ID            int64
	ThreadID      int64
	AuthorID      int64
	Author        string
	Number        int // 1 for the post that opened the thread
	Source        string
	HTML          string
	Hidden        bool
	Deleted       bool
	ThreadTitle   string
	ThreadURL     string
	ThreadLocked  bool
	ThreadHidden  bool
	ThreadDeleted bool
}

// Forum looks up reported posts and makes moderators' changes to them inside
// moderation's transaction; the server adapts the forum package to it.
type Forum interface {
	// Posts returns the posts with these ids, deleted or not; ids of no post are left out.
	Posts(ctx context.Context, ids []int64) ([]*ForumPost, error)
	SetPostHidden(tx *storage.Tx, id int64, hidden bool, now time.Time) error
	DeletePost(tx *storage.Tx, id int64, now time.Time) error
	SetThreadLocked(tx *storage.Tx, threadID int64, locked bool) error
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
	// Messages returns the messages with these ids, deleted or not; ids of no message
	// are left out.
	Messages(ctx context.Context, ids []int64) ([]*ChatMessage, error)
	// DeleteMessage removes a message inside tx; chat tells connected clients once tx
	// commits.
	DeleteMessage(tx *storage.Tx, id int64) error
	// EndChats closes a member's chat WebSockets once tx commits, telling them reason:
	// a sanction stops them chatting from that moment, not from their next reconnect.
	EndChats(tx *storage.Tx, userID int64, reason string)
}

// Errors a person may see as they are.
var (
	ErrNotStaff    = web.Refused(http.StatusForbidden, "Only moderators can do this.")
	ErrNotAdmin    = web.Refused(http.StatusForbidden, "Only administrators can do this.")
	ErrStaffTarget = web.Refused(http.StatusUnprocessableEntity, "Moderators and administrators cannot be sanctioned. An administrator can change their role first.")
	ErrRateLimited = web.Refused(http.StatusTooManyRequests, "You have sent many reports in a short time. Please wait a few minutes and try again; the moderators already have your earlier reports.")
	// errHandled stops a second moderator from acting on reports someone else just handled.
	errHandled = web.Invalid("form", "Another moderator handled these reports a moment ago. Check what was done below before acting again.")
)

// Options is what the moderation service is built from. Every field is required.
type Options struct {
	DB        *storage.DB
	Accounts  Accounts
	Forum     Forum
	Chat      Chat
	Sanctions *Sanctions
	Audit     *AuditLog
	Agreement Agreement
	Mailer    Mailer
	Renderer  *markup.Renderer
	// BaseURL is the site's public address, for links in emails.
	BaseURL string
}

// Service holds moderation's rules.
type Service struct {
	db        *storage.DB
	store     *store
	accounts  Accounts
	forum     Forum
	chat      Chat
	sanctions *Sanctions
	audit     *AuditLog
	agreement Agreement
	mailer    Mailer
	render    *markup.Renderer
	baseURL   string
	now       func() time.Time
	// reportLimit keeps one member from flooding the queue; it lives in memory (P3).
	reportLimit *ratelimit.Keyed
}

// New returns the moderation service.
func New(o Options) *Service {
	return &Service{db: o.DB, store: newStore(o.DB), accounts: o.Accounts, forum: o.Forum, chat: o.Chat,
		sanctions: o.Sanctions, audit: o.Audit, agreement: o.Agreement, mailer: o.Mailer, render: o.Renderer,
		baseURL: o.BaseURL, now: time.Now, reportLimit: ratelimit.New(2*time.Minute, 10)}
}
