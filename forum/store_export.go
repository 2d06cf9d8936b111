package forum

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"stoa/storage"
)

// memberThreads lists the threads a member started, for their data export.
func (s *Store) memberThreads(ctx context.Context, userID int64) ([]exportedThread, error) {
	rows, err := s.db.Query(ctx, `select t.id, t.slug, t.title, c.name, t.created_at, t.post_count, t.deleted_at is not null
		from threads t join categories c on c.id = t.category_id where t.author_id = ? order by t.id`, userID)
	if err != nil {
		return nil, fmt.Errorf("forum: export threads of %d: %w", userID, err)
	}
	defer rows.Close()
	threads := []exportedThread{}
	for rows.Next() {
		var t exportedThread
		var slug string
		var at int64
		if err := rows.Scan(&t.ID, &slug, &t.Title, &t.Category, &at, &t.Replies, &t.Deleted); err != nil {
			return nil, fmt.Errorf("forum: export threads of %d: %w", userID, err)
		}
		t.URL, t.CreatedAt, t.Replies = fmt.Sprintf("/t/%d/%s", t.ID, slug), time.Unix(at, 0).UTC(), max(0, t.Replies-1)
		threads = append(threads, t)
	}
	return threads, rows.Err()
}

// memberPosts lists every post a member wrote, for their data export, without earlier
// versions (Revisions adds them).
func (s *Store) memberPosts(ctx context.Context, userID int64) ([]exportedPost, error) {
	rows, err := s.db.Query(ctx, `select p.id, t.title, p.number, p.source, p.created_at, p.edited_at,
		p.hidden_at is not null, p.deleted_at is not null
		from posts p join threads t on t.id = p.thread_id where p.author_id = ? order by p.id`, userID)
	if err != nil {
		return nil, fmt.Errorf("forum: export posts of %d: %w", userID, err)
	}
	defer rows.Close()
	posts := []exportedPost{}
	for rows.Next() {
		var p exportedPost
		var at int64
		var edited sql.NullInt64
		if err := rows.Scan(&p.ID, &p.Thread, &p.Number, &p.Markdown, &at, &edited, &p.Hidden, &p.Deleted); err != nil {
			return nil, fmt.Errorf("forum: export posts of %d: %w", userID, err)
		}
		p.URL, p.CreatedAt = fmt.Sprintf("/p/%d", p.ID), time.Unix(at, 0).UTC()
		if edited.Valid {
			t := time.Unix(edited.Int64, 0).UTC()
			p.EditedAt = &t
		}
		posts = append(posts, p)
	}
	return posts, rows.Err()
}

// memberReactions lists a member's reactions, oldest first; baseURL makes the posts'
// addresses absolute.
func (s *Store) memberReactions(ctx context.Context, userID int64, baseURL string) ([]exportedReaction, error) {
	rows, err := s.db.Query(ctx, "select post_id, kind, created_at from post_reactions where user_id = ? order by created_at", userID)
	if err != nil {
		return nil, fmt.Errorf("forum: export reactions of %d: %w", userID, err)
	}
	defer rows.Close()
	out := []exportedReaction{}
	for rows.Next() {
		var post, at int64
		var kind string
		if err := rows.Scan(&post, &kind, &at); err != nil {
			return nil, fmt.Errorf("forum: export reactions of %d: %w", userID, err)
		}
		out = append(out, exportedReaction{Post: fmt.Sprintf("%s/p/%d", baseURL, post), Reaction: kind, CreatedAt: time.Unix(at, 0).UTC()})
	}
	return out, rows.Err()
}

// memberWatches lists the threads a member watches or stopped watching, as the thread
// pages say (Watches.Watching): their choices, and the threads they started and never
// chose about, which they watch as their author.
func (s *Store) memberWatches(ctx context.Context, userID int64, baseURL string) ([]exportedWatch, error) {
	rows, err := s.db.Query(ctx, `select thread_id, watching from thread_watches where user_id = ?
		union all select t.id, 1 from threads t where t.author_id = ? and t.deleted_at is null
			and not exists (select 1 from thread_watches w where w.user_id = ? and w.thread_id = t.id)
		order by 1`, userID, userID, userID)
	if err != nil {
		return nil, fmt.Errorf("forum: export watches of %d: %w", userID, err)
	}
	defer rows.Close()
	out := []exportedWatch{}
	for rows.Next() {
		var thread int64
		var w exportedWatch
		if err := rows.Scan(&thread, &w.Watching); err != nil {
			return nil, fmt.Errorf("forum: export watches of %d: %w", userID, err)
		}
		w.Thread = fmt.Sprintf("%s/t/%d", baseURL, thread)
		out = append(out, w)
	}
	return out, rows.Err()
}

// eraseMemberPosts empties every post of the member as of at: text and earlier versions
// go, and each row stays as "deleted" so that other posts keep their numbers. A thread
// they started is deleted when nobody else replied, and otherwise loses its title and
// opening text but keeps the others' replies.
func (s *Store) eraseMemberPosts(tx *storage.Tx, userID int64, at time.Time) error {
	now := at.Unix()
	steps := []struct {
		query string
		args  []any
	}{
		{`delete from post_revisions where post_id in (select id from posts where author_id = ?)`, []any{userID}},
		// Queued posts are not indexed yet: they never will be.
		{`delete from post_search_queue where post_id in (select id from posts where author_id = ?)`, []any{userID}},
		{`update threads set deleted_at = coalesce(deleted_at, ?) where author_id = ?
			and not exists (select 1 from posts p where p.thread_id = threads.id and p.author_id != ? and p.deleted_at is null)`,
			[]any{now, userID, userID}},
		{`update threads set title = '(title removed)', slug = 'thread' where author_id = ?`, []any{userID}},
		{`update posts set source = '', html = '', edited_at = null, submit_token = null, deleted_at = coalesce(deleted_at, ?)
			where author_id = ?`, []any{now, userID}},
		// A thread's count includes its opening post, which the thread's listing leaves
		// out as the one that is not a reply: it stays counted while the thread stands,
		// erased or not, so "replies" counts exactly the replies still shown.
		{`update threads set post_count = (select count(*) from posts p where p.thread_id = threads.id
			and (p.deleted_at is null or p.number = 1))
			where id in (select thread_id from posts where author_id = ?)`, []any{userID}},
	}
	for _, st := range steps {
		if _, err := tx.Exec(st.query, st.args...); err != nil {
			return fmt.Errorf("forum: erase posts of %d: %w", userID, err)
		}
	}
	return nil
}

// eraseMemberChoices removes a member's reactions, watches and reading positions.
func (s *Store) eraseMemberChoices(tx *storage.Tx, userID int64) error {
	for _, q := range []string{
		"delete from post_reactions where user_id = ?",
		"delete from thread_watches where user_id = ?",
		"delete from thread_reads where user_id = ?",
		"delete from forum_read_marks where user_id = ?",
	} {
		if _, err := tx.Exec(q, userID); err != nil {
			return fmt.Errorf("forum: erase choices of %d: %w", userID, err)
		}
	}
	return nil
}
