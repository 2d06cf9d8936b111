package forum

import (
	"context"
	"fmt"
	"strings"
)

// PostsByID loads the posts with these ids, deleted or hidden ones included, with their
// threads, in two queries; ids of no post are left out. The moderation queue reads its
// page of reported posts with it.
func (s *Store) PostsByID(ctx context.Context, ids []int64) ([]*Post, map[int64]*Thread, error) {
	if len(ids) == 0 {
		return nil, map[int64]*Thread{}, nil
	}
	in, args := inList(ids)
	rows, err := s.db.Query(ctx, "select "+postColumns+` from posts p
		left join users u on u.id = p.author_id and u.deleted_at is null where p.id in (`+in+")", args...)
	if err != nil {
		return nil, nil, fmt.Errorf("forum: load posts: %w", err)
	}
	defer rows.Close()
	var posts []*Post
	var threadIDs []int64
	seen := map[int64]bool{}
	for rows.Next() {
		p, err := scanPost(rows)
		if err != nil {
			return nil, nil, fmt.Errorf("forum: load posts: %w", err)
		}
		posts = append(posts, p)
		if !seen[p.ThreadID] {
			seen[p.ThreadID] = true
			threadIDs = append(threadIDs, p.ThreadID)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("forum: load posts: %w", err)
	}
	threads, err := s.threadsByID(ctx, threadIDs)
	if err != nil {
		return nil, nil, err
	}
	return posts, threads, nil
}

// threadsByID loads the threads with these ids, deleted ones included.
func (s *Store) threadsByID(ctx context.Context, ids []int64) (map[int64]*Thread, error) {
	out := map[int64]*Thread{}
	if len(ids) == 0 {
		return out, nil
	}
	in, args := inList(ids)
	rows, err := s.db.Query(ctx, "select "+threadColumns+" from threads t join users u on u.id = t.author_id where t.id in ("+in+")", args...)
	if err != nil {
		return nil, fmt.Errorf("forum: load threads: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		t, err := scanThread(rows)
		if err != nil {
			return nil, fmt.Errorf("forum: load threads: %w", err)
		}
		out[t.ID] = t
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("forum: load threads: %w", err)
	}
	return out, nil
}

// inList returns "?, ?, ?" for ids with the ids as arguments, for `in (…)`.
func inList(ids []int64) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", "), args
}
