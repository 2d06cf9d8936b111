package privacy

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"strings"
	"time"
	"unicode/utf8"

	"stoa/storage"
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
	members Members
	mailer  Mailer
	render  func(string) string
	baseURL string
	now     func() time.Time
}

// NewPreferences returns the preference store on db; mailer may be nil while the site
// has no mail outbox (announcements then cannot be sent).
func NewPreferences(db *storage.DB, members Members, mailer Mailer, render func(string) string, baseURL string) *Preferences {
	return &Preferences{db: db, members: members, mailer: mailer, render: render, baseURL: baseURL, now: time.Now}
}

// Get returns a member's preferences; a member who never chose has everything off.
func (p *Preferences) Get(ctx context.Context, userID int64) (Prefs, error) {
	var out Prefs
	var at int64
	err := p.db.QueryRow(ctx, "select announcements, updated_at from contact_preferences where user_id = ?", userID).
		Scan(&out.Announcements, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return Prefs{}, nil
	}
	if err != nil {
		return Prefs{}, fmt.Errorf("privacy: preferences of %d: %w", userID, err)
	}
	out.UpdatedAt = time.Unix(at, 0).UTC()
	return out, nil
}

func newToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Set records a member's choice about announcements.
func (p *Preferences) Set(ctx context.Context, userID int64, announcements bool) error {
	return p.db.Write(ctx, func(tx *storage.Tx) error {
		_, err := tx.Exec(`insert into contact_preferences(user_id, announcements, unsubscribe_token, updated_at) values (?, ?, ?, ?)
			on conflict(user_id) do update set announcements = excluded.announcements, updated_at = excluded.updated_at`,
			userID, announcements, newToken(), p.now().Unix())
		if err != nil {
			return fmt.Errorf("privacy: save preferences of %d: %w", userID, err)
		}
		return nil
	})
}

// ValidUnsubscribe reports whether token belongs to a member.
func (p *Preferences) ValidUnsubscribe(ctx context.Context, token string) (bool, error) {
	var n int
	err := p.db.QueryRow(ctx, "select count(*) from contact_preferences where unsubscribe_token = ?", token).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("privacy: check unsubscribe link: %w", err)
	}
	return n > 0, nil
}

// Unsubscribe turns announcements off for the member whose link this is; it reports
// whether the token matched anyone. Repeating it is harmless.
func (p *Preferences) Unsubscribe(ctx context.Context, token string) (bool, error) {
	var matched bool
	err := p.db.Write(ctx, func(tx *storage.Tx) error {
		res, err := tx.Exec("update contact_preferences set announcements = 0, updated_at = ? where unsubscribe_token = ?", p.now().Unix(), token)
		if err != nil {
			return fmt.Errorf("privacy: unsubscribe: %w", err)
		}
		n, _ := res.RowsAffected()
		matched = n > 0
		return nil
	})
	return matched, err
}

// ErrNoMail is returned when announcements are sent on a site without a mail outbox.
var ErrNoMail = errors.New("This site has no mail server configured, so announcements cannot be sent. Set --smtp-url and restart.")

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
	if len(fields) > 0 {
		return 0, &InputError{Fields: fields}
	}
	if p.mailer == nil {
		return 0, ErrNoMail
	}
	withEmail, err := p.members.WithEmail(ctx)
	if err != nil {
		return 0, fmt.Errorf("privacy: announcement recipients: %w", err)
	}
	tokens, err := p.optedIn(ctx)
	if err != nil {
		return 0, err
	}
	htmlBody := p.render(body)
	sent := 0
	err = p.db.Write(ctx, func(tx *storage.Tx) error {
		sent = 0
		for _, m := range withEmail {
			token, ok := tokens[m.ID]
			if !ok {
				continue
			}
			if err := p.mailer.Enqueue(tx, p.announcementMail(m, token, subject, body, htmlBody)); err != nil {
				return fmt.Errorf("privacy: queue announcement to %d: %w", m.ID, err)
			}
			sent++
		}
		_, err := tx.Exec("insert into announcements(subject, body, sent_by, recipients, created_at) values (?, ?, ?, ?, ?)",
			subject, body, adminID, sent, p.now().Unix())
		if err != nil {
			return fmt.Errorf("privacy: record announcement: %w", err)
		}
		return nil
	})
	return sent, err
}

// optedIn maps every member who opted in to their unsubscribe token.
func (p *Preferences) optedIn(ctx context.Context) (map[int64]string, error) {
	rows, err := p.db.Query(ctx, "select user_id, unsubscribe_token from contact_preferences where announcements = 1")
	if err != nil {
		return nil, fmt.Errorf("privacy: opted-in members: %w", err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var tok string
		if err := rows.Scan(&id, &tok); err != nil {
			return nil, fmt.Errorf("privacy: opted-in members: %w", err)
		}
		out[id] = tok
	}
	return out, rows.Err()
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
	rows, err := p.db.Query(ctx,
		"select id, subject, body, recipients, created_at from announcements order by id desc limit ?", limit)
	if err != nil {
		return nil, fmt.Errorf("privacy: list announcements: %w", err)
	}
	defer rows.Close()
	var out []Announcement
	for rows.Next() {
		var a Announcement
		var at int64
		if err := rows.Scan(&a.ID, &a.Subject, &a.Body, &a.Recipients, &at); err != nil {
			return nil, fmt.Errorf("privacy: list announcements: %w", err)
		}
		a.CreatedAt = time.Unix(at, 0).UTC()
		out = append(out, a)
	}
	return out, rows.Err()
}
