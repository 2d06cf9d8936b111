package mail

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"stoa/mail/mailtest"
	"stoa/storage"
	"stoa/storage/storagetest"
)

// openDB opens a fresh database on the engine STOA_TEST_ENGINE names.
func openDB(t *testing.T) *storage.DB {
	t.Helper()
	return storagetest.Open(t)
}

// addUser inserts a member directly, so outbox rows can point at one.
func addUser(t *testing.T, db *storage.DB, name string) int64 {
	t.Helper()
	var id int64
	err := db.Write(context.Background(), func(tx *storage.Tx) error {
		var err error
		id, err = tx.InsertID(`insert into users(username, username_key, password_hash, created_at) values (?, ?, 'x', 0)`, name, name)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func enqueue(t *testing.T, o *Outbox, m Message) {
	t.Helper()
	if err := o.db.Write(context.Background(), func(tx *storage.Tx) error { return o.Enqueue(tx, m) }); err != nil {
		t.Fatalf("enqueue: %v", err)
	}
}

func list(t *testing.T, o *Outbox) []*Queued {
	t.Helper()
	q, err := o.List(context.Background(), 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func started(t *testing.T, o *Outbox) *Outbox {
	t.Helper()
	if err := o.Start(context.Background()); err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(o.Close)
	return o
}

func TestDeliversTextHTMLAndHeaders(t *testing.T) {
	db := openDB(t)
	srv := mailtest.Start(t, mailtest.Options{})
	o := NewOutbox(db, Config{SMTPURL: srv.URL(), BaseURL: "https://forum.example.org/", SiteName: "Example Forum"})
	alice := addUser(t, db, "alice")
	enqueue(t, o, Message{
		To: "alice@example.org", Subject: "A notice from the moderators", Kind: "notice", UserID: alice,
		Text: "Hello alice,\n\nYour post broke rule 3 <b>here</b>.\nPlease read it again.",
		Headers: map[string]string{
			"List-Unsubscribe":      "<https://forum.example.org/unsubscribe/abc>",
			"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		},
	})
	queued := list(t, o)
	if len(queued) != 1 || !strings.HasPrefix(queued[0].MessageID, "<outbox-") || !strings.HasSuffix(queued[0].MessageID, "@forum.example.org>") {
		t.Fatalf("queued = %+v, want one mail with an outbox Message-ID", queued)
	}
	started(t, o)

	m := srv.Wait(1, 10*time.Second)[0]
	if m.From != "stoa@forum.example.org" || len(m.To) != 1 || m.To[0] != "alice@example.org" {
		t.Errorf("envelope from %q to %v", m.From, m.To)
	}
	for header, want := range map[string]string{
		"Message-Id":            queued[0].MessageID,
		"Subject":               "A notice from the moderators",
		"To":                    "<alice@example.org>",
		"From":                  `"Example Forum" <stoa@forum.example.org>`,
		"List-Unsubscribe":      "<https://forum.example.org/unsubscribe/abc>",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		"Auto-Submitted":        "auto-generated",
	} {
		if got := m.Header.Get(header); got != want {
			t.Errorf("%s = %q, want %q", header, got, want)
		}
	}
	if !strings.Contains(m.Text, "Your post broke rule 3 <b>here</b>.") {
		t.Errorf("text part = %q", m.Text)
	}
	for _, want := range []string{"<p>Hello alice,</p>", "rule 3 &lt;b&gt;here&lt;/b&gt;.<br>", "Example Forum", `href="https://forum.example.org"`} {
		if !strings.Contains(m.HTML, want) {
			t.Errorf("HTML part lacks %q:\n%s", want, m.HTML)
		}
	}
	for _, banned := range []string{"<img", "<script", "src="} {
		if strings.Contains(strings.ToLower(m.HTML), banned) {
			t.Errorf("HTML part contains %q (no remote content or tracking)", banned)
		}
	}
	waitFor(t, "delivered mail leaves the outbox", func() bool { return len(list(t, o)) == 0 })
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestRolledBackTransactionQueuesNothing(t *testing.T) {
	db := openDB(t)
	o := NewOutbox(db, Config{BaseURL: "http://localhost"})
	boom := errors.New("action failed")
	err := db.Write(context.Background(), func(tx *storage.Tx) error {
		if err := o.Enqueue(tx, Message{To: "bob@example.org", Subject: "Hi", Text: "hello"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("write = %v", err)
	}
	if q := list(t, o); len(q) != 0 {
		t.Fatalf("outbox holds %d mails after a rolled-back action", len(q))
	}
}

func TestEnqueueRefusesBadMessages(t *testing.T) {
	db := openDB(t)
	o := NewOutbox(db, Config{})
	for name, m := range map[string]Message{
		"no address":       {To: "not an address", Subject: "s", Text: "t"},
		"display name":     {To: "Bob <bob@example.org>", Subject: "s", Text: "t"},
		"no text":          {To: "bob@example.org", Subject: "s", Text: "  "},
		"subject injected": {To: "bob@example.org", Subject: "s\r\nBcc: eve@example.org", Text: "t"},
		"header injected":  {To: "bob@example.org", Subject: "s", Text: "t", Headers: map[string]string{"X-A": "1\r\nBcc: eve@example.org"}},
	} {
		err := db.Write(context.Background(), func(tx *storage.Tx) error { return o.Enqueue(tx, m) })
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
}

func TestMailOffKeepsMailQueued(t *testing.T) {
	db := openDB(t)
	o := started(t, NewOutbox(db, Config{}))
	if o.Configured() {
		t.Fatal("configured without an SMTP URL")
	}
	enqueue(t, o, Message{To: "bob@example.org", Subject: "Hi", Text: "hello"})
	time.Sleep(100 * time.Millisecond)
	if q := list(t, o); len(q) != 1 || q[0].Attempts != 0 || q[0].Failed {
		t.Fatalf("outbox = %+v, want one untouched queued mail", q)
	}
}

func TestWorkerWakesPromptlyAfterCommit(t *testing.T) {
	db := openDB(t)
	srv := mailtest.Start(t, mailtest.Options{})
	// Polling alone would take a minute; the wake-up must deliver well before that.
	o := started(t, NewOutbox(db, Config{SMTPURL: srv.URL(), PollEvery: time.Minute}))
	time.Sleep(50 * time.Millisecond) // let the worker go idle first
	start := time.Now()
	enqueue(t, o, Message{To: "bob@example.org", Subject: "Hi", Text: "hello"})
	srv.Wait(1, 5*time.Second)
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("delivered after %s", d)
	}
}

func TestRetriesWhileServerDownAndDeliversOnceBack(t *testing.T) {
	db := openDB(t)
	srv := mailtest.Reserve(t, mailtest.Options{}) // the port is known, nothing listens yet
	o := started(t, NewOutbox(db, Config{SMTPURL: srv.URL(), RetryBase: time.Second, PollEvery: time.Minute}))
	enqueue(t, o, Message{To: "bob@example.org", Subject: "Still there?", Text: "hello"})
	waitFor(t, "a failed attempt", func() bool {
		q := list(t, o)
		return len(q) == 1 && q[0].Attempts >= 1 && q[0].LastError != ""
	})
	if q := list(t, o); q[0].Failed {
		t.Fatal("one refused connection marked the mail failed")
	}
	srv.Resume()
	srv.Wait(1, 15*time.Second)
	waitFor(t, "the outbox to empty", func() bool { return len(list(t, o)) == 0 })
	time.Sleep(200 * time.Millisecond)
	if mails := srv.Mails(); len(mails) != 1 || mails[0].Header.Get("Subject") != "Still there?" {
		t.Fatalf("received %d mails, want the one exactly once", len(mails))
	}
}

// clock is a settable time source for driving the worker step by step.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func stepper(t *testing.T, smtpURL string, cfg Config) (*Outbox, *dialer, *clock) {
	t.Helper()
	c := &clock{now: time.Unix(1_700_000_000, 0)}
	cfg.SMTPURL, cfg.Now = smtpURL, c.Now
	o := NewOutbox(openDB(t), cfg)
	d, err := parseSMTPURL(smtpURL, cfg.TLS)
	if err != nil {
		t.Fatal(err)
	}
	return o, d, c
}

func TestBackoffGrowsThenMarksFailedAndAdminRetryDelivers(t *testing.T) {
	srv := mailtest.Reserve(t, mailtest.Options{})
	o, d, c := stepper(t, srv.URL(), Config{MaxAttempts: 4, RetryBase: time.Minute, RetryMax: time.Hour})
	ctx := context.Background()
	enqueue(t, o, Message{To: "bob@example.org", Subject: "Hi", Text: "hello"})
	var waits []time.Duration
	for attempt := 1; attempt <= 4; attempt++ {
		o.deliverDue(ctx, d)
		q := list(t, o)[0]
		if q.Attempts != attempt {
			t.Fatalf("after round %d: attempts = %d", attempt, q.Attempts)
		}
		if attempt < 4 && q.Failed {
			t.Fatalf("failed after %d attempts, limit 4", attempt)
		}
		wait := q.NextAttempt.Sub(c.Now())
		waits = append(waits, wait)
		// Not due before its back-off: another round now does nothing.
		o.deliverDue(ctx, d)
		if list(t, o)[0].Attempts != attempt {
			t.Fatal("retried before the back-off elapsed")
		}
		c.Add(wait)
	}
	if q := list(t, o)[0]; !q.Failed || !strings.Contains(q.LastError, "connect") {
		t.Fatalf("after 4 attempts: %+v, want failed with the connection error", q)
	}
	for i, w := range waits[:3] {
		base := time.Minute << i
		if w < base/2 || w > base*3/2 {
			t.Errorf("wait after attempt %d = %s, want within ±50%% of %s", i+1, w, base)
		}
	}
	// Failed mail is not picked up by the worker any more...
	c.Add(24 * time.Hour)
	srv.Resume()
	o.deliverDue(ctx, d)
	if len(srv.Mails()) != 0 {
		t.Fatal("failed mail was sent without an admin retrying it")
	}
	// ...until an admin retries it.
	if err := o.Retry(ctx, list(t, o)[0].ID); err != nil {
		t.Fatal(err)
	}
	o.deliverDue(ctx, d)
	if len(srv.Mails()) != 1 || len(list(t, o)) != 0 {
		t.Fatalf("after retry: %d received, %d still in outbox", len(srv.Mails()), len(list(t, o)))
	}
}

func TestPermanentRefusalFailsAtOnce(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{Reject: func(rcpt string) error {
		if rcpt == "nobody@example.org" {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
		}
		return nil
	}})
	o, d, _ := stepper(t, srv.URL(), Config{})
	enqueue(t, o, Message{To: "nobody@example.org", Subject: "Hi", Text: "hello"})
	enqueue(t, o, Message{To: "bob@example.org", Subject: "Hi", Text: "hello"})
	o.deliverDue(context.Background(), d)
	q := list(t, o)
	if len(q) != 1 || !q[0].Failed || q[0].To != "nobody@example.org" || !strings.Contains(q[0].LastError, "no such user") {
		t.Fatalf("outbox = %+v, want only the refused mail, failed", q)
	}
	if m := srv.Mails(); len(m) != 1 || m[0].To[0] != "bob@example.org" {
		t.Fatalf("received %+v, want bob's mail despite the other's refusal", m)
	}
}

func TestCrashAfterSendingResendsWithSameMessageID(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	o, d, c := stepper(t, srv.URL(), Config{})
	ctx := context.Background()
	enqueue(t, o, Message{To: "bob@example.org", Subject: "Hi", Text: "hello"})
	// Claim and send, then "crash" before recording the delivery.
	claimed, err := o.claim(ctx, batchSize)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim = %v, %v", claimed, err)
	}
	if r := o.deliver(ctx, d, claimed); r[0].err != nil {
		t.Fatal(r[0].err)
	}
	// After a restart the mail is still queued and goes out again once due: duplicated,
	// never lost, and recognisably the same mail.
	if q := list(t, o); len(q) != 1 {
		t.Fatalf("outbox after crash = %d mails, want 1", len(q))
	}
	c.Add(time.Hour)
	o.deliverDue(ctx, d)
	m := srv.Wait(2, 5*time.Second)
	if id := m[0].Header.Get("Message-Id"); id == "" || id != m[1].Header.Get("Message-Id") {
		t.Fatalf("Message-IDs %q and %q, want the same", id, m[1].Header.Get("Message-Id"))
	}
	if len(list(t, o)) != 0 {
		t.Fatal("mail still queued after the second delivery")
	}
}

func TestPurgeUserDropsTheirQueuedMail(t *testing.T) {
	db := openDB(t)
	o := NewOutbox(db, Config{})
	alice, bob := addUser(t, db, "alice"), addUser(t, db, "bob")
	enqueue(t, o, Message{To: "alice@example.org", Subject: "Hi", Text: "a", UserID: alice})
	enqueue(t, o, Message{To: "bob@example.org", Subject: "Hi", Text: "b", UserID: bob})
	if err := db.Write(context.Background(), func(tx *storage.Tx) error { return o.PurgeUser(tx, alice) }); err != nil {
		t.Fatal(err)
	}
	if q := list(t, o); len(q) != 1 || q[0].UserID != bob {
		t.Fatalf("outbox = %+v, want only bob's mail", q)
	}
}
