// Package mail is Stoa's one way to send email: a durable outbox written in the caller's
// transaction, and a worker that delivers it over SMTP with retries.
package mail

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"net/url"
	"strings"
	"sync"
	"time"

	"stoa/storage"
)

// Message is one email to queue.
type Message struct {
	To      string            // address
	Subject string            // one line
	Text    string            // plain-text part (required)
	HTML    string            // optional HTML part; if empty, generated from Text (escaped, paragraphs)
	Kind    string            // "notice", "policy", "announcement", "enquiry", "reset", "confirm", ...
	UserID  int64             // the member it is for, 0 if none (lets account deletion purge queued mail)
	Headers map[string]string // extra headers, e.g. List-Unsubscribe / List-Unsubscribe-Post (RFC 8058)
}

// Config is how the outbox delivers mail; the zero value keeps every mail queued.
type Config struct {
	// SMTPURL is smtp://[user:pass@]host[:port] (STARTTLS when offered) or smtps://… (TLS
	// from the start); empty turns delivery off and mail stays queued.
	SMTPURL string
	// BaseURL is the site's public URL; mail links to it and the default From is stoa@its host.
	BaseURL string
	// SiteName names the site in mail; default "Stoa". Site, when set, names it instead, as
	// the admin last chose.
	SiteName string
	Site     SiteNamer
	// From is the sender address; default stoa@<BaseURL host>.
	From string
	// MaxAttempts is how many deliveries are tried before a mail is marked failed; default 8.
	MaxAttempts int
	// RetryBase is the first retry delay, doubled after each failure (with jitter); default
	// 2 minutes, so the default 8 attempts span about four hours of a mail server's outage.
	RetryBase time.Duration
	// RetryMax caps the retry delay; default 6h.
	RetryMax time.Duration
	// PollEvery is how often the worker looks for due mail without being woken; default 30s.
	PollEvery time.Duration
	// Lease is how long a claimed mail is the claiming worker's: no other worker (on this
	// node or another) picks it up meanwhile, and if the worker dies before recording the
	// delivery, the mail is sent again once the lease ends. A round stops sending after
	// half of it. Default 10 minutes.
	Lease time.Duration
	// TLS replaces the system's TLS settings for the SMTP server (tests trust their own
	// certificate with it); nil uses the system's roots.
	TLS *tls.Config
	// Log receives delivery failures; default discards.
	Log *slog.Logger
	// Now is the clock; default time.Now (tests move it).
	Now func() time.Time
}

// Outbox queues mail inside the caller's transaction and delivers it in the background.
type Outbox struct {
	db    *storage.DB
	store store
	cfg   Config
	host  string // for Message-IDs and the default From

	wake chan struct{}

	mu      sync.Mutex
	stop    context.CancelFunc
	stopped chan struct{}
}

// ErrInvalid is wrapped by Enqueue for a message that cannot be sent as given.
var ErrInvalid = errors.New("mail: invalid message")

// NewOutbox returns the outbox on db; call Start to deliver.
func NewOutbox(db *storage.DB, cfg Config) *Outbox {
	if cfg.SiteName == "" {
		cfg.SiteName = "Stoa"
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	host := "localhost"
	if u, err := url.Parse(cfg.BaseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	if cfg.From == "" {
		cfg.From = "stoa@" + host
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 8
	}
	if cfg.RetryBase <= 0 {
		cfg.RetryBase = 2 * time.Minute
	}
	if cfg.RetryMax <= 0 {
		cfg.RetryMax = 6 * time.Hour
	}
	if cfg.PollEvery <= 0 {
		cfg.PollEvery = 30 * time.Second
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 10 * time.Minute
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Outbox{db: db, store: store{db}, cfg: cfg, host: host, wake: make(chan struct{}, 1)}
}

// Configured reports whether an SMTP server is set, i.e. whether queued mail is delivered.
func (o *Outbox) Configured() bool { return o.cfg.SMTPURL != "" }

// SiteNamer tells the site's name as its admin set it (site.Settings).
type SiteNamer interface{ Name() string }

// SiteName is the site's name as mail shows it.
func (o *Outbox) SiteName() string {
	if o.cfg.Site != nil {
		return o.cfg.Site.Name()
	}
	return o.cfg.SiteName
}

// BaseURL is the site's public URL without a trailing slash, for links in mail.
func (o *Outbox) BaseURL() string { return o.cfg.BaseURL }

// Enqueue queues m inside tx, so a rolled-back action queues nothing. The worker is woken
// once tx has committed.
func (o *Outbox) Enqueue(tx *storage.Tx, m Message) error {
	if err := check(&m); err != nil {
		return err
	}
	if m.HTML == "" {
		m.HTML = o.htmlFromText(m.Subject, m.Text)
	}
	headers := []byte("{}")
	if m.Headers != nil {
		var err error
		if headers, err = json.Marshal(m.Headers); err != nil {
			return fmt.Errorf("mail: encode headers: %w", err)
		}
	}
	if err := o.store.insert(tx, m, string(headers), o.cfg.Now(), o.messageID); err != nil {
		return err
	}
	tx.AfterCommit(o.poke)
	return nil
}

// PurgeUser deletes, inside tx, every queued or failed mail for a member: mail not yet
// sent would go to an address the member withdrew.
func (o *Outbox) PurgeUser(tx *storage.Tx, userID int64) error {
	return o.store.deleteUser(tx, userID)
}

// ExportUser adds nothing to a member's data export: what waits in the outbox is copies of
// notices, notifications and links the export already holds or that expire within hours.
func (o *Outbox) ExportUser(context.Context, int64, func(name string, v any) error) error {
	return nil
}

// EraseUser drops the mail still waiting for a member who deletes their account (P15),
// whatever becomes of their posts.
func (o *Outbox) EraseUser(tx *storage.Tx, userID int64, _ bool) error {
	return o.store.deleteUser(tx, userID)
}

// List returns failed mail first, then queued mail, each oldest first, for the admin page.
func (o *Outbox) List(ctx context.Context, limit, offset int) ([]*Queued, error) {
	return o.store.list(ctx, limit, offset)
}

// Counts returns how many mails are waiting and how many failed.
func (o *Outbox) Counts(ctx context.Context) (queued, failed int, err error) {
	return o.store.counts(ctx)
}

// Retry puts a failed (or waiting) mail back at the front of the queue with a fresh
// count of attempts, and wakes the worker; storage.ErrNotFound when it is gone.
func (o *Outbox) Retry(ctx context.Context, id int64) error {
	if err := o.store.requeue(ctx, id, o.cfg.Now()); err != nil {
		return err
	}
	o.poke()
	return nil
}

// RetryFailed requeues every failed mail and returns how many there were.
func (o *Outbox) RetryFailed(ctx context.Context) (int, error) {
	n, err := o.store.requeueFailed(ctx, o.cfg.Now())
	if err == nil && n > 0 {
		o.poke()
	}
	return n, err
}

// Discard deletes one mail from the outbox without sending it; storage.ErrNotFound when
// it is gone.
func (o *Outbox) Discard(ctx context.Context, id int64) error {
	return o.store.discard(ctx, id)
}

// messageID is stable for the life of an outbox row, so a mail sent twice after a crash is
// recognisably the same mail.
func (o *Outbox) messageID(id int64) string {
	b := make([]byte, 8)
	rand.Read(b)
	return fmt.Sprintf("<outbox-%d.%s@%s>", id, hex.EncodeToString(b), o.host)
}

// poke wakes the worker without blocking; one pending wake is enough.
func (o *Outbox) poke() {
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// check validates m, filling in defaults, so that bad mail fails in the caller's action
// instead of sitting in the queue.
func check(m *Message) error {
	m.To = strings.TrimSpace(m.To)
	addr, err := mail.ParseAddress(m.To)
	if err != nil || addr.Address != m.To {
		return fmt.Errorf("%w: recipient %q is not an address", ErrInvalid, m.To)
	}
	if strings.TrimSpace(m.Text) == "" {
		return fmt.Errorf("%w: no text part", ErrInvalid)
	}
	m.Subject = strings.TrimSpace(m.Subject)
	if m.Subject == "" || strings.ContainsAny(m.Subject, "\r\n") {
		return fmt.Errorf("%w: subject must be one non-empty line", ErrInvalid)
	}
	if m.Kind == "" {
		m.Kind = "notice"
	}
	for k, v := range m.Headers {
		if k == "" || strings.ContainsAny(k, ": \t\r\n") || strings.ContainsAny(v, "\r\n") {
			return fmt.Errorf("%w: header %q", ErrInvalid, k)
		}
	}
	return nil
}
