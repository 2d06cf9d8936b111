package privacy

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"html"
	"strings"
	"time"
	"unicode/utf8"

	"stoa/storage"
	"stoa/web"
)

// Prefs are a member's contact preferences (P11).
type Prefs struct {
	// Announcements is the opt-in to news from the site's admins; off until chosen.
	Announcements bool      `json:"announcements"`
	UpdatedAt     time.Time `json:"updated_at,omitzero"`
}

// Announcement is news an admin sent to opted-in members.
type Announcement struct {
	ID         int64
	Subject    string
	Body       string
	Recipients int
	CreatedAt  time.Time
}

// Preferences stores contact preferences and sends announcements.
type Preferences struct {
	db      *storage.DB
	store   store
	members Members
	mailer  Mailer
	render  func(string) string
	baseURL string
	now     func() time.Time
}

// NewPreferences returns the preference store on db; it uses Members, Mailer, Render and
// BaseURL.
func NewPreferences(db *storage.DB, opts Options) *Preferences {
	need("NewPreferences", opts.Members != nil, "Members")
	need("NewPreferences", opts.Mailer != nil, "a Mailer")
	need("NewPreferences", opts.Render != nil, "Render")
	return &Preferences{db: db, store: store{db}, members: opts.Members, mailer: opts.Mailer, render: opts.Render,
		baseURL: opts.BaseURL, now: time.Now}
}

// Get returns a member's preferences; a member who never chose has everything off.
func (p *Preferences) Get(ctx context.Context, userID int64) (Prefs, error) {
	prefs, _, err := p.store.contactPrefs(ctx, userID)
	return prefs, err
}

func newToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Set records a member's choice about announcements.
func (p *Preferences) Set(ctx context.Context, userID int64, announcements bool) error {
	return p.store.setContactPrefs(ctx, userID, announcements, newToken(), p.now())
}

// ValidUnsubscribe reports whether token belongs to a member.
func (p *Preferences) ValidUnsubscribe(ctx context.Context, token string) (bool, error) {
	return p.store.unsubscribeTokenExists(ctx, token)
}

// Unsubscribe turns announcements off for the member whose link this is; it reports
// whether the token matched anyone. Repeating it is harmless.
func (p *Preferences) Unsubscribe(ctx context.Context, token string) (bool, error) {
	return p.store.unsubscribe(ctx, token, p.now())
}

// Announce emails subject and the Markdown body to every member who opted in and gave an
// address, and to no one else (P11); it returns how many were queued.
func (p *Preferences) Announce(ctx context.Context, adminID int64, subject, body string) (int, error) {
	subject, body = strings.TrimSpace(subject), strings.TrimSpace(body)
	fields := map[string]string{}
	if n := utf8.RuneCountInString(subject); n == 0 || n > 150 || strings.ContainsAny(subject, "\r\n") {
		fields["subject"] = "Write a subject of up to 150 characters on one line."
	}
	if body == "" || len(body) > 32<<10 {
		fields["body"] = "Write the announcement, up to 32 KiB."
	}
	if err := web.InvalidFields(fields); err != nil {
		return 0, err
	}
	recipients, err := p.recipients(ctx)
	if err != nil {
		return 0, err
	}
	htmlBody := p.render(body)
	err = p.db.Write(ctx, func(tx *storage.Tx) error {
		for _, r := range recipients {
			if err := p.mailer.Enqueue(tx, p.announcementMail(r.Member, r.token, subject, body, htmlBody)); err != nil {
				return fmt.Errorf("privacy: queue announcement to %d: %w", r.ID, err)
			}
		}
		return p.store.insertAnnouncement(tx, subject, body, adminID, len(recipients), p.now())
	})
	return len(recipients), err
}

// recipient is a member an announcement goes to.
type recipient struct {
	Member
	token string // their unsubscribe link's
}

// recipients returns the members an announcement would reach now: those who opted in and
// gave a confirmed address.
func (p *Preferences) recipients(ctx context.Context) ([]recipient, error) {
	withEmail, err := p.members.WithEmail(ctx)
	if err != nil {
		return nil, fmt.Errorf("privacy: announcement recipients: %w", err)
	}
	tokens, err := p.store.optedIn(ctx)
	if err != nil {
		return nil, err
	}
	var out []recipient
	for _, m := range withEmail {
		if token, ok := tokens[m.ID]; ok {
			out = append(out, recipient{Member: m, token: token})
		}
	}
	return out, nil
}

// announcementMail carries RFC 8058 one-click unsubscribe headers, so mail clients can
// offer an "Unsubscribe" button that works with one POST, and a link for everyone else.
func (p *Preferences) announcementMail(m Member, token, subject, text, htmlBody string) Mail {
	link := p.baseURL + "/unsubscribe/" + token
	return Mail{
		To: m.MailTo(), Subject: subject, Kind: "announcement", UserID: m.ID,
		Text: text + "\n\n--\nYou receive announcements because you opted in. Unsubscribe with one click: " + link + "\n",
		HTML: htmlBody + `<hr><p>You receive announcements because you opted in. <a href="` + html.EscapeString(link) + `">Unsubscribe</a></p>`,
		Headers: map[string]string{
			"List-Unsubscribe":      "<" + link + ">",
			"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		},
	}
}

// Announcements lists what was sent, newest first.
func (p *Preferences) Announcements(ctx context.Context, limit int) ([]Announcement, error) {
	return p.store.announcements(ctx, limit)
}
