package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// dialer opens SMTP connections as the configured URL says.
type dialer struct {
	host string
	opts []gomail.Option
}

// parseSMTPURL reads smtp://[user:pass@]host[:port][?tls=required] or smtps://…: smtp uses
// STARTTLS whenever the server offers it (always, with tls=required), smtps speaks TLS
// from the first byte. Without a port, smtp uses 587 when it logs in and 25 otherwise;
// smtps uses 465.
func parseSMTPURL(raw string, tlsConfig *tls.Config) (*dialer, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("mail: SMTP URL: %w", err)
	}
	host := u.Hostname()
	if host == "" {
		return nil, fmt.Errorf("mail: SMTP URL %q has no host", redact(u))
	}
	opts := []gomail.Option{gomail.WithTimeout(30 * time.Second)}
	port := 0
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			return nil, fmt.Errorf("mail: SMTP URL %q: bad port", redact(u))
		}
	}
	switch u.Scheme {
	case "smtp":
		policy := gomail.TLSOpportunistic
		switch u.Query().Get("tls") {
		case "", "opportunistic":
		case "required":
			policy = gomail.TLSMandatory
		default:
			return nil, fmt.Errorf("mail: SMTP URL %q: tls must be opportunistic or required", redact(u))
		}
		opts = append(opts, gomail.WithTLSPortPolicy(policy))
		if port == 0 {
			port = 25
			if u.User != nil {
				port = 587
			}
		}
	case "smtps":
		opts = append(opts, gomail.WithSSL())
		if port == 0 {
			port = 465
		}
	default:
		return nil, fmt.Errorf("mail: SMTP URL %q must start with smtp:// or smtps://", redact(u))
	}
	opts = append(opts, gomail.WithPort(port))
	if tlsConfig != nil {
		opts = append(opts, gomail.WithTLSConfig(tlsConfig))
	}
	if u.User != nil {
		pass, _ := u.User.Password()
		// Auto-discovery never offers a password in the clear over an unencrypted link.
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(u.User.Username()), gomail.WithPassword(pass))
	}
	return &dialer{host: host, opts: opts}, nil
}

// redact hides the password of an SMTP URL for messages and logs.
func redact(u *url.URL) string { return u.Redacted() }

// gomailMsg is the library's message type, named once so the worker reads plainly.
type gomailMsg = gomail.Msg

// session is one SMTP connection for a delivery round.
type session struct {
	client *gomail.Client
}

func (d *dialer) dial(ctx context.Context) (*session, error) {
	c, err := gomail.NewClient(d.host, d.opts...)
	if err != nil {
		return nil, fmt.Errorf("mail: SMTP client: %w", err)
	}
	if err := c.DialWithContext(ctx); err != nil {
		return nil, fmt.Errorf("mail: connect to %s: %w", c.ServerAddr(), err)
	}
	return &session{client: c}, nil
}

func (s *session) close() { s.client.Close() }

// send delivers one message; permanent reports an error that retrying will not fix (the
// server refused the recipient or the message for good).
func (s *session) send(m *gomail.Msg) (permanent bool, err error) {
	err = s.client.Send(m)
	if err == nil {
		return false, nil
	}
	var se *gomail.SendError
	// Only a 5xx reply is final; a dropped connection or a 4xx reply is worth another try.
	if errors.As(err, &se) && se.ErrorCode() >= 500 && se.ErrorCode() < 600 {
		return true, err
	}
	return false, err
}

// build turns an outbox row into a MIME message: plain text first, then HTML, as
// multipart/alternative, with the row's stable Message-ID.
func (o *Outbox) build(q *Queued) (*gomail.Msg, error) {
	m := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := m.FromFormat(o.SiteName(), o.cfg.From); err != nil {
		return nil, fmt.Errorf("mail: sender %q: %w", o.cfg.From, err)
	}
	if err := m.To(q.To); err != nil {
		return nil, fmt.Errorf("mail: recipient: %w", err)
	}
	m.Subject(q.Subject)
	m.SetMessageIDWithValue(strings.Trim(q.MessageID, "<>"))
	m.SetDate()
	// RFC 3834: this is automated mail, so vacation responders should stay quiet.
	m.SetGenHeader("Auto-Submitted", "auto-generated")
	for k, v := range q.Headers {
		m.SetGenHeader(gomail.Header(k), v)
	}
	m.SetBodyString(gomail.TypeTextPlain, q.Text)
	if q.HTML != "" {
		m.AddAlternativeString(gomail.TypeTextHTML, q.HTML)
	}
	return m, nil
}
