package mail_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"stoa/account"
	"stoa/internal/stoatest"
	"stoa/mail"
	"stoa/mail/mailtest"
	"stoa/server"
	"stoa/storage"
)

// queue puts one mail into the site's outbox the way a feature would.
func queue(t *testing.T, site *stoatest.Site, to string) {
	t.Helper()
	o := mail.NewOutbox(site.App.DB(), mail.Config{BaseURL: site.URL})
	err := site.App.DB().Write(context.Background(), func(tx *storage.Tx) error {
		return o.Enqueue(tx, mail.Message{To: to, Subject: "A notice", Text: "Hello.", Kind: "notice"})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func outboxRows(t *testing.T, site *stoatest.Site) (ids []int64) {
	t.Helper()
	rows, err := site.App.DB().Query(context.Background(), "select id from mail_outbox order by id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestP8_OutboxPageIsForAdminsOnly(t *testing.T) {
	site := stoatest.Start(t)
	anon := site.Anonymous(t)
	anon.Get("/admin/mail")
	if !strings.HasPrefix(anon.Path(), "/login") {
		t.Errorf("anonymous reader ended at %s, want the login page", anon.Path())
	}
	for _, role := range []account.Role{account.RoleMember, account.RoleModerator} {
		c := site.Member(t, "user-"+string(role), role)
		c.Get("/admin/mail")
		if c.Last.StatusCode != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", role, c.Last.StatusCode)
		}
		c.PostForm("/admin/mail/retry-failed", nil)
		if c.Last.StatusCode != http.StatusForbidden {
			t.Errorf("%s retry: status %d, want 403", role, c.Last.StatusCode)
		}
	}
}

func TestOutboxPageWithMailOffListsQueuedMailMasked(t *testing.T) {
	site := stoatest.Start(t)
	queue(t, site, "bob@example.org")
	admin := site.Member(t, "root-admin", account.RoleAdmin)
	doc := admin.Doc("/admin/mail", http.StatusOK)
	if doc.Find("[data-mail-off]").Length() != 1 || !strings.Contains(doc.Text(), "Mail is not configured") {
		t.Error("the page does not say that mail is not configured")
	}
	row := doc.Find("table.mail-outbox tbody tr")
	if row.Length() != 1 || !strings.Contains(row.Text(), "b…@example.org") || !strings.Contains(row.Text(), "A notice") {
		t.Fatalf("outbox rows: %q", row.Text())
	}
	// P13: the full address is not shown, even to admins; the domain is enough to diagnose.
	if strings.Contains(admin.Body, "bob@example.org") {
		t.Error("the outbox page shows a full email address")
	}

	ids := outboxRows(t, site)
	admin.PostForm("/admin/mail/"+itoa(ids[0])+"/discard", nil)
	if admin.Last.StatusCode != http.StatusOK || admin.Path() != "/admin/mail" || len(outboxRows(t, site)) != 0 {
		t.Fatalf("discard: status %d at %s, %d rows left", admin.Last.StatusCode, admin.Path(), len(outboxRows(t, site)))
	}
	admin.PostForm("/admin/mail/"+itoa(ids[0])+"/retry", nil)
	if admin.Last.StatusCode != http.StatusNotFound {
		t.Fatalf("retry of a discarded mail: status %d, want 404", admin.Last.StatusCode)
	}
	admin.PostForm("/admin/mail/not-a-number/retry", nil)
	if admin.Last.StatusCode != http.StatusNotFound {
		t.Fatalf("retry of a bad id: status %d, want 404", admin.Last.StatusCode)
	}
}

func TestAdminRetryDeliversFailedMail(t *testing.T) {
	smtp := mailtest.Start(t, mailtest.Options{})
	site := stoatest.Start(t, func(c *server.Config) { c.SMTPURL = smtp.URL() })
	// A mail that failed for good earlier today, e.g. while the relay refused it (failed
	// mail is swept away after 30 days).
	err := site.App.DB().Write(context.Background(), func(tx *storage.Tx) error {
		_, err := tx.Exec(`insert into mail_outbox(kind, recipient, subject, body_text, body_html, message_id, status,
			attempts, next_attempt_at, last_error, created_at) values ('notice', 'dan@example.org', 'Failed one', 'Hi', '<p>Hi</p>',
			'<outbox-99.x@localhost>', 'failed', 8, 0, '451 try later', ?)`, time.Now().Add(-time.Hour).Unix())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	admin := site.Member(t, "root-admin", account.RoleAdmin)
	doc := admin.Doc("/admin/mail", http.StatusOK)
	if doc.Find("[data-mail-off]").Length() != 0 {
		t.Error("mail reported off while an SMTP URL is set")
	}
	if !strings.Contains(doc.Text(), "451 try later") || !strings.Contains(doc.Text(), "1 failed") {
		t.Errorf("failed mail not shown with its error: %q", doc.Find("main").Text())
	}
	admin.PostForm("/admin/mail/retry-failed", nil)
	m := smtp.Wait(1, 10*time.Second)[0]
	if m.To[0] != "dan@example.org" || m.Header.Get("Message-Id") != "<outbox-99.x@localhost>" {
		t.Fatalf("retried mail: to %v id %q", m.To, m.Header.Get("Message-Id"))
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestAdminDashboardLinksToOutbox(t *testing.T) {
	site := stoatest.Start(t)
	admin := site.Member(t, "root-admin", account.RoleAdmin)
	if admin.Doc("/admin", http.StatusOK).Find(`a[href="/admin/mail"]`).Length() == 0 {
		t.Fatal("/admin does not link to the mail outbox")
	}
}
