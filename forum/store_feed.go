package forum

import (
	"context"
	"fmt"
	"time"
)

// feedRow is one post as a feed shows it.
type feedRow struct {
	threadID     int64
	threadSlug   string
	threadTitle  string
	postID       int64
	number       int
	author       string
	category     string
	categorySlug string
	html         string
	created      time.Time
	updated      time.Time
}

const feedColumns = `t.id, t.slug, t.title, p.id, p.number, coalesce(u.username, ''), c.name, c.slug, p.html,
	p.created_at, coalesce(p.edited_at, p.created_at)`

const feedFrom = ` from posts p join threads t on t.id = p.thread_id join categories c on c.id = t.category_id
	left join users u on u.id = p.author_id and u.deleted_at is null
	where p.deleted_at is null and p.hidden_at is null and t.deleted_at is null and t.hidden_at is null`

// latestThreadRows returns the opening posts of the newest visible threads, in the
// category with id category when it is not 0.
func (s *Store) latestThreadRows(ctx context.Context, category int64, limit int) ([]feedRow, error) {
	if category == 0 {
		return s.feedRows(ctx, " and p.number = 1 order by t.created_at desc, t.id desc limit ?", limit)
	}
	return s.feedRows(ctx, " and p.number = 1 and t.category_id = ? order by t.created_at desc, t.id desc limit ?", category, limit)
}

// latestPostRows returns a thread's newest visible posts, newest first.
func (s *Store) latestPostRows(ctx context.Context, threadID int64, limit int) ([]feedRow, error) {
	return s.feedRows(ctx, " and t.id = ? order by p.number desc limit ?", threadID, limit)
}

func (s *Store) feedRows(ctx context.Context, query string, args ...any) ([]feedRow, error) {
	rows, err := s.db.Query(ctx, "select "+feedColumns+feedFrom+query, args...)
	if err != nil {
		return nil, fmt.Errorf("forum: feed: %w", err)
	}
	defer rows.Close()
	var out []feedRow
	for rows.Next() {
		var r feedRow
		var created, updated int64
		if err := rows.Scan(&r.threadID, &r.threadSlug, &r.threadTitle, &r.postID, &r.number, &r.author,
			&r.category, &r.categorySlug, &r.html, &created, &updated); err != nil {
			return nil, fmt.Errorf("forum: feed: %w", err)
		}
		r.created, r.updated = time.Unix(created, 0).UTC(), time.Unix(updated, 0).UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}
