package forum

import (
	"context"
	"fmt"
	"strings"

	"stoa/storage"
)

// This file holds the SQL of what deleting an account changes in other members' posts
// (erase.go): posts and earlier versions that quote the member or mention them.

// eraseCandidate is another member's post, or an earlier version of one, that may quote
// or mention an account being deleted.
type eraseCandidate struct {
	id       int64
	revision bool // id is a post_revisions row, not a post
	source   string
}

// likeMention is the pattern a post's lowercased text matches when it may mention name.
func likeMention(name string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%@" + r.Replace(strings.ToLower(name)) + "%"
}

// candidateWhere selects others' posts (alias p) that mention the member's name, or, when
// quotes count, sit in a thread the member posted in: quote-reply quotes from the thread.
const candidateWhere = `p.author_id != ? and p.source != '' and (lower(p.source) like ? escape '\'
	or (? = 1 and p.thread_id in (select thread_id from posts where author_id = ?)))`

func candidateArgs(userID int64, name string, quotes bool) []any {
	return []any{userID, likeMention(name), quotes, userID}
}

// memberTexts returns the Markdown of every post, and every earlier version of one, that
// the member wrote: what quotes of them are compared with.
func (s *Store) memberTexts(ctx context.Context, userID int64) ([]string, error) {
	rows, err := s.db.Query(ctx, `select source from posts where author_id = ? and source != ''
		union all select r.source from post_revisions r join posts p on p.id = r.post_id where p.author_id = ?`, userID, userID)
	if err != nil {
		return nil, fmt.Errorf("forum: texts of %d: %w", userID, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, fmt.Errorf("forum: texts of %d: %w", userID, err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// lastPostID returns the newest post's id, 0 when there is none.
func (s *Store) lastPostID(ctx context.Context) (int64, error) {
	var id int64
	if err := s.db.QueryRow(ctx, "select coalesce(max(id), 0) from posts").Scan(&id); err != nil {
		return 0, fmt.Errorf("forum: last post: %w", err)
	}
	return id, nil
}

// eraseCandidates returns others' posts and earlier versions that may quote or mention
// the member (see candidateWhere).
func (s *Store) eraseCandidates(ctx context.Context, userID int64, name string, quotes bool) ([]eraseCandidate, error) {
	args := candidateArgs(userID, name, quotes)
	rows, err := s.db.Query(ctx, `select p.id, 0, p.source from posts p where `+candidateWhere+`
		union all select r.id, 1, r.source from post_revisions r join posts p on p.id = r.post_id where `+
		strings.ReplaceAll(candidateWhere, "p.source", "r.source"), append(args, args...)...)
	if err != nil {
		return nil, fmt.Errorf("forum: posts about %d: %w", userID, err)
	}
	defer rows.Close()
	var out []eraseCandidate
	for rows.Next() {
		var c eraseCandidate
		if err := rows.Scan(&c.id, &c.revision, &c.source); err != nil {
			return nil, fmt.Errorf("forum: posts about %d: %w", userID, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// newCandidates returns the ids of candidate posts written after post after, inside tx:
// those the deletion was not prepared for.
func (s *Store) newCandidates(tx *storage.Tx, after, userID int64, name string, quotes bool) ([]int64, error) {
	rows, err := tx.Query("select p.id from posts p where p.id > ? and "+candidateWhere,
		append([]any{after}, candidateArgs(userID, name, quotes)...)...)
	if err != nil {
		return nil, fmt.Errorf("forum: new posts about %d: %w", userID, err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("forum: new posts about %d: %w", userID, err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// rewritePost stores a post's rewritten text when its text is still old, and reports
// whether it was.
func (s *Store) rewritePost(tx *storage.Tx, id int64, old, source, html string) (bool, error) {
	res, err := tx.Exec("update posts set source = ?, html = ? where id = ? and source = ?", source, html, id, old)
	if err != nil {
		return false, fmt.Errorf("forum: rewrite post %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// rewriteRevision stores an earlier version's rewritten text, unless it changed or went.
func (s *Store) rewriteRevision(tx *storage.Tx, id int64, old, source, html string) error {
	if _, err := tx.Exec("update post_revisions set source = ?, html = ? where id = ? and source = ?", source, html, id, old); err != nil {
		return fmt.Errorf("forum: rewrite earlier version %d: %w", id, err)
	}
	return nil
}
