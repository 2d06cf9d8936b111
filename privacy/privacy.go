// Package privacy keeps Stoa's privacy promises (policy/privacy-principles.md): versioned
// policies and members' consent to them, contact preferences and announcements, enquiries
// to staff, anonymous analytics, and audited staff access to personal data.
//
// privacy sits beside account and never imports it: what it needs to know about members
// comes through the Members interface, and mail goes through Mailer; the server adapts
// both.
package privacy

import (
	"context"
	"net/http"

	"stoa/storage"
)

// ErrNotFound is returned when a policy, version, enquiry or member does not exist. It is
// storage.ErrNotFound, so that every "not found" in Stoa answers 404 alike.
var ErrNotFound = storage.ErrNotFound

// Member is an account as privacy needs to see it.
type Member struct {
	ID        int64
	Username  string
	Email     string // "" when the member gave none
	Confirmed bool   // the member confirmed Email; only then is mail sent to it
	Staff     bool   // moderator or admin
	Admin     bool
}

// MailTo is the address mail for the member may go to: their email once confirmed, else "".
func (m *Member) MailTo() string {
	if m.Confirmed {
		return m.Email
	}
	return ""
}

// Members looks up accounts; the server implements it over account.Store.
type Members interface {
	// ByID returns an active member, or an error wrapping ErrNotFound.
	ByID(ctx context.Context, id int64) (*Member, error)
	// ByUsername returns an active member, or an error wrapping ErrNotFound.
	ByUsername(ctx context.Context, name string) (*Member, error)
	// WithEmail returns every active member who gave and confirmed an email address.
	WithEmail(ctx context.Context) ([]Member, error)
}

// Mail is one email to queue.
type Mail struct {
	To      string
	Subject string
	Text    string
	HTML    string
	Kind    string // "policy", "announcement", "enquiry"
	UserID  int64  // the member it is for, 0 for an anonymous enquirer
	Headers map[string]string
}

// Mailer queues mail in the transaction of the action that causes it, so a saved action
// always has its mail; the server implements it over the mail outbox, which keeps mail
// queued while the site has no mail server.
type Mailer interface {
	Enqueue(tx *storage.Tx, m Mail) error
}

// Auditor records staff access to personal data in the audit log (P12, P13); the
// moderation package keeps that log and the server adapts it. action is ActionViewEmail or
// ActionLegalExport; the access happens only after Record returns nil.
type Auditor interface {
	Record(ctx context.Context, actorID int64, action string, targetUserID int64, reason string) error
}

// Viewer returns the logged-in member making a request, or nil for an anonymous reader,
// for the pages anyone may open.
type Viewer func(r *http.Request) *Member

// MemberHandler handles a request from a logged-in member, whose form (for a POST) has
// already been read.
type MemberHandler func(w http.ResponseWriter, r *http.Request, m *Member)

// Guard is the check every route that needs an account goes through: it sends an
// anonymous visitor to log in, refuses a member without the role, and reads a POST's form
// before the handler runs. privacy cannot import account, so the server adapts
// account.Guard to it, and every route of Stoa is checked the same way.
type Guard interface {
	Member(h MemberHandler) http.HandlerFunc
	Staff(h MemberHandler) http.HandlerFunc
	Admin(h MemberHandler) http.HandlerFunc
}
