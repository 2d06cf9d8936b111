package forum

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"stoa/storage"
)

// Category groups threads.
type Category struct {
	ID          int64
	Slug        string
	Name        string
	Description string
	Position    int
	Threads     int
	Posts       int
}

// Thread is a conversation started by one post.
type Thread struct {
	ID         int64
	CategoryID int64
	AuthorID   int64
	Author     string
	Title      string
	Slug       string
	CreatedAt  time.Time
	LastPostAt time.Time
	PostCount  int
	Locked     bool
	Pinned     bool
	Hidden     bool
	Deleted    bool
	// InReview says the thread is hidden only because its opening post waits for a
	// moderator's approval: its author still sees it.
	InReview bool
}

// URL is the thread's canonical address.
func (t *Thread) URL() string { return fmt.Sprintf("/t/%d/%s", t.ID, t.Slug) }

// Post is one message in a thread.
type Post struct {
	ID        int64
	ThreadID  int64
	AuthorID  int64
	Author    string
	Number    int
	Source    string
	HTML      string
	CreatedAt time.Time
	EditedAt  time.Time
	Hidden    bool
	Deleted   bool
	Revisions int
	// AuthorAdmin says the author is an administrator, whose posts moderators may not edit.
	AuthorAdmin bool
	// Review is why the post waits for a moderator's approval (ReviewWatchedWord,
	// ReviewNewMember), or "" for a published post.
	Review string
}

// EditedAtOrCreated is when this version of the post was written.
func (p *Post) EditedAtOrCreated() time.Time {
	if !p.EditedAt.IsZero() {
		return p.EditedAt
	}
	return p.CreatedAt
}

// Revision is an earlier version of a post.
type Revision struct {
	Source    string
	HTML      string
	CreatedAt time.Time
}

// Store is the forum's SQL: every query of the forum is in this file or a store_*.go
// beside it. Reads take a context and use the read pool; writes take the transaction of
// the storage.DB.Write that the caller runs, so that one change and everything that goes
// with it (notifications, the audit entry) commit together.
type Store struct {
	db *storage.DB
}

// NewStore returns a Store on db.
func NewStore(db *storage.DB) *Store { return &Store{db: db} }

func unix(t sql.NullInt64) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return time.Unix(t.Int64, 0).UTC()
}

// Categories lists the categories in display order with their activity counts.
func (s *Store) Categories(ctx context.Context) ([]Category, error) {
	rows, err := s.db.Query(ctx, `select c.id, c.slug, c.name, c.description, c.position,
		(select count(*) from threads t where t.category_id = c.id and t.deleted_at is null and t.hidden_at is null),
		(select coalesce(sum(t.post_count), 0) from threads t where t.category_id = c.id and t.deleted_at is null and t.hidden_at is null)
		from categories c order by c.position, c.name`)
	if err != nil {
		return nil, fmt.Errorf("forum: list categories: %w", err)
	}
	defer rows.Close()
	var out []Category
	for rows.Next() {
		var c Category
		if err := rows.Scan(&c.ID, &c.Slug, &c.Name, &c.Description, &c.Position, &c.Threads, &c.Posts); err != nil {
			return nil, fmt.Errorf("forum: list categories: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// categoryNames lists every category's name and description, without the counts
// Categories adds.
func (s *Store) categoryNames(ctx context.Context) ([]Category, error) {
	rows, err := s.db.Query(ctx, "select id, slug, name, description from categories order by position, name")
	if err != nil {
		return nil, fmt.Errorf("forum: list categories: %w", err)
	}
	defer rows.Close()
	var out []Category
	for rows.Next() {
		var c Category
		if err := rows.Scan(&c.ID, &c.Slug, &c.Name, &c.Description); err != nil {
			return nil, fmt.Errorf("forum: list categories: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CategoryBySlug loads one category.
func (s *Store) CategoryBySlug(ctx context.Context, slug string) (*Category, error) {
	var c Category
	err := s.db.QueryRow(ctx,
		"select id, slug, name, description, position from categories where slug = ?", slug).
		Scan(&c.ID, &c.Slug, &c.Name, &c.Description, &c.Position)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, storage.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("forum: load category %q: %w", slug, err)
	}
	return &c, nil
}

// CategoryByID loads one category.
func (s *Store) CategoryByID(ctx context.Context, id int64) (*Category, error) {
	var c Category
	err := s.db.QueryRow(ctx,
		"select id, slug, name, description, position from categories where id = ?", id).
		Scan(&c.ID, &c.Slug, &c.Name, &c.Description, &c.Position)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, storage.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("forum: load category %d: %w", id, err)
	}
	return &c, nil
}

// NextCategoryPosition returns the position after every category's: where a new one goes
// unless the admin chooses another.
func (s *Store) NextCategoryPosition(ctx context.Context) (int, error) {
	var pos int
	if err := s.db.QueryRow(ctx, "select coalesce(max(position) + 1, 0) from categories").Scan(&pos); err != nil {
		return 0, fmt.Errorf("forum: next category position: %w", err)
	}
	return pos, nil
}

// errSlugTaken is returned when a category's address is already used.
var errSlugTaken = errors.New("forum: category slug taken")

// SaveCategory creates (id 0) or updates a category.
func (s *Store) SaveCategory(ctx context.Context, c *Category) error {
	return s.db.Write(ctx, func(tx *storage.Tx) error {
		var err error
		if c.ID == 0 {
			err = tx.QueryRow("insert into categories(slug, name, description, position, created_at) values (?, ?, ?, ?, ?) returning id",
				c.Slug, c.Name, c.Description, c.Position, time.Now().Unix()).Scan(&c.ID)
		} else {
			_, err = tx.Exec("update categories set slug = ?, name = ?, description = ?, position = ? where id = ?",
				c.Slug, c.Name, c.Description, c.Position, c.ID)
		}
		if storage.IsUniqueViolation(err) {
			return errSlugTaken
		}
		if err != nil {
			return fmt.Errorf("forum: save category %q: %w", c.Slug, err)
		}
		return nil
	})
}

const threadColumns = `t.id, t.category_id, t.author_id, u.username, t.title, t.slug, t.created_at, t.last_post_at,
	t.post_count, t.locked, t.pinned, t.hidden_at is not null, t.deleted_at is not null, t.in_review`

func scanThread(row interface{ Scan(...any) error }) (*Thread, error) {
	var t Thread
	var created, last int64
	err := row.Scan(&t.ID, &t.CategoryID, &t.AuthorID, &t.Author, &t.Title, &t.Slug, &created, &last,
		&t.PostCount, &t.Locked, &t.Pinned, &t.Hidden, &t.Deleted, &t.InReview)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, storage.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	t.CreatedAt = time.Unix(created, 0).UTC()
	t.LastPostAt = time.Unix(last, 0).UTC()
	return &t, nil
}

// ThreadByID loads a thread, deleted or not.
func (s *Store) ThreadByID(ctx context.Context, id int64) (*Thread, error) {
	t, err := scanThread(s.db.QueryRow(ctx,
		"select "+threadColumns+" from threads t join users u on u.id = t.author_id where t.id = ?", id))
	if err != nil {
		return nil, fmt.Errorf("forum: load thread %d: %w", id, err)
	}
	return t, nil
}

// ThreadFilter selects threads for a list.
type ThreadFilter struct {
	CategoryID int64 // 0: every category
	Limit      int
	Offset     int
}

// Threads lists visible threads, pinned first in a category, then by latest activity.
func (s *Store) Threads(ctx context.Context, f ThreadFilter) ([]*Thread, int, error) {
	where := "t.deleted_at is null and t.hidden_at is null"
	order := "t.last_post_at desc, t.id desc"
	args := []any{}
	if f.CategoryID != 0 {
		where += " and t.category_id = ?"
		order = "t.pinned desc, " + order
		args = append(args, f.CategoryID)
	}
	var total int
	if err := s.db.QueryRow(ctx, "select count(*) from threads t where "+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("forum: count threads: %w", err)
	}
	rows, err := s.db.Query(ctx, "select "+threadColumns+` from threads t join users u on u.id = t.author_id
		where `+where+" order by "+order+" limit ? offset ?", append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("forum: list threads: %w", err)
	}
	defer rows.Close()
	var out []*Thread
	for rows.Next() {
		t, err := scanThread(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("forum: list threads: %w", err)
		}
		out = append(out, t)
	}
	return out, total, rows.Err()
}

const postColumns = `p.id, p.thread_id, p.author_id, coalesce(u.username, 'former-member'), p.number, p.source, p.html,
	p.created_at, p.edited_at, p.hidden_at is not null, p.deleted_at is not null,
	(select count(*) from post_revisions r where r.post_id = p.id), case when u.role = 'admin' then 1 else 0 end, p.review`

func scanPost(row interface{ Scan(...any) error }) (*Post, error) {
	var p Post
	var created int64
	var edited sql.NullInt64
	err := row.Scan(&p.ID, &p.ThreadID, &p.AuthorID, &p.Author, &p.Number, &p.Source, &p.HTML,
		&created, &edited, &p.Hidden, &p.Deleted, &p.Revisions, &p.AuthorAdmin, &p.Review)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, storage.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	p.CreatedAt = time.Unix(created, 0).UTC()
	p.EditedAt = unix(edited)
	return &p, nil
}

// PostByID loads one post.
func (s *Store) PostByID(ctx context.Context, id int64) (*Post, error) {
	p, err := scanPost(s.db.QueryRow(ctx,
		"select "+postColumns+" from posts p left join users u on u.id = p.author_id and u.deleted_at is null where p.id = ?", id))
	if err != nil {
		return nil, fmt.Errorf("forum: load post %d: %w", id, err)
	}
	return p, nil
}

// pagePostColumns are what a thread page shows of a post: no Markdown source, and no
// count of earlier versions, which only staff see (RevisionCounts).
const pagePostColumns = `p.id, p.thread_id, p.author_id, coalesce(u.username, 'former-member'), p.number, p.html,
	p.created_at, p.edited_at, p.hidden_at is not null, p.deleted_at is not null, case when u.role = 'admin' then 1 else 0 end, p.review`

// Posts returns one page of a thread's posts in order, as the thread page shows them:
// Source is left empty and Revisions zero (see RevisionCounts).
func (s *Store) Posts(ctx context.Context, threadID int64, limit, offset int) ([]*Post, error) {
	rows, err := s.db.Query(ctx, "select "+pagePostColumns+` from posts p
		left join users u on u.id = p.author_id and u.deleted_at is null
		where p.thread_id = ? order by p.number limit ? offset ?`, threadID, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("forum: posts of thread %d: %w", threadID, err)
	}
	defer rows.Close()
	out := make([]*Post, 0, limit)
	for rows.Next() {
		var p Post
		var created int64
		var edited sql.NullInt64
		if err := rows.Scan(&p.ID, &p.ThreadID, &p.AuthorID, &p.Author, &p.Number, &p.HTML,
			&created, &edited, &p.Hidden, &p.Deleted, &p.AuthorAdmin, &p.Review); err != nil {
			return nil, fmt.Errorf("forum: posts of thread %d: %w", threadID, err)
		}
		p.CreatedAt = time.Unix(created, 0).UTC()
		p.EditedAt = unix(edited)
		out = append(out, &p)
	}
	return out, rows.Err()
}

// LastNumber is the number of a thread's last post, deleted or not. Post numbers in a
// thread run 1, 2, 3… without gaps: each post takes the next one in the write that adds
// it, and posts are never removed, only marked deleted (they keep their place in the
// order). So a post's number says where it is, and the last number how many there are.
func (s *Store) LastNumber(ctx context.Context, threadID int64) (int, error) {
	var n sql.NullInt64
	if err := s.db.QueryRow(ctx, "select max(number) from posts where thread_id = ?", threadID).Scan(&n); err != nil {
		return 0, fmt.Errorf("forum: last post of thread %d: %w", threadID, err)
	}
	return int(n.Int64), nil
}

// RevisionCounts fills in how many earlier versions each post of a page (the same
// threadID, limit and offset that Posts was given) has, in one grouped query.
func (s *Store) RevisionCounts(ctx context.Context, threadID int64, limit, offset int, posts []*Post) error {
	rows, err := s.db.Query(ctx, `select r.post_id, count(*) from post_revisions r
		where r.post_id in (select id from posts where thread_id = ? order by number limit ? offset ?)
		group by r.post_id`, threadID, limit, offset)
	if err != nil {
		return fmt.Errorf("forum: revision counts in thread %d: %w", threadID, err)
	}
	defer rows.Close()
	counts := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return fmt.Errorf("forum: revision counts in thread %d: %w", threadID, err)
		}
		counts[id] = n
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("forum: revision counts in thread %d: %w", threadID, err)
	}
	for _, p := range posts {
		p.Revisions = counts[p.ID]
	}
	return nil
}

// Revisions lists a post's earlier versions, newest first.
func (s *Store) Revisions(ctx context.Context, postID int64) ([]Revision, error) {
	rows, err := s.db.Query(ctx,
		"select source, html, created_at from post_revisions where post_id = ? order by id desc", postID)
	if err != nil {
		return nil, fmt.Errorf("forum: revisions of %d: %w", postID, err)
	}
	defer rows.Close()
	var out []Revision
	for rows.Next() {
		var r Revision
		var at int64
		if err := rows.Scan(&r.Source, &r.HTML, &at); err != nil {
			return nil, fmt.Errorf("forum: revisions of %d: %w", postID, err)
		}
		r.CreatedAt = time.Unix(at, 0).UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// UserPosts lists a member's visible posts, newest first, for their profile.
func (s *Store) UserPosts(ctx context.Context, userID int64, limit int) ([]*Post, []*Thread, error) {
	rows, err := s.db.Query(ctx, "select "+postColumns+`, t.title, t.slug from posts p
		join users u on u.id = p.author_id join threads t on t.id = p.thread_id
		where p.author_id = ? and p.deleted_at is null and p.hidden_at is null and t.deleted_at is null and t.hidden_at is null
		order by p.id desc limit ?`, userID, limit)
	if err != nil {
		return nil, nil, fmt.Errorf("forum: posts of user %d: %w", userID, err)
	}
	defer rows.Close()
	var posts []*Post
	var threads []*Thread
	for rows.Next() {
		var p Post
		var t Thread
		var created int64
		var edited sql.NullInt64
		if err := rows.Scan(&p.ID, &p.ThreadID, &p.AuthorID, &p.Author, &p.Number, &p.Source, &p.HTML,
			&created, &edited, &p.Hidden, &p.Deleted, &p.Revisions, &p.AuthorAdmin, &p.Review, &t.Title, &t.Slug); err != nil {
			return nil, nil, fmt.Errorf("forum: posts of user %d: %w", userID, err)
		}
		p.CreatedAt = time.Unix(created, 0).UTC()
		p.EditedAt = unix(edited)
		t.ID = p.ThreadID
		posts = append(posts, &p)
		threads = append(threads, &t)
	}
	return posts, threads, rows.Err()
}
