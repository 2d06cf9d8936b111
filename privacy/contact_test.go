package privacy_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"stoa/privacy"
	"stoa/web"
)

// P11: announcements reach only members who opted in and gave an address; each carries
// RFC 8058 one-click unsubscribe headers; the opt-in is off by default.
func TestP11_AnnouncementsOnlyToOptedInMembers(t *testing.T) {
	db := openDB(t)
	m := newMembers(db)
	o := newOutbox(t, db)
	p := privacy.NewPreferences(db, privacy.Options{Members: m, Mailer: o, Render: render, BaseURL: "https://forum.example"})
	ctx := context.Background()
	admin := m.add(t, "root1", "root@example.org", true)
	in := m.add(t, "optin", "in@example.org", false)
	never := m.add(t, "never", "never@example.org", false) // never chose: off
	out := m.add(t, "optout", "out@example.org", false)    // chose off
	noAddr := m.add(t, "noaddr", "", false)                // opted in, no address
	if prefs, err := p.Get(ctx, never.ID); err != nil || prefs.Announcements {
		t.Fatalf("default preferences = %+v, %v; want off", prefs, err)
	}
	for _, x := range []struct {
		id int64
		on bool
	}{{in.ID, true}, {out.ID, false}, {noAddr.ID, true}} {
		if err := p.Set(ctx, x.id, x.on); err != nil {
			t.Fatal(err)
		}
	}
	n, err := p.Announce(ctx, admin.ID, "Meetup on Friday", "Come **along**.")
	if err != nil || n != 1 {
		t.Fatalf("Announce = %d, %v; want 1", n, err)
	}
	mails := o.sent(t)
	if len(mails) != 1 || mails[0].To != "in@example.org" || mails[0].Kind != "announcement" {
		t.Fatalf("mail = %+v", mails)
	}
	if !strings.Contains(mails[0].Headers, "List-Unsubscribe: <https://forum.example/unsubscribe/") ||
		!strings.Contains(mails[0].Headers, "List-Unsubscribe-Post: List-Unsubscribe=One-Click") ||
		!strings.Contains(mails[0].Body, "https://forum.example/unsubscribe/") {
		t.Fatalf("unsubscribe headers or link missing: %+v", mails[0])
	}
	token := mails[0].Headers[strings.Index(mails[0].Headers, "/unsubscribe/")+len("/unsubscribe/"):]
	token = token[:strings.IndexByte(token, '>')]
	if ok, err := p.ValidUnsubscribe(ctx, token); !ok || err != nil {
		t.Fatalf("token not valid: %v", err)
	}
	if ok, err := p.Unsubscribe(ctx, token); !ok || err != nil {
		t.Fatalf("Unsubscribe = %v, %v", ok, err)
	}
	if ok, _ := p.Unsubscribe(ctx, token); !ok {
		t.Error("a second unsubscribe with the same link should still be accepted")
	}
	if ok, _ := p.Unsubscribe(ctx, "forged"); ok {
		t.Error("a made-up token unsubscribed someone")
	}
	if n, err := p.Announce(ctx, admin.ID, "Second", "Again."); err != nil || n != 0 {
		t.Errorf("after unsubscribing, Announce reached %d members (%v)", n, err)
	}
	hist, err := p.Announcements(ctx, 10)
	if err != nil || len(hist) != 2 || hist[0].Recipients != 0 || hist[1].Recipients != 1 {
		t.Errorf("history = %+v, %v", hist, err)
	}
	var input *web.Error
	if _, err := p.Announce(ctx, admin.ID, "two\nlines", ""); !errors.As(err, &input) || input.Fields["subject"] == "" || input.Fields["body"] == "" {
		t.Errorf("bad announcement: %v", err)
	}
	// Announcements cannot be sent without an outbox: such a Preferences cannot be built.
	if err := build(func() { privacy.NewPreferences(db, privacy.Options{Members: m, Render: render}) }); err == nil {
		t.Error("without an outbox: announcements were allowed")
	}
}

// build runs a constructor and returns what it panicked with, as an error.
func build(fn func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	fn()
	return nil
}

func TestEnquiries(t *testing.T) {
	db := openDB(t)
	m := newMembers(db)
	o := newOutbox(t, db)
	e := privacy.NewEnquiries(db, privacy.Options{Members: m, Mailer: o, BaseURL: "https://forum.example"})
	ctx := context.Background()
	mod := m.add(t, "mod1", "mod@example.org", true)
	alice := m.add(t, "alice", "alice@example.org", false)

	var input *web.Error
	if _, err := e.Submit(ctx, 0, "not-an-address", "", ""); !errors.As(err, &input) || len(input.Fields) != 3 {
		t.Fatalf("invalid enquiry: %v", err)
	}
	anon, err := e.Submit(ctx, 0, "visitor@example.net", "Delete my data?", "I read without an account; what do you keep?")
	if err != nil {
		t.Fatal(err)
	}
	mine, err := e.Submit(ctx, alice.ID, "ignored@example.net", "A question", "Hello team")
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := e.OpenCount(ctx); n != 2 {
		t.Errorf("open = %d", n)
	}
	if err := e.Answer(ctx, &mod, anon, "We keep nothing about readers.", false); err != nil {
		t.Fatal(err)
	}
	if err := e.Answer(ctx, &mod, mine, "Hi alice", true); err != nil {
		t.Fatal(err)
	}
	mails := o.sent(t)
	if len(mails) != 2 || mails[0].To != "visitor@example.net" || !strings.Contains(mails[0].Body, "We keep nothing") ||
		mails[1].To != "alice@example.org" || mails[1].UserID != alice.ID {
		t.Fatalf("answers mailed = %+v", mails)
	}
	if n, _ := e.UnreadAnswers(ctx, alice.ID); n != 1 {
		t.Errorf("unread answers = %d, want 1", n)
	}
	if err := e.MarkRead(ctx, alice.ID, mine); err != nil {
		t.Fatal(err)
	}
	if n, _ := e.UnreadAnswers(ctx, alice.ID); n != 0 {
		t.Errorf("unread after reading = %d", n)
	}
	if err := e.FollowUp(ctx, alice.ID, anon, "not mine"); !errors.Is(err, privacy.ErrNotFound) {
		t.Errorf("following up someone else's enquiry: %v", err)
	}
	if err := e.FollowUp(ctx, alice.ID, mine, "Thanks!"); err != nil {
		t.Fatal(err)
	}
	got, err := e.Get(ctx, mine)
	if err != nil || got.Status != "open" || len(got.Messages) != 2 || got.Messages[0].Author != "mod1" || got.Username != "alice" {
		t.Errorf("enquiry = %+v, %v", got, err)
	}
	list, _ := e.ForMember(ctx, alice.ID)
	if len(list) != 1 || list[0].HasReply {
		t.Errorf("alice's enquiries = %+v (a member's reply address is never kept)", list)
	}
}
