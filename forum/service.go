// Package forum is Stoa's forum: categories, threads, posts and their pages.
package forum

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"stoa/account"
	"stoa/markup"
	"stoa/privacy/pii"
	"stoa/ratelimit"
	"stoa/storage"
)

// Limits on what members write.
const (
	MaxTitleRunes = 200
	MaxBodyBytes  = 64 << 10
	PostsPerPage  = 20
)

// InputError is a problem with what the member typed; Fields maps a form field to a
// message for them.
type InputError struct{ Fields map[string]string }

func (e *InputError) Error() string { return fmt.Sprintf("forum: invalid input %v", e.Fields) }

// HoldError says the personal-information detector held a submission until its author
// confirms it.
type HoldError struct{ Findings []string }

func (e *HoldError) Error() string {
	return "forum: held for confirmation: " + strings.Join(e.Findings, ", ")
}

// Errors a member may see as they are.
var (
	ErrLocked    = errors.New("This thread is closed: new replies are not accepted.")
	ErrForbidden = errors.New("You cannot change this post.")
)

// Service holds the forum's rules.
type Service struct {
	store        *Store
	db           *storage.DB
	render       *markup.Renderer
	restrictions account.Restrictions
	now          func() time.Time
	afterPost    []func(tx *storage.Tx, p *Post, t *Thread) error
	staff        []StaffAction // audit staff actions on the forum (moderation's log)
	postRate     *ratelimit.Keyed
	ext          *Extras // search, unread markers, reactions…: nil until NewExtras
}

// NewService returns the forum's rules over store, rendering with r and checking
// sanctions with restrictions.
func NewService(db *storage.DB, store *Store, r *markup.Renderer, restrictions account.Restrictions) *Service {
	return &Service{store: store, db: db, render: r, restrictions: restrictions, now: time.Now,
		postRate: ratelimit.New(PostEvery, PostBurst)}
}

// Posting pace per member: a burst of PostBurst posts, then one per PostEvery. Staff are
// not limited. A member who writes faster than this is almost always a script.
const (
	PostBurst = 10
	PostEvery = 5 * time.Second
)

// ErrTooFast is returned when a member posts faster than the posting pace allows.
var ErrTooFast = errors.New("You are posting very quickly. Wait a few seconds, then send it again; your text is kept below.")

// DisableRateLimit lets members post as fast as they like; only for load tests.
func (s *Service) DisableRateLimit() { s.postRate = nil }

func (s *Service) checkRate(u *account.User) error {
	if s.postRate == nil || u.IsStaff() || s.postRate.Allow(strconv.FormatInt(u.ID, 10)) {
		return nil
	}
	return ErrTooFast
}

// AfterPost registers fn to run in the transaction that publishes or edits a post, for
// derived records such as notifications and the search index.
func (s *Service) AfterPost(fn func(tx *storage.Tx, p *Post, t *Thread) error) {
	s.afterPost = append(s.afterPost, fn)
}

// Store returns the forum's store.
func (s *Service) Store() *Store { return s.store }

// EnsureDefaultCategory creates the "General" category when there is none.
func (s *Service) EnsureDefaultCategory(ctx context.Context) error {
	cats, err := s.store.Categories(ctx)
	if err != nil || len(cats) > 0 {
		return err
	}
	return s.store.SaveCategory(ctx, &Category{Slug: "general", Name: "General", Description: "Anything about this community."})
}

func checkBody(body string, fields map[string]string) {
	switch {
	case strings.TrimSpace(body) == "":
		fields["body"] = "Write a message before posting."
	case len(body) > MaxBodyBytes:
		fields["body"] = fmt.Sprintf("This message is %d KiB; the limit is %d KiB. Shorten it or split it into several posts.", len(body)>>10, MaxBodyBytes>>10)
	case !utf8.ValidString(body):
		fields["body"] = "This message contains characters that are not valid text. Remove them and try again."
	}
}

func checkTitle(title string, fields map[string]string) {
	n := utf8.RuneCountInString(title)
	switch {
	case strings.TrimSpace(title) == "":
		fields["title"] = "Give your thread a title."
	case n > MaxTitleRunes:
		fields["title"] = fmt.Sprintf("Shorten the title to %d characters or fewer (it has %d).", MaxTitleRunes, n)
	case !utf8.ValidString(title):
		fields["title"] = "The title contains characters that are not valid text."
	}
}

// hold runs the personal-information detector unless the author already confirmed.
func hold(confirm bool, texts ...string) error {
	if confirm {
		return nil
	}
	var found []pii.Finding
	for _, t := range texts {
		found = append(found, pii.Detect(t)...)
	}
	if len(found) > 0 {
		return &HoldError{Findings: pii.Kinds(found)}
	}
	return nil
}

// NewThread is what the composer submits.
type NewThread struct {
	CategoryID int64
	Title      string
	Body       string
	Token      string // one-time form token: a repeated submit returns the first thread
	Confirm    bool   // the author confirmed publishing despite detector findings
}

// CreateThread publishes a thread and its first post.
func (s *Service) CreateThread(ctx context.Context, u *account.User, in NewThread) (*Thread, error) {
	in.Title = strings.TrimSpace(in.Title)
	fields := map[string]string{}
	checkTitle(in.Title, fields)
	checkBody(in.Body, fields)
	if len(fields) > 0 {
		return nil, &InputError{Fields: fields}
	}
	if err := s.restrictions.CanPost(ctx, u.ID); err != nil {
		return nil, err
	}
	if err := hold(in.Confirm, in.Title, in.Body); err != nil {
		return nil, err
	}
	if id, ok := s.byToken(ctx, u.ID, in.Token); ok {
		return s.store.ThreadByID(ctx, id)
	}
	if err := s.checkRate(u); err != nil {
		return nil, err
	}
	html := s.render.Render(in.Body).HTML
	now := s.now()
	t := &Thread{CategoryID: in.CategoryID, AuthorID: u.ID, Author: u.Username, Title: in.Title, Slug: Slugify(in.Title),
		CreatedAt: now, LastPostAt: now, PostCount: 1}
	p := &Post{AuthorID: u.ID, Author: u.Username, Number: 1, Source: in.Body, HTML: html, CreatedAt: now}
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		res, err := tx.Exec(`insert into threads(category_id, author_id, title, slug, created_at, last_post_at, post_count)
			values (?, ?, ?, ?, ?, ?, 1)`, t.CategoryID, u.ID, t.Title, t.Slug, now.Unix(), now.Unix())
		if err != nil {
			return fmt.Errorf("forum: insert thread: %w", err)
		}
		if t.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		p.ThreadID = t.ID
		if err := s.insertPost(tx, p, t.Title, in.Token); err != nil {
			return err
		}
		return s.runAfterPost(tx, p, t)
	})
	if isDuplicateToken(err) {
		if id, ok := s.byToken(ctx, u.ID, in.Token); ok {
			return s.store.ThreadByID(ctx, id)
		}
	}
	if err != nil {
		return nil, err
	}
	return t, nil
}

// recordStaff hands a staff action to every registered recorder, in the transaction
// that makes the change, so no staff action happens unrecorded.
func (s *Service) recordStaff(tx *storage.Tx, actorID int64, action, target, reason string) error {
	for _, fn := range s.staff {
		if err := fn(tx, actorID, action, target, reason); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) runAfterPost(tx *storage.Tx, p *Post, t *Thread) error {
	for _, fn := range s.afterPost {
		if err := fn(tx, p, t); err != nil {
			return err
		}
	}
	return nil
}

// insertPost inserts p and indexes it for search, once, with the plain text of its HTML
// (and title, the thread's title, when p opens the thread).
func (s *Service) insertPost(tx *storage.Tx, p *Post, title, token string) error {
	var tok any
	if token != "" {
		tok = token
	}
	res, err := tx.Exec(`insert into posts(thread_id, author_id, number, source, html, created_at, submit_token)
		values (?, ?, ?, ?, ?, ?, ?)`, p.ThreadID, p.AuthorID, p.Number, p.Source, p.HTML, p.CreatedAt.Unix(), tok)
	if err != nil {
		return fmt.Errorf("forum: insert post in thread %d: %w", p.ThreadID, err)
	}
	if p.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	if p.Number != 1 {
		title = ""
	}
	if _, err := tx.Exec("insert into post_search(rowid, title, body) values (?, ?, ?)", p.ID, title, searchText(p.HTML)); err != nil {
		return fmt.Errorf("forum: index post %d: %w", p.ID, err)
	}
	return nil
}

func isDuplicateToken(err error) bool {
	return err != nil && strings.Contains(err.Error(), "posts.author_id, posts.submit_token")
}

// byToken finds the thread of the post this member already submitted with token.
func (s *Service) byToken(ctx context.Context, userID int64, token string) (int64, bool) {
	if token == "" {
		return 0, false
	}
	var threadID int64
	err := s.db.QueryRow(ctx, "select thread_id from posts where author_id = ? and submit_token = ?", userID, token).Scan(&threadID)
	return threadID, err == nil
}

// postByToken finds the post this member already submitted with token.
func (s *Service) postByToken(ctx context.Context, userID int64, token string) (*Post, bool) {
	if token == "" {
		return nil, false
	}
	var id int64
	if err := s.db.QueryRow(ctx, "select id from posts where author_id = ? and submit_token = ?", userID, token).Scan(&id); err != nil {
		return nil, false
	}
	p, err := s.store.PostByID(ctx, id)
	return p, err == nil
}

// NewReply is what the reply form submits.
type NewReply struct {
	ThreadID int64
	Body     string
	Token    string
	Confirm  bool
}

// Reply adds a post to a thread.
func (s *Service) Reply(ctx context.Context, u *account.User, in NewReply) (*Post, error) {
	fields := map[string]string{}
	checkBody(in.Body, fields)
	if len(fields) > 0 {
		return nil, &InputError{Fields: fields}
	}
	t, err := s.store.ThreadByID(ctx, in.ThreadID)
	if err != nil {
		return nil, err
	}
	if t.Deleted || (t.Hidden && !u.IsStaff()) {
		return nil, storage.ErrNotFound
	}
	if t.Locked && !u.IsStaff() {
		return nil, ErrLocked
	}
	if err := s.restrictions.CanPost(ctx, u.ID); err != nil {
		return nil, err
	}
	if err := hold(in.Confirm, in.Body); err != nil {
		return nil, err
	}
	if p, ok := s.postByToken(ctx, u.ID, in.Token); ok {
		return p, nil
	}
	if err := s.checkRate(u); err != nil {
		return nil, err
	}
	now := s.now()
	p := &Post{ThreadID: t.ID, AuthorID: u.ID, Author: u.Username, Source: in.Body,
		HTML: s.render.Render(in.Body).HTML, CreatedAt: now}
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		// The number is taken inside the write so that concurrent replies never collide.
		if err := tx.QueryRow("select coalesce(max(number), 0) + 1 from posts where thread_id = ?", t.ID).Scan(&p.Number); err != nil {
			return fmt.Errorf("forum: next post number in %d: %w", t.ID, err)
		}
		title := ""
		if p.Number == 1 {
			if err := tx.QueryRow("select title from threads where id = ?", t.ID).Scan(&title); err != nil {
				return fmt.Errorf("forum: title of %d: %w", t.ID, err)
			}
		}
		if err := s.insertPost(tx, p, title, in.Token); err != nil {
			return err
		}
		if _, err := tx.Exec("update threads set post_count = post_count + 1, last_post_at = ? where id = ?", now.Unix(), t.ID); err != nil {
			return fmt.Errorf("forum: bump thread %d: %w", t.ID, err)
		}
		return s.runAfterPost(tx, p, t)
	})
	if isDuplicateToken(err) {
		if p, ok := s.postByToken(ctx, u.ID, in.Token); ok {
			return p, nil
		}
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Slugify turns a title into the readable part of a thread's address.
func Slugify(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(title) {
		switch {
		case r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= 60 {
			break
		}
	}
	s := strings.Trim(b.String(), "-")
	if s == "" {
		return "thread"
	}
	return s
}
