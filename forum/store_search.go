package forum

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"stoa/storage"
)

// The search index is SQLite's FTS5 (migrations 0050, 0053, 0065) or, on PostgreSQL, a
// table with a stored tsvector and a GIN index under the same name and columns: the
// functions in this file are where the engines differ (the match, the rank, and taking
// queued posts while other writers run). Posts reach the index through post_search_queue;
// the triggers of migration 0050 keep indexed posts' text and titles current when they
// are emptied (erasure, purges).

// queueForIndex queues a new post for the search index (see migration 0065): text is
// the plain text of its HTML, title its thread's title when the post opens the thread
// and "" otherwise.
func (s *Store) queueForIndex(tx *storage.Tx, postID int64, title, text string) error {
	if _, err := tx.Exec("insert into post_search_queue(post_id, title, body) values (?, ?, ?)", postID, title, text); err != nil {
		return fmt.Errorf("forum: queue post %d for search: %w", postID, err)
	}
	return nil
}

// indexQueued moves up to limit queued posts, oldest first, into the search index, all
// in one statement: FTS5 then writes them out as one segment. It returns how many it
// moved.
func (s *Store) indexQueued(tx *storage.Tx, limit int) (int, error) {
	if tx.Dialect() == storage.Postgres {
		// Writes run side by side here, on this node (a search catching up beside the
		// indexer) and others: each takes the queued rows it moves, and one that finds
		// them taken waits for that write, then finds them gone, so that a search still
		// starts only once what it waited for is searchable.
		res, err := tx.Exec(`with moved as (delete from post_search_queue where post_id in
				(select post_id from post_search_queue order by post_id limit ? for update)
				returning post_id, title, body)
			insert into post_search(rowid, title, body) select post_id, title, body from moved`, limit)
		if err != nil {
			return 0, fmt.Errorf("forum: index queued posts: %w", err)
		}
		n, err := res.RowsAffected()
		return int(n), err
	}
	if _, err := tx.Exec(`insert into post_search(rowid, title, body)
		select post_id, title, body from post_search_queue order by post_id limit ?`, limit); err != nil {
		return 0, fmt.Errorf("forum: index queued posts: %w", err)
	}
	res, err := tx.Exec(`delete from post_search_queue where post_id in
		(select post_id from post_search_queue order by post_id limit ?)`, limit)
	if err != nil {
		return 0, fmt.Errorf("forum: index queued posts: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// indexBehind reports whether posts wait in the queue for the search index.
func (s *Store) indexBehind(ctx context.Context) (bool, error) {
	var behind bool
	if err := s.db.QueryRow(ctx, "select exists(select 1 from post_search_queue)").Scan(&behind); err != nil {
		return false, fmt.Errorf("forum: search queue: %w", err)
	}
	return behind, nil
}

// reindexPost replaces the indexed text of an edited post, whether it is indexed
// already or still queued.
func (s *Store) reindexPost(tx *storage.Tx, postID int64, text string) error {
	if _, err := tx.Exec("update post_search_queue set body = ? where post_id = ?", text, postID); err != nil {
		return fmt.Errorf("forum: index post %d: %w", postID, err)
	}
	if _, err := tx.Exec("update post_search set body = ? where rowid = ?", text, postID); err != nil {
		return fmt.Errorf("forum: index post %d: %w", postID, err)
	}
	return nil
}

// searchHits finds the visible posts that match, an FTS5 query made by ParseSearch, in
// the category with slug category and by the member called author when those are not
// "". Only the newest candidates matching posts are ranked, best match first (a match in
// a thread's title weighs ten times one in a post's text): FTS5 walks the matches newest
// first and stops there, so a word in every post costs no more than a rare one. It returns
// one page of hits, without their text (searchTexts reads it), and how many of the
// candidates matched: a count equal to candidates means there may be more.
func (s *Store) searchHits(ctx context.Context, match, category, author string, candidates, limit, offset int) ([]SearchHit, int, error) {
	source, matches, score, args := s.db.Dialect().TextSearch("post_search", storage.TextQuery{FTS5: match}, 10.0, 1.0)
	where := matches + ` and p.deleted_at is null and p.hidden_at is null
		and t.deleted_at is null and t.hidden_at is null`
	if category != "" {
		where += " and c.slug = ?"
		args = append(args, category)
	}
	if author != "" {
		where += " and u.username_key = lower(?)"
		args = append(args, author)
	}
	from := ` from ` + source + ` join posts p on p.id = s.rowid join threads t on t.id = p.thread_id
		join categories c on c.id = t.category_id left join users u on u.id = p.author_id and u.deleted_at is null
		where ` + where + ` order by s.rowid desc limit ?`
	args = append(args, candidates)
	var total int
	if err := s.db.QueryRow(ctx, "select count(*) from (select 1"+from+") as candidates", args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("forum: count search %q: %w", match, err)
	}
	rows, err := s.db.Query(ctx, `select id, thread_id, number, slug, title, author, category, category_slug, created_at from (
		select p.id, t.id as thread_id, p.number, t.slug, t.title, coalesce(u.username, 'former-member') as author,
			c.name as category, c.slug as category_slug, p.created_at, `+score+` as score`+from+`) as ranked
		order by score, id desc limit ? offset ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("forum: search %q: %w", match, err)
	}
	defer rows.Close()
	var hits []SearchHit
	for rows.Next() {
		var h SearchHit
		var at int64
		if err := rows.Scan(&h.PostID, &h.ThreadID, &h.Number, &h.ThreadSlug, &h.Title,
			&h.Author, &h.Category, &h.CategorySlug, &at); err != nil {
			return nil, 0, fmt.Errorf("forum: search %q: %w", match, err)
		}
		h.CreatedAt = time.Unix(at, 0).UTC()
		hits = append(hits, h)
	}
	return hits, total, rows.Err()
}

// searchText returns the text the search index holds for a post: the plain text of its
// HTML, which search results quote.
func (s *Store) searchText(ctx context.Context, postID int64) (string, error) {
	var text string
	err := s.db.QueryRow(ctx, "select body from post_search where rowid = ?", postID).Scan(&text)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("forum: search text of %d: %w", postID, err)
	}
	return text, nil
}
