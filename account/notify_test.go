package account_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"stoa/account"
	"stoa/mail"
	"stoa/storage"
)

type sentMail struct {
	user          int64
	to, subj, txt string
}

// notifyFixture is a database with three members and a notifier whose emails stay in
// the outbox (there is no mail server); sent is what it holds after each notify.
type notifyFixture struct {
	db               *storage.DB
	n                *account.Notifier
	outbox           *mail.Outbox
	sent             []sentMail
	alice, bob, carl *account.User
}

func newNotifyFixture(t *testing.T) *notifyFixture {
	t.Helper()
	ctx := context.Background()
	db := openDB(t)
	outbox := mail.NewOutbox(db, mail.Config{BaseURL: "https://stoa.test"})
	f := &notifyFixture{db: db, outbox: outbox, n: account.NewNotifier(db, account.NotifierOptions{BaseURL: "https://stoa.test/", Outbox: outbox})}
	users := newService(db, account.Options{Outbox: outbox})
	member := func(name string) *account.User {
		u, err := users.CreateUser(ctx, name, "password-"+name, account.RoleMember)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	f.alice, f.bob, f.carl = member("alice"), member("bob"), member("carl")
	f.write(t, "update users set email = username || '@example.org', email_verified = 1")
	return f
}

func (f *notifyFixture) write(t *testing.T, q string, args ...any) {
	t.Helper()
	if err := f.db.Write(context.Background(), func(tx *storage.Tx) error { _, err := tx.Exec(q, args...); return err }); err != nil {
		t.Fatal(err)
	}
}

func (f *notifyFixture) notify(t *testing.T, x account.Notification) bool {
	t.Helper()
	var added bool
	err := f.db.Write(context.Background(), func(tx *storage.Tx) error {
		var err error
		added, err = f.n.Notify(tx, x)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	queued, err := f.outbox.List(context.Background(), 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.sent = f.sent[:0]
	for _, m := range queued {
		f.sent = append(f.sent, sentMail{m.UserID, m.To, m.Subject, m.Text})
	}
	return added
}

func TestNotifyOncePerMemberAndCause(t *testing.T) {
	ctx := context.Background()
	f := newNotifyFixture(t)
	mention := account.Notification{UserID: f.alice.ID, Kind: account.NotifyMention, ActorID: f.bob.ID, Subject: "Garden", URL: "/p/7", Key: "post:7"}
	if !f.notify(t, mention) {
		t.Fatal("the first notification was not recorded")
	}
	reply := mention
	reply.Kind = account.NotifyReply
	if f.notify(t, mention) || f.notify(t, reply) {
		t.Error("a second notification for the same post was recorded")
	}
	self := mention
	self.UserID = f.bob.ID
	if f.notify(t, self) {
		t.Error("bob was notified of his own post")
	}
	items, total, err := f.n.Notifications(ctx, f.alice.ID, 10, 0)
	if err != nil || total != 1 || items[0].Text() != "bob mentioned you in “Garden”" || items[0].Read {
		t.Fatalf("alice's notifications: %+v, %d, %v", items, total, err)
	}

	// Open marks read and answers only the notification's owner.
	if _, err := f.n.Open(ctx, f.carl.ID, items[0].ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("carl opening alice's notification: %v", err)
	}
	if url, err := f.n.Open(ctx, f.alice.ID, items[0].ID); err != nil || url != "/p/7" {
		t.Errorf("open: %q, %v", url, err)
	}
	if c, _ := f.n.UnreadCount(ctx, f.alice.ID); c != 0 {
		t.Errorf("unread after opening: %d", c)
	}

	// A withdrawn cause takes its notifications with it.
	f.notify(t, account.Notification{UserID: f.carl.ID, Kind: account.NotifyWatching, ActorID: f.bob.ID, Subject: "Garden", URL: "/p/8", Key: "post:8"})
	if err := f.db.Write(ctx, func(tx *storage.Tx) error { return f.n.Retract(tx, "post:8") }); err != nil {
		t.Fatal(err)
	}
	if c, _ := f.n.UnreadCount(ctx, f.carl.ID); c != 0 {
		t.Errorf("carl still has %d notifications of a withdrawn post", c)
	}
}

func TestP16_NotificationEmailOnlyWhenChosen(t *testing.T) {
	ctx := context.Background()
	f := newNotifyFixture(t)
	// Everyone has an address; only alice asked for email, and only about mentions.
	if err := f.n.SetPreferences(ctx, f.alice.ID, map[string]account.Delivery{account.NotifyMention: account.DeliveryEmail}); err != nil {
		t.Fatal(err)
	}
	for i, to := range []*account.User{f.alice, f.carl} {
		f.notify(t, account.Notification{UserID: to.ID, Kind: account.NotifyMention, ActorID: f.bob.ID, Subject: "Garden", URL: "/p/1", Key: "post:1"})
		f.notify(t, account.Notification{UserID: to.ID, Kind: account.NotifyReply, ActorID: f.bob.ID, Subject: "Garden", URL: "/p/2", Key: "post:2"})
		if want := 1; len(f.sent) != want {
			t.Fatalf("after notifying member %d: %d emails, want %d", i, len(f.sent), want)
		}
	}
	m := f.sent[0]
	if m.user != f.alice.ID || m.to != "alice@example.org" || m.subj != "bob mentioned you in “Garden”" {
		t.Errorf("email %+v", m)
	}
	if want := "https://stoa.test/notifications/"; !strings.Contains(m.txt, want) || !strings.Contains(m.txt, "https://stoa.test/me/notifications") {
		t.Errorf("email text lacks the link and the way to stop:\n%s", m.txt)
	}

	// An address the member has not confirmed may be someone else's: it is never mailed.
	f.write(t, "update users set email_verified = 0 where id = ?", f.carl.ID)
	if err := f.n.SetPreferences(ctx, f.carl.ID, map[string]account.Delivery{account.NotifyWatching: account.DeliveryEmail}); err != nil {
		t.Fatal(err)
	}
	if !f.notify(t, account.Notification{UserID: f.carl.ID, Kind: account.NotifyWatching, ActorID: f.bob.ID, Subject: "Garden", URL: "/p/4", Key: "post:4"}) || len(f.sent) != 1 {
		t.Errorf("an unconfirmed address: notified in Stoa and %d emails, want 1 (alice's)", len(f.sent))
	}

	// Turned off, a kind is neither shown nor emailed.
	if err := f.n.SetPreferences(ctx, f.alice.ID, map[string]account.Delivery{account.NotifyMention: account.DeliveryOff}); err != nil {
		t.Fatal(err)
	}
	if f.notify(t, account.Notification{UserID: f.alice.ID, Kind: account.NotifyMention, ActorID: f.bob.ID, Subject: "Garden", URL: "/p/3", Key: "post:3"}) || len(f.sent) != 1 {
		t.Error("a kind turned off still notified")
	}
	if err := f.n.SetPreferences(ctx, f.alice.ID, map[string]account.Delivery{"sms": account.DeliveryApp}); err == nil {
		t.Error("an unknown kind was accepted")
	}
}

func TestNotificationsExportAndErase(t *testing.T) {
	ctx := context.Background()
	f := newNotifyFixture(t)
	f.notify(t, account.Notification{UserID: f.alice.ID, Kind: account.NotifyMention, ActorID: f.bob.ID, Subject: "Garden", URL: "/p/1", Key: "post:1"})
	f.notify(t, account.Notification{UserID: f.carl.ID, Kind: account.NotifyMention, ActorID: f.alice.ID, Subject: "Garden", URL: "/p/2", Key: "post:2"})

	files := map[string]string{}
	err := f.n.ExportUser(ctx, f.alice.ID, func(name string, v any) error {
		b, err := json.Marshal(v)
		files[name] = string(b)
		return err
	})
	if err != nil || !strings.Contains(files["notifications.json"], "bob mentioned you") || !strings.Contains(files["notification_settings.json"], `"mention":"app"`) {
		t.Fatalf("export: %v %q", err, files)
	}

	if err := f.db.Write(ctx, func(tx *storage.Tx) error { return f.n.EraseUser(tx, f.alice.ID, false) }); err != nil {
		t.Fatal(err)
	}
	if _, total, _ := f.n.Notifications(ctx, f.alice.ID, 10, 0); total != 0 {
		t.Errorf("alice's notifications survive her erasure: %d", total)
	}
	items, _, _ := f.n.Notifications(ctx, f.carl.ID, 10, 0)
	if len(items) != 1 || items[0].Text() != "A former member mentioned you in “Garden”" {
		t.Errorf("carl's notification from alice reads %+v", items)
	}
}

// Notifying many members at once (a thread's watchers) treats each as Notify would: the
// actor, a member who turned the kind off, one notified already and an erased account
// are left out, an emailed member gets a mail, and more members than one statement
// covers are all notified.
func TestNotifyAllTreatsEachMemberAsNotifyWould(t *testing.T) {
	ctx := context.Background()
	f := newNotifyFixture(t)
	// Watchers made directly: 520 argon2id hashes would take half a minute.
	var many []int64
	err := f.db.Write(ctx, func(tx *storage.Tx) error {
		ids := make([]int64, 520)
		for i := range ids {
			name := fmt.Sprintf("watcher%03d", i)
			id, err := tx.InsertID("insert into users(username, username_key, password_hash, created_at) values (?, ?, 'x', 1)", name, name)
			if err != nil {
				return err
			}
			ids[i] = id
		}
		many = ids
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.n.SetPreferences(ctx, f.alice.ID, map[string]account.Delivery{account.NotifyWatching: account.DeliveryEmail}); err != nil {
		t.Fatal(err)
	}
	if err := f.n.SetPreferences(ctx, many[0], map[string]account.Delivery{account.NotifyWatching: account.DeliveryOff}); err != nil {
		t.Fatal(err)
	}
	x := account.Notification{Kind: account.NotifyWatching, ActorID: f.bob.ID, Subject: "Garden", URL: "/p/9", Key: "post:9"}
	carl := x
	carl.UserID = f.carl.ID
	f.notify(t, carl) // carl has this one already
	f.write(t, "update users set deleted_at = 1 where id = ?", many[1])

	var recorded int
	err = f.db.Write(ctx, func(tx *storage.Tx) error {
		var err error
		recorded, err = f.n.NotifyAll(tx, append([]int64{f.alice.ID, f.bob.ID, f.carl.ID}, many...), x)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := 1 + len(many) - 2; recorded != want { // alice and the watchers but the two left out
		t.Errorf("recorded %d notifications, want %d", recorded, want)
	}
	for _, c := range []struct {
		who  int64
		want int
	}{{f.alice.ID, 1}, {f.bob.ID, 0}, {f.carl.ID, 1}, {many[0], 0}, {many[2], 1}, {many[len(many)-1], 1}} {
		if got, _ := f.n.UnreadCount(ctx, c.who); got != c.want {
			t.Errorf("member %d has %d unread notifications, want %d", c.who, got, c.want)
		}
	}
	queued, err := f.outbox.List(ctx, 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(queued) != 1 || queued[0].To != "alice@example.org" || !strings.Contains(queued[0].Text, "/notifications/") {
		t.Errorf("mails queued: %+v, want one to alice with a link", queued)
	}
}
