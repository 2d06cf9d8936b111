package forum

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"stoa/storage"
)

// errDuplicateSubmit is returned when a post's submit token was used by its author
// already: the form was sent twice, and the first submit won.
var errDuplicateSubmit = errors.New("forum: submit token already used")

// PostIDByToken finds the post a member already submitted with token.
func (s *Store) PostIDByToken(ctx context.Context, userID int64, token string) (postID, threadID int64, err error) {
	err = s.db.QueryRow(ctx, "select id, thread_id from posts where author_id = ? and submit_token = ?", userID, token).Scan(&postID, &threadID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, storage.ErrNotFound
	}
	if err != nil {
		return 0, 0, fmt.Errorf("forum: post of %d by token: %w", userID, err)
	}
	return postID, threadID, nil
}

// insertThread inserts t, setting its ID; its first post is inserted with insertPost.
func (s *Store) insertThread(tx *storage.Tx, t *Thread) error {
	err := tx.QueryRow(`insert into threads(category_id, author_id, title, slug, created_at, last_post_at, post_count)
		values (?, ?, ?, ?, ?, ?, 1) returning id`, t.CategoryID, t.AuthorID, t.Title, t.Slug, t.CreatedAt.Unix(), t.LastPostAt.Unix()).
		Scan(&t.ID)
	if err != nil {
		return fmt.Errorf("forum: insert thread: %w", err)
	}
	return nil
}

// countReply counts a new reply in thread id, as of at, when the thread takes replies
// from this member: it exists and is not deleted, and unless staff is set it is neither
// hidden nor closed. The check and the count are one statement in the reply's own
// write, so a thread closed a moment earlier refuses the reply: countReply then returns
// ErrLocked, or storage.ErrNotFound for a thread deleted or hidden. hidden reports
// whether the thread is hidden, which only staff may reply to.
func (s *Store) countReply(tx *storage.Tx, id int64, at time.Time, staff bool) (hidden bool, err error) {
	// Not "update … returning": on SQLite that costs an ephemeral table per reply, several
	// times the update itself.
	res, err := tx.Exec(`update threads set post_count = post_count + 1, last_post_at = ?
		where id = ? and deleted_at is null and (? = 1 or (hidden_at is null and locked = 0))`, at.Unix(), id, staff)
	if err != nil {
		return false, fmt.Errorf("forum: count reply in thread %d: %w", id, err)
	}
	counted, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("forum: count reply in thread %d: %w", id, err)
	}
	if counted == 1 && !staff {
		return false, nil
	}
	var deleted bool
	err = tx.QueryRow("select deleted_at is not null, hidden_at is not null from threads where id = ?", id).Scan(&deleted, &hidden)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, storage.ErrNotFound
	case err != nil:
		return false, fmt.Errorf("forum: state of thread %d: %w", id, err)
	case counted == 1:
		return hidden, nil
	case deleted || hidden:
		return false, storage.ErrNotFound
	}
	return false, ErrLocked // the only other reason not to count it
}

// insertPost inserts p with the next number in its thread, setting its ID and Number.
// The number is taken inside the write so that concurrent replies never collide. A
// token already used by the author gives errDuplicateSubmit.
func (s *Store) insertPost(tx *storage.Tx, p *Post, token string) error {
	var tok any
	if token != "" {
		tok = token
	}
	_, err := tx.Exec(`insert into posts(thread_id, author_id, number, source, html, created_at, submit_token)
		values (?, ?, (select coalesce(max(number), 0) + 1 from posts where thread_id = ?), ?, ?, ?, ?)`,
		p.ThreadID, p.AuthorID, p.ThreadID, p.Source, p.HTML, p.CreatedAt.Unix(), tok)
	if token != "" && storage.IsUniqueViolation(err) {
		return errDuplicateSubmit
	}
	if err != nil {
		return fmt.Errorf("forum: insert post in thread %d: %w", p.ThreadID, err)
	}
	// Read back rather than "insert … returning", which costs SQLite an ephemeral table,
	// twice the insert itself on the busiest write there is. Nothing else adds to the
	// thread inside this write (the reply has counted itself on the thread's row), so
	// its last post is this one.
	if err := tx.QueryRow("select id, number from posts where thread_id = ? order by number desc limit 1", p.ThreadID).Scan(&p.ID, &p.Number); err != nil {
		return fmt.Errorf("forum: read back post in thread %d: %w", p.ThreadID, err)
	}
	return nil
}

// editPost keeps the post's current version (old) as a revision, keeping at most
// MaxRevisions, and stores p's text; the caller reindexes it (reindexPost).
func (s *Store) editPost(tx *storage.Tx, old, p *Post) error {
	if _, err := tx.Exec("insert into post_revisions(post_id, source, html, created_at) values (?, ?, ?, ?)",
		p.ID, old.Source, old.HTML, old.EditedAtOrCreated().Unix()); err != nil {
		return fmt.Errorf("forum: keep revision of %d: %w", p.ID, err)
	}
	// Beyond MaxRevisions, the oldest but the first go.
	if _, err := tx.Exec(`delete from post_revisions where post_id = ?
		and id <> (select min(id) from post_revisions where post_id = ?)
		and id not in (select id from post_revisions where post_id = ? order by id desc limit ?)`,
		p.ID, p.ID, p.ID, MaxRevisions-1); err != nil {
		return fmt.Errorf("forum: drop old revisions of %d: %w", p.ID, err)
	}
	if _, err := tx.Exec("update posts set source = ?, html = ?, edited_at = ? where id = ?", p.Source, p.HTML, p.EditedAt.Unix(), p.ID); err != nil {
		return fmt.Errorf("forum: edit post %d: %w", p.ID, err)
	}
	return nil
}

// deletePost marks p deleted as of at. Deleting a thread's first post deletes the
// thread; any other post leaves the thread's count of posts. Rows are kept, so that the
// other posts keep their numbers and moderation history stays intact.
func (s *Store) deletePost(tx *storage.Tx, p *Post, at time.Time) error {
	if _, err := tx.Exec("update posts set deleted_at = ? where id = ?", at.Unix(), p.ID); err != nil {
		return fmt.Errorf("forum: delete post %d: %w", p.ID, err)
	}
	var err error
	if p.Number == 1 {
		_, err = tx.Exec("update threads set deleted_at = ? where id = ?", at.Unix(), p.ThreadID)
	} else {
		_, err = tx.Exec("update threads set post_count = post_count - 1 where id = ?", p.ThreadID)
	}
	if err != nil {
		return fmt.Errorf("forum: update thread %d after delete: %w", p.ThreadID, err)
	}
	return nil
}

// postInTx loads a post and its thread inside tx, for changes moderation makes in its
// own transaction.
func (s *Store) postInTx(tx *storage.Tx, postID int64) (*Post, *Thread, error) {
	p, err := scanPost(tx.QueryRow("select "+postColumns+
		" from posts p left join users u on u.id = p.author_id and u.deleted_at is null where p.id = ?", postID))
	if err != nil {
		return nil, nil, fmt.Errorf("forum: load post %d: %w", postID, err)
	}
	t, err := scanThread(tx.QueryRow("select "+threadColumns+" from threads t join users u on u.id = t.author_id where t.id = ?", p.ThreadID))
	if err != nil {
		return nil, nil, fmt.Errorf("forum: load thread %d: %w", p.ThreadID, err)
	}
	return p, t, nil
}

// setPostHidden hides p as of at (the zero time shows it again); hiding a thread's first
// post hides the thread.
func (s *Store) setPostHidden(tx *storage.Tx, p *Post, at time.Time) error {
	var when any
	if !at.IsZero() {
		when = at.Unix()
	}
	if _, err := tx.Exec("update posts set hidden_at = ? where id = ?", when, p.ID); err != nil {
		return fmt.Errorf("forum: hide post %d: %w", p.ID, err)
	}
	if p.Number == 1 {
		if _, err := tx.Exec("update threads set hidden_at = ? where id = ?", when, p.ThreadID); err != nil {
			return fmt.Errorf("forum: hide thread %d: %w", p.ThreadID, err)
		}
	}
	return nil
}

// setThreadLocked closes a thread to replies or reopens it.
func (s *Store) setThreadLocked(tx *storage.Tx, threadID int64, locked bool) error {
	if _, err := tx.Exec("update threads set locked = ? where id = ?", locked, threadID); err != nil {
		return fmt.Errorf("forum: lock thread %d: %w", threadID, err)
	}
	return nil
}

// setThreadPinned pins a thread to the top of its category or unpins it.
func (s *Store) setThreadPinned(tx *storage.Tx, threadID int64, pinned bool) error {
	if _, err := tx.Exec("update threads set pinned = ? where id = ?", pinned, threadID); err != nil {
		return fmt.Errorf("forum: pin thread %d: %w", threadID, err)
	}
	return nil
}

// moveThread moves a thread to another category.
func (s *Store) moveThread(tx *storage.Tx, threadID, categoryID int64) error {
	if _, err := tx.Exec("update threads set category_id = ? where id = ?", categoryID, threadID); err != nil {
		return fmt.Errorf("forum: move thread %d: %w", threadID, err)
	}
	return nil
}

// purgeDeleted empties posts deleted before cutoff, and their earlier versions, keeping
// each row so that the thread's numbering holds; titles of threads deleted before cutoff
// go too.
func (s *Store) purgeDeleted(tx *storage.Tx, cutoff time.Time) error {
	for _, q := range []string{
		`delete from post_revisions where post_id in (select id from posts where deleted_at < ?)`,
		`delete from post_search_queue where post_id in (select id from posts where deleted_at < ?)`,
		`update posts set source = '', html = '', submit_token = null where deleted_at < ? and (source != '' or html != '')`,
		`update threads set title = '(deleted thread)', slug = 'thread' where deleted_at < ? and title != '(deleted thread)'`,
	} {
		if _, err := tx.Exec(q, cutoff.Unix()); err != nil {
			return fmt.Errorf("forum: purge deleted content: %w", err)
		}
	}
	return nil
}

// publishedPostCount counts the member's posts that did not wait for review or were
// approved, deleted ones included, up to upTo: the new-member review counts what they got
// through.
func (s *Store) publishedPostCount(ctx context.Context, userID int64, upTo int) (int, error) {
	var n int
	// Counting stops at upTo: a member with years of posts is past any review threshold,
	// and every one of their posts would otherwise count them all.
	if err := s.db.QueryRow(ctx, "select count(*) from (select 1 from posts where author_id = ? and review = '' limit ?) first", userID, upTo).Scan(&n); err != nil {
		return 0, fmt.Errorf("forum: count posts of %d: %w", userID, err)
	}
	return n, nil
}

// recentSources returns the member's posts' sources written since, newest first.
func (s *Store) recentSources(ctx context.Context, userID int64, since time.Time) ([]string, error) {
	rows, err := s.db.Query(ctx, `select source from posts where author_id = ? and created_at >= ? and deleted_at is null
		order by created_at desc limit 100`, userID, since.Unix())
	if err != nil {
		return nil, fmt.Errorf("forum: recent posts of %d: %w", userID, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var src string
		if err := rows.Scan(&src); err != nil {
			return nil, fmt.Errorf("forum: recent posts of %d: %w", userID, err)
		}
		out = append(out, src)
	}
	return out, rows.Err()
}

// setReview hides p, and its thread when p opens it, as waiting for review.
func (s *Store) setReview(tx *storage.Tx, p *Post, review, note string, at time.Time) error {
	if _, err := tx.Exec("update posts set review = ?, review_note = ?, hidden_at = ? where id = ?", review, note, at.Unix(), p.ID); err != nil {
		return fmt.Errorf("forum: hold post %d: %w", p.ID, err)
	}
	if p.Number == 1 {
		if _, err := tx.Exec("update threads set hidden_at = ?, in_review = 1 where id = ?", at.Unix(), p.ThreadID); err != nil {
			return fmt.Errorf("forum: hold thread %d: %w", p.ThreadID, err)
		}
	}
	return nil
}

// clearReview publishes p, and its thread when p opens it.
func (s *Store) clearReview(tx *storage.Tx, p *Post) error {
	if _, err := tx.Exec("update posts set review = '', review_note = '', hidden_at = null where id = ?", p.ID); err != nil {
		return fmt.Errorf("forum: approve post %d: %w", p.ID, err)
	}
	if p.Number == 1 {
		if _, err := tx.Exec("update threads set hidden_at = null, in_review = 0 where id = ?", p.ThreadID); err != nil {
			return fmt.Errorf("forum: approve thread %d: %w", p.ThreadID, err)
		}
	}
	return nil
}

// postsInReview lists the posts waiting for review, oldest first, with their threads.
func (s *Store) postsInReview(ctx context.Context, limit int) ([]WaitingPost, error) {
	rows, err := s.db.Query(ctx, `select p.id, p.review_note from posts p
		where p.review <> '' and p.deleted_at is null order by p.id limit ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("forum: posts in review: %w", err)
	}
	var ids []int64
	notes := map[int64]string{}
	for rows.Next() {
		var id int64
		var note string
		if err := rows.Scan(&id, &note); err != nil {
			rows.Close()
			return nil, fmt.Errorf("forum: posts in review: %w", err)
		}
		ids = append(ids, id)
		notes[id] = note
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("forum: posts in review: %w", err)
	}
	posts, threads, err := s.PostsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := map[int64]*Post{}
	for _, p := range posts {
		byID[p.ID] = p
	}
	out := make([]WaitingPost, 0, len(ids))
	for _, id := range ids {
		if p := byID[id]; p != nil {
			out = append(out, WaitingPost{Post: p, Thread: threads[p.ThreadID], Note: notes[id]})
		}
	}
	return out, nil
}
