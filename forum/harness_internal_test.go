package forum

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"

	"stoa/account"
	"stoa/mail"
	"stoa/markup"
	"stoa/site"
	"stoa/storage"
	"stoa/storage/storagetest"
	"stoa/watchwords"
	"stoa/web"
)

// testForum is the forum built from its parts on a fresh database (the engine STOA_TEST_ENGINE names), without the rest
// of the site: a moderator and a member, sanctions the test sets, and an audit log that
// records in memory.
type testForum struct {
	*Forum
	db        *storage.DB
	accounts  *account.Store
	sanctions *sanctions
	audit     *auditRecorder
	mod       *account.User
	member    *account.User
}

// newTestForum builds the forum; adjust changes its options before it is built.
func newTestForum(t testing.TB, adjust ...func(*Options)) *testForum {
	t.Helper()
	ctx := context.Background()
	db := storagetest.Open(t)
	accounts := account.NewStore(db)
	mod, err := account.AddUser(ctx, accounts, "mia", "password-mia", account.RoleModerator)
	if err != nil {
		t.Fatal(err)
	}
	member, err := account.AddUser(ctx, accounts, "bob", "password-bob", account.RoleMember)
	if err != nil {
		t.Fatal(err)
	}
	settings, err := site.New(ctx, db, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	words, err := watchwords.New(ctx, db, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	tf := &testForum{db: db, accounts: accounts, sanctions: &sanctions{}, audit: &auditRecorder{}, mod: mod, member: member}
	o := Options{
		DB:           db,
		Renderer:     markup.New(markup.Options{MentionURL: func(n string) string { return "/u/" + n }}),
		Restrictions: tf.sanctions,
		Notifier:     account.NewNotifier(db, account.NotifierOptions{BaseURL: "http://stoa.test", Outbox: mail.NewOutbox(db, mail.Config{BaseURL: "http://stoa.test"})}),
		Audit:        tf.audit,
		ChatSearch: func(context.Context, storage.TextQuery, string, int, int, int) ([]ChatHit, int, error) {
			return nil, 0, nil
		},
		Accounts: accounts,
		Web:      &web.Responder{Log: slog.New(slog.NewTextHandler(io.Discard, nil))},
		Log:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		BaseURL:  "http://stoa.test",
		Site:     settings,
		Words:    words,
	}
	for _, fn := range adjust {
		fn(&o)
	}
	if tf.Forum, err = New(o); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tf.Close)
	if err := tf.Service.EnsureDefaultCategory(ctx); err != nil {
		t.Fatal(err)
	}
	return tf
}

// sanctions are the test's restrictions: members in silenced may not post.
type sanctions struct {
	mu       sync.Mutex
	silenced map[int64]bool
}

// errSilenced is a sanction as moderation explains one: its text is for the member.
type errSilenced struct{}

func (errSilenced) Error() string     { return "You are silenced until tomorrow." }
func (errSilenced) Restriction() bool { return true }

func (s *sanctions) silence(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.silenced == nil {
		s.silenced = map[int64]bool{}
	}
	s.silenced[id] = true
}

func (s *sanctions) CanLogIn(context.Context, int64) error { return nil }

func (s *sanctions) CanPost(_ context.Context, id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.silenced[id] {
		return errSilenced{}
	}
	return nil
}

// auditEntry is one staff action as the forum reported it.
type auditEntry struct{ actor, action, target, reason string }

// auditRecorder keeps the staff actions the forum records, in the transaction that
// makes them: an entry of a write that fails goes with it.
type auditRecorder struct {
	mu      sync.Mutex
	entries []auditEntry
	fail    bool
}

func (a *auditRecorder) RecordForumAction(tx *storage.Tx, x StaffAction) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.fail {
		return errors.New("audit log unavailable")
	}
	target := fmt.Sprintf("thread:%d", x.ThreadID)
	if x.PostID != 0 {
		target = fmt.Sprintf("post:%d", x.PostID)
	}
	e := auditEntry{x.Actor.Username, x.Action, target, x.Reason}
	tx.AfterCommit(func() {
		a.mu.Lock()
		defer a.mu.Unlock()
		a.entries = append(a.entries, e)
	})
	return nil
}

func (a *auditRecorder) recorded() []auditEntry {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]auditEntry(nil), a.entries...)
}

// thread starts a thread in the default category as u.
func (tf *testForum) thread(t testing.TB, u *account.User, title, body string) *Thread {
	t.Helper()
	th, err := tf.Service.CreateThread(context.Background(), u, NewThread{CategoryID: 1, Title: title, Body: body})
	if err != nil {
		t.Fatal(err)
	}
	return th
}
