package forum

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"stoa/storage"
	"stoa/views"
)

// setReaction records that a member reacts to a post with kind (on), or takes the
// reaction back; either is harmless to repeat.
// It reports whether anything changed.
func (s *Store) setReaction(tx *storage.Tx, postID, userID int64, kind string, on bool, at time.Time) (bool, error) {
	var res sql.Result
	var err error
	if on {
		res, err = tx.Exec(`insert into post_reactions(post_id, user_id, kind, created_at) values (?, ?, ?, ?)
			on conflict do nothing`, postID, userID, kind, at.Unix())
	} else {
		res, err = tx.Exec("delete from post_reactions where post_id = ? and user_id = ? and kind = ?", postID, userID, kind)
	}
	if err != nil {
		return false, fmt.Errorf("forum: react %s to %d by %d: %w", kind, postID, userID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("forum: react %s to %d by %d: %w", kind, postID, userID, err)
	}
	return n > 0, nil
}

// reactsTo reports, inside tx, whether a member still has any reaction on a post.
func (s *Store) reactsTo(tx *storage.Tx, postID, userID int64) (bool, error) {
	var n int
	err := tx.QueryRow("select count(*) from post_reactions where post_id = ? and user_id = ?", postID, userID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("forum: reactions of %d on %d: %w", userID, postID, err)
	}
	return n > 0, nil
}

// reactionCounts returns, for each post, how many members reacted with each kind and
// whether the member userID is one of them (userID 0: anonymous).
func (s *Store) reactionCounts(ctx context.Context, userID int64, postIDs []int64) (map[int64]map[string]views.Reaction, error) {
	out := map[int64]map[string]views.Reaction{}
	if len(postIDs) == 0 {
		return out, nil
	}
	args := []any{userID}
	for _, id := range postIDs {
		args = append(args, id)
	}
	rows, err := s.db.Query(ctx, `select post_id, kind, count(*), max(case when user_id = ? then 1 else 0 end) from post_reactions
		where post_id in (?`+strings.Repeat(", ?", len(postIDs)-1)+") group by post_id, kind", args...)
	if err != nil {
		return nil, fmt.Errorf("forum: reactions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var post int64
		var r views.Reaction
		if err := rows.Scan(&post, &r.Kind, &r.Count, &r.Mine); err != nil {
			return nil, fmt.Errorf("forum: reactions: %w", err)
		}
		if out[post] == nil {
			out[post] = map[string]views.Reaction{}
		}
		out[post][r.Kind] = r
	}
	return out, rows.Err()
}

// reactors returns, for each of the posts, the members who reacted to it.
func (s *Store) reactors(ctx context.Context, postIDs []int64) (map[int64][]int64, error) {
	args := make([]any, 0, len(postIDs))
	for _, id := range postIDs {
		args = append(args, id)
	}
	rows, err := s.db.Query(ctx, `select distinct post_id, user_id from post_reactions
		where post_id in (?`+strings.Repeat(", ?", len(postIDs)-1)+")", args...)
	if err != nil {
		return nil, fmt.Errorf("forum: reactors: %w", err)
	}
	defer rows.Close()
	out := map[int64][]int64{}
	for rows.Next() {
		var post, user int64
		if err := rows.Scan(&post, &user); err != nil {
			return nil, fmt.Errorf("forum: reactors: %w", err)
		}
		out[post] = append(out[post], user)
	}
	return out, rows.Err()
}
