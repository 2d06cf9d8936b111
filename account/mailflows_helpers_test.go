package account_test

import (
	"context"
	"database/sql"
	"regexp"
	"testing"
	"time"

	"stoa/internal/stoatest"
	"stoa/mail/mailtest"
	"stoa/server"
	"stoa/storage"
)

// mailSite is a Stoa whose outbox delivers to an in-process SMTP server.
func mailSite(t *testing.T) (*stoatest.Site, *mailtest.Server) {
	t.Helper()
	smtp := mailtest.Start(t, mailtest.Options{})
	site := stoatest.Start(t, func(c *server.Config) { c.SMTPURL = smtp.URL() })
	return site, smtp
}

// linkIn returns the path of the first link under prefix in a mail's text.
func linkIn(t *testing.T, site *stoatest.Site, m mailtest.Mail, prefix string) string {
	t.Helper()
	re := regexp.MustCompile(regexp.QuoteMeta(site.URL+prefix) + `[A-Za-z0-9_\-]+`)
	link := re.FindString(m.Text)
	if link == "" {
		t.Fatalf("no %s link in mail %q:\n%s", prefix, m.Header.Get("Subject"), m.Text)
	}
	if !regexp.MustCompile(`href="` + regexp.QuoteMeta(link) + `"`).MatchString(m.HTML) {
		t.Errorf("HTML part lacks the link %s", link)
	}
	return link[len(site.URL):]
}

// mailsTo returns the received mails addressed to addr.
func mailsTo(smtp *mailtest.Server, addr string) []mailtest.Mail {
	var out []mailtest.Mail
	for _, m := range smtp.Mails() {
		if len(m.To) == 1 && m.To[0] == addr {
			out = append(out, m)
		}
	}
	return out
}

// waitMailTo waits for the n-th mail to addr.
func waitMailTo(t *testing.T, smtp *mailtest.Server, addr string, n int) mailtest.Mail {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if ms := mailsTo(smtp, addr); len(ms) >= n {
			return ms[n-1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("mail %d to %s did not arrive; got %d", n, addr, len(mailsTo(smtp, addr)))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// expireLinks moves every one-time link's expiry into the past, as time passing would.
func expireLinks(t *testing.T, site *stoatest.Site) {
	t.Helper()
	err := site.App.DB().Write(context.Background(), func(tx *storage.Tx) error {
		_, err := tx.Exec("update account_tokens set expires_at = ?", time.Now().Add(-time.Second).Unix())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// emailOf reads a member's stored address and whether it is confirmed.
func emailOf(t *testing.T, site *stoatest.Site, username string) (string, bool) {
	t.Helper()
	var email sql.NullString
	var confirmed bool
	err := site.App.DB().QueryRow(context.Background(), "select email, email_verified from users where username = ?", username).Scan(&email, &confirmed)
	if err != nil {
		t.Fatal(err)
	}
	return email.String, confirmed
}
