package chat

import (
	"context"
	"fmt"
	"strings"

	"stoa/storage"
)

// This file holds the SQL of what deleting an account changes in other members'
// messages (erase.go): those that mention the member, or quote them under "@name wrote:".

// mentionWhere selects others' messages (alias m) whose text holds "@name": they may
// mention or quote the member.
const mentionWhere = `(m.author_id is null or m.author_id != ?) and m.source != '' and lower(m.source) like ? escape '\'`

func mentionArgs(userID int64, name string) []any {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return []any{userID, "%@" + r.Replace(strings.ToLower(name)) + "%"}
}

// authorTexts returns the Markdown of every message the member wrote.
func (s *Store) authorTexts(ctx context.Context, userID int64) ([]string, error) {
	return s.sources(ctx, "select source from chat_messages where author_id = ? and source != ''", userID)
}

func (s *Store) sources(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := s.db.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("chat: texts: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, fmt.Errorf("chat: texts: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// lastMessageID returns the newest message's id, 0 when there is none.
func (s *Store) lastMessageID(ctx context.Context) (int64, error) {
	var id int64
	if err := s.db.QueryRow(ctx, "select coalesce(max(id), 0) from chat_messages").Scan(&id); err != nil {
		return 0, fmt.Errorf("chat: last message: %w", err)
	}
	return id, nil
}

// mentioning returns others' messages that may mention or quote the member: id and text.
func (s *Store) mentioning(ctx context.Context, userID int64, name string) (map[int64]string, error) {
	rows, err := s.db.Query(ctx, "select m.id, m.source from chat_messages m where "+mentionWhere, mentionArgs(userID, name)...)
	if err != nil {
		return nil, fmt.Errorf("chat: messages about %d: %w", userID, err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var src string
		if err := rows.Scan(&id, &src); err != nil {
			return nil, fmt.Errorf("chat: messages about %d: %w", userID, err)
		}
		out[id] = src
	}
	return out, rows.Err()
}

// newMentioning returns, inside tx, the ids of messages after message after that may
// mention or quote the member.
func (s *Store) newMentioning(tx *storage.Tx, after, userID int64, name string) ([]int64, error) {
	rows, err := tx.Query("select m.id from chat_messages m where m.id > ? and "+mentionWhere, append([]any{after}, mentionArgs(userID, name)...)...)
	if err != nil {
		return nil, fmt.Errorf("chat: new messages about %d: %w", userID, err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("chat: new messages about %d: %w", userID, err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// rewriteMessage stores a message's rewritten text and search text when its text is
// still old, and reports whether it was.
func (s *Store) rewriteMessage(tx *storage.Tx, id int64, old, source, html, text string) (bool, error) {
	res, err := tx.Exec("update chat_messages set source = ?, html = ? where id = ? and source = ?", source, html, id, old)
	if err != nil {
		return false, fmt.Errorf("chat: rewrite message %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return false, err
	}
	return true, s.reindexMessage(tx, id, text)
}
