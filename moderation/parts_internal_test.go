package moderation

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"stoa/account"
	"stoa/markup"
	"stoa/site"
	"stoa/storage"
	"stoa/storage/storagetest"
)

// parts is moderation built on a real SQLite file without the rest of the site: the real
// account store, and small in-memory stand-ins for the forum, chat, the agreement and the
// mail outbox. Its clock stands still until the test moves it.
type parts struct {
	db    *storage.DB
	svc   *Service
	forum *fakeForum
	chat  *fakeChat
	mail  *sentMail
	mu    sync.Mutex
	now   time.Time
}

func newParts(t testing.TB) *parts {
	t.Helper()
	db := storagetest.Open(t)
	p := &parts{db: db, forum: newFakeForum(), chat: newFakeChat(), mail: &sentMail{},
		now: time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)}
	p.svc = p.instance()
	return p
}

// instance returns a moderation service on the parts' database, forum, chat and clock,
// with sanctions and an audit log of its own: a second one stands for a second Stoa
// instance on the same database.
func (p *parts) instance() *Service {
	clock := func() time.Time { p.mu.Lock(); defer p.mu.Unlock(); return p.now }
	sanctions, err := NewSanctions(p.db, nil)
	if err != nil {
		panic(err) // cannot happen: without peers nothing is subscribed
	}
	audit := NewAuditLog(p.db)
	sanctions.now, audit.now = clock, clock
	s := New(Options{DB: p.db, Accounts: account.NewStore(p.db), Forum: p.forum, Chat: p.chat, Sanctions: sanctions,
		Audit: audit, Agreement: agreement{}, Mailer: p.mail, Renderer: markup.New(markup.Options{}), BaseURL: "https://stoa.test",
		Automod: func() site.Automod { return site.DefaultAutomod() }})
	s.now = clock
	return s
}

func (p *parts) advance(d time.Duration) { p.mu.Lock(); p.now = p.now.Add(d); p.mu.Unlock() }

// member adds a member with role and returns them.
func (p *parts) member(t testing.TB, name string, role account.Role) *account.User {
	t.Helper()
	var id int64
	err := p.db.Write(context.Background(), func(tx *storage.Tx) error {
		return tx.QueryRow(`insert into users(username, username_key, password_hash, role, created_at)
			values (?, ?, 'x', ?, 0) returning id`, name, account.UsernameKey(name), string(role)).Scan(&id)
	})
	if err != nil {
		t.Fatal(err)
	}
	return &account.User{ID: id, Username: name, Role: role}
}

// count returns the result of a counting query, failing the test on an error.
func (p *parts) count(t testing.TB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := p.db.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// agreement is a community agreement, version 1, with two rules.
type agreement struct{}

func (agreement) CurrentRules(context.Context) (int, []Rule, error) {
	return 1, []Rule{{Number: 1, Text: "Be kind."}, {Number: 2, Text: "No spam."}}, nil
}

// sentMail keeps the mail moderation queued, once the transaction committed.
type sentMail struct {
	mu   sync.Mutex
	list []Mail
}

func (m *sentMail) EnqueueMail(tx *storage.Tx, x Mail) error {
	tx.AfterCommit(func() { m.mu.Lock(); m.list = append(m.list, x); m.mu.Unlock() })
	return nil
}

// fakeForum holds posts in memory; changes made inside a transaction apply when it
// commits. calls counts the lookups.
type fakeForum struct {
	mu    sync.Mutex
	posts map[int64]*ForumPost
	calls atomic.Int64
}

func newFakeForum() *fakeForum { return &fakeForum{posts: map[int64]*ForumPost{}} }

// add puts a post by author in a thread of its own.
func (f *fakeForum) add(author *account.User, text string) *ForumPost {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := int64(len(f.posts) + 1)
	p := &ForumPost{ID: id, ThreadID: id, AuthorID: author.ID, Author: author.Username, Number: 1, Source: text,
		HTML: "<p>" + text + "</p>", ThreadTitle: fmt.Sprintf("Thread %d", id), ThreadURL: fmt.Sprintf("/t/%d/thread", id)}
	f.posts[id] = p
	return p
}

func (f *fakeForum) Posts(_ context.Context, ids []int64) ([]*ForumPost, error) {
	f.calls.Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*ForumPost
	for _, id := range ids {
		if p, ok := f.posts[id]; ok {
			c := *p
			out = append(out, &c)
		}
	}
	return out, nil
}

func (f *fakeForum) change(tx *storage.Tx, id int64, fn func(*ForumPost)) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.posts[id] == nil {
		return storage.ErrNotFound
	}
	tx.AfterCommit(func() { f.mu.Lock(); fn(f.posts[id]); f.mu.Unlock() })
	return nil
}

func (f *fakeForum) SetPostHidden(tx *storage.Tx, id int64, hidden bool, _ time.Time) error {
	return f.change(tx, id, func(p *ForumPost) { p.Hidden = hidden })
}

func (f *fakeForum) DeletePost(tx *storage.Tx, id int64, _ time.Time) error {
	return f.change(tx, id, func(p *ForumPost) { p.Deleted = true })
}

func (f *fakeForum) SetThreadLocked(tx *storage.Tx, threadID int64, locked bool) error {
	return f.change(tx, threadID, func(p *ForumPost) { p.ThreadLocked = locked })
}

// fakeChat holds chat messages in memory, like fakeForum.
type fakeChat struct {
	mu    sync.Mutex
	msgs  map[int64]*ChatMessage
	calls atomic.Int64
}

func newFakeChat() *fakeChat { return &fakeChat{msgs: map[int64]*ChatMessage{}} }

func (c *fakeChat) add(author *account.User, text string) *ChatMessage {
	c.mu.Lock()
	defer c.mu.Unlock()
	id := int64(len(c.msgs) + 1)
	m := &ChatMessage{ID: id, AuthorID: author.ID, Author: author.Username, Room: "general", Source: text,
		HTML: "<p>" + text + "</p>", URL: fmt.Sprintf("/chat/general#m%d", id)}
	c.msgs[id] = m
	return m
}

func (c *fakeChat) Messages(_ context.Context, ids []int64) ([]*ChatMessage, error) {
	c.calls.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []*ChatMessage
	for _, id := range ids {
		if m, ok := c.msgs[id]; ok {
			x := *m
			out = append(out, &x)
		}
	}
	return out, nil
}

func (c *fakeChat) EndChats(*storage.Tx, int64, string) {}

func (c *fakeChat) DeleteMessage(tx *storage.Tx, id int64) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.msgs[id]
	if m == nil {
		return storage.ErrNotFound
	}
	tx.AfterCommit(func() { c.mu.Lock(); m.Deleted = true; c.mu.Unlock() })
	return nil
}

// countingDB counts the queries read through it.
type countingDB struct {
	database
	n atomic.Int64
}

func (c *countingDB) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	c.n.Add(1)
	return c.database.Query(ctx, query, args...)
}

func (c *countingDB) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	c.n.Add(1)
	return c.database.QueryRow(ctx, query, args...)
}

// countingAccounts counts the lookups moderation makes of accounts.
type countingAccounts struct {
	Accounts
	n atomic.Int64
}

func (c *countingAccounts) ByID(ctx context.Context, id int64) (*account.User, error) {
	c.n.Add(1)
	return c.Accounts.ByID(ctx, id)
}

func (c *countingAccounts) ByIDs(ctx context.Context, ids []int64) ([]*account.User, error) {
	c.n.Add(1)
	return c.Accounts.ByIDs(ctx, ids)
}

// The automatic first line's parts: nothing waits for review in these fakes.

func (f *fakeForum) PostsInReview(context.Context, int) ([]*WaitingItem, error) { return nil, nil }
func (f *fakeForum) ApprovePost(*storage.Tx, int64, time.Time) (*WaitingItem, error) {
	return nil, storage.ErrNotFound
}
func (f *fakeForum) RejectPost(*storage.Tx, int64, time.Time) (*WaitingItem, error) {
	return nil, storage.ErrNotFound
}
func (c *fakeChat) SetMessageHidden(tx *storage.Tx, id int64, hidden bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.msgs[id]
	if m == nil {
		return storage.ErrNotFound
	}
	tx.AfterCommit(func() { c.mu.Lock(); m.Hidden = hidden; c.mu.Unlock() })
	return nil
}
func (c *fakeChat) HeldMessages(context.Context, int) ([]*WaitingItem, error) { return nil, nil }
func (c *fakeChat) ApproveHeld(*storage.Tx, int64) (*WaitingItem, error) {
	return nil, storage.ErrNotFound
}
func (c *fakeChat) RejectHeld(*storage.Tx, int64) (*WaitingItem, error) {
	return nil, storage.ErrNotFound
}
