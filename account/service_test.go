package account_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"stoa/account"
	"stoa/mail"
	"stoa/storage"
	"stoa/web"
)

// banned is a sanction the way moderation states it: an error whose text is for the member.
type banned struct{}

func (banned) CanLogIn(context.Context, int64) error { return sanction{} }
func (banned) CanPost(context.Context, int64) error  { return sanction{} }

type sanction struct{}

func (sanction) Error() string     { return "Your account is banned, without an end date." }
func (sanction) Restriction() bool { return true }

// A sanctioned member is refused at login with the sanction's own words, as a 403, and
// an old session of theirs no longer logs them in.
func TestSanctionRefusesLoginWithItsReason(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	open := newService(db, account.Options{})
	if _, _, err := open.Register(ctx, account.Registration{Username: "alice", Password: "password-alice"}); err != nil {
		t.Fatal(err)
	}
	_, token, err := open.LogIn(ctx, "alice", "password-alice")
	if err != nil {
		t.Fatal(err)
	}
	svc := newService(db, account.Options{Restrictions: banned{}})
	_, _, err = svc.LogIn(ctx, "alice", "password-alice")
	e := web.AsError(err)
	if e == nil || e.Status != http.StatusForbidden || !strings.Contains(e.Message, "banned") {
		t.Fatalf("login of a banned member: %v", err)
	}
	if _, err := svc.SessionUser(ctx, token); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("session of a banned member: %v", err)
	}
	if _, _, err := svc.LogIn(ctx, "alice", "wrong password"); !errors.Is(err, account.ErrBadCredentials) {
		t.Fatalf("a wrong password is still only that: %v", err)
	}
}

// Changing an address needs the password, answers every field at once, mails the new
// address a link and warns the confirmed old one; confirming twice is refused.
func TestChangeEmailRules(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	outbox := mail.NewOutbox(db, mail.Config{BaseURL: "https://stoa.test"})
	svc := newService(db, account.Options{Outbox: outbox})
	u, _, err := svc.Register(ctx, account.Registration{Username: "alice", Password: "password-alice", Email: "alice@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.ChangeEmail(ctx, u, "not an address", "wrong password")
	if e := web.AsError(err); e == nil || e.Fields["email"] == "" || e.Fields["password"] == "" {
		t.Fatalf("bad address and wrong password: %v", err)
	}
	link := confirmToken(t, outbox, "alice@example.org")
	if _, err := svc.ConfirmEmail(ctx, link); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ConfirmEmail(ctx, link); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a link used twice: %v", err)
	}
	if _, err := svc.ChangeEmail(ctx, u, "ALICE@example.org", "password-alice"); web.AsError(err) == nil || web.AsError(err).Fields["email"] == "" {
		t.Fatalf("changing to the same confirmed address: %v", err)
	}
	if _, err := svc.ChangeEmail(ctx, u, "alice@new.example", "password-alice"); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]string{}
	queued, err := outbox.List(ctx, 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range queued {
		kinds[q.To+" "+q.Kind] = q.Subject
	}
	if _, ok := kinds["alice@new.example confirm"]; !ok {
		t.Errorf("no confirmation link for the new address: %v", kinds)
	}
	if _, ok := kinds["alice@example.org email_changing"]; !ok {
		t.Errorf("the confirmed old address was not told: %v", kinds)
	}
	if err := svc.RemoveEmail(ctx, u, "password-alice"); err != nil {
		t.Fatal(err)
	}
	if queued, _ := outbox.List(ctx, 100, 0); len(queued) != 0 {
		t.Errorf("%d mails still queued for a withdrawn address", len(queued))
	}
}

// confirmToken returns the token of the newest confirmation link queued for to.
func confirmToken(t *testing.T, outbox *mail.Outbox, to string) string {
	t.Helper()
	queued, err := outbox.List(context.Background(), 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := len(queued) - 1; i >= 0; i-- {
		if q := queued[i]; q.To == to && q.Kind == "confirm" {
			_, token, ok := strings.Cut(q.Text, "/me/email/confirm/")
			if ok {
				return strings.Fields(token)[0]
			}
		}
	}
	t.Fatalf("no confirmation link queued for %s", to)
	return ""
}
