package chat

import (
	"context"
	"fmt"
	"time"

	"stoa/storage"
)

// This file holds chat's full-text search. The index is chat_search, whose rowid is the
// message's id: an FTS5 table on SQLite, a table with a tsvector and a GIN index on
// PostgreSQL (storage.Dialect.TextSearch writes the engine's part of the query).

// SearchHit is a chat message that matches a search. Text is the message's plain text,
// as the index holds it: the search page quotes it around the first match.
type SearchHit struct {
	MessageID int64
	Room      string // the room's slug
	RoomName  string
	Author    string // "" once the author's account is gone
	Text      string
	CreatedAt time.Time
}

// URL is the address that shows the message in its room's history.
func (h SearchHit) URL() string { return (&Message{ID: h.MessageID, Room: h.Room}).URL() }

// search finds visible messages for q, written by author when author is not "". Only
// the newest candidates matching messages are ranked, best match first: the index walks
// the matches newest first and stops there. It returns one page and how many of the
// candidates matched. FTS5's snippet() is not used: it compares every match in a message
// with every other, which a message of one repeated word makes slow.
func (s *Store) search(ctx context.Context, q storage.TextQuery, author string, candidates, limit, offset int) ([]SearchHit, int, error) {
	index, where, score, args := s.db.Dialect().TextSearch("chat_search", q)
	where += " and m.deleted_at is null and m.hidden_at is null"
	if author != "" {
		where += " and u.username_key = lower(?)"
		args = append(args, author)
	}
	from := ` from ` + index + ` join chat_messages m on m.id = s.rowid join chat_rooms r on r.id = m.room_id
		left join users u on u.id = m.author_id and u.deleted_at is null where ` + where + ` order by s.rowid desc limit ?`
	args = append(args, candidates)
	var total int
	if err := s.db.QueryRow(ctx, "select count(*) from (select 1"+from+") as candidates", args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("chat: count search %q: %w", q.Typed, err)
	}
	rows, err := s.db.Query(ctx, `select id, slug, name, author, created_at from (
		select m.id, r.slug, r.name, coalesce(u.username, '') as author, m.created_at, `+score+` as score`+from+`) as candidates
		order by score, id desc limit ? offset ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("chat: search %q: %w", q.Typed, err)
	}
	defer rows.Close()
	var out []SearchHit
	for rows.Next() {
		var h SearchHit
		var at int64
		if err := rows.Scan(&h.MessageID, &h.Room, &h.RoomName, &h.Author, &at); err != nil {
			return nil, 0, fmt.Errorf("chat: search %q: %w", q.Typed, err)
		}
		h.CreatedAt = time.Unix(at, 0).UTC()
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("chat: search %q: %w", q.Typed, err)
	}
	rows.Close()
	// The text of the page's messages only: the ranking never carries it.
	for i := range out {
		if err := s.db.QueryRow(ctx, "select body from chat_search where rowid = ?", out[i].MessageID).Scan(&out[i].Text); err != nil {
			return nil, 0, fmt.Errorf("chat: search text of %d: %w", out[i].MessageID, err)
		}
	}
	return out, total, nil
}

// indexMessage adds a new message's search text to the index. It is a plain insert
// beside the message's, in the same transaction: a trigger would make FTS5 write its
// pending terms out for every message instead of once per commit.
func (s *Store) indexMessage(tx *storage.Tx, id int64, text string) error {
	if _, err := tx.Exec("insert into chat_search(rowid, body) values (?, ?)", id, text); err != nil {
		return fmt.Errorf("chat: index message %d: %w", id, err)
	}
	return nil
}

// reindexMessage replaces an edited message's search text.
func (s *Store) reindexMessage(tx *storage.Tx, id int64, text string) error {
	if _, err := tx.Exec("update chat_search set body = ? where rowid = ?", text, id); err != nil {
		return fmt.Errorf("chat: index message %d: %w", id, err)
	}
	return nil
}

// unindexAuthor removes every message of a member from the index, before their text is
// erased.
func (s *Store) unindexAuthor(tx *storage.Tx, userID int64) error {
	if _, err := tx.Exec("delete from chat_search where rowid in (select id from chat_messages where author_id = ?)", userID); err != nil {
		return fmt.Errorf("chat: unindex messages of %d: %w", userID, err)
	}
	return nil
}
