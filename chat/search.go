package chat

import (
	"context"
	"fmt"
	"strings"
	"time"

	"stoa/markup"
	"stoa/storage"
)

// SearchHit is a chat message that matches a search. Snippet is the message's text with
// each match between the characters \x02 and \x03 (FTS5's snippet() with char(2) and
// char(3)): the search page escapes the text and then turns the marks into <mark>.
type SearchHit struct {
	MessageID int64
	Room      string // the room's slug
	RoomName  string
	Author    string // "" once the author's account is gone
	Snippet   string
	CreatedAt time.Time
}

// URL is the address that shows the message in its room's history.
func (h SearchHit) URL() string { return (&Message{ID: h.MessageID, Room: h.Room}).URL() }

// Search finds visible messages for match, an FTS5 query (the forum's ParseSearch makes
// one that is never a syntax error), written by author when author is not "", best match
// first. Every room is public, archived ones included; hidden and deleted messages never
// match. It returns one page and the number of matches.
func (s *Store) Search(ctx context.Context, match, author string, limit, offset int) ([]SearchHit, int, error) {
	where := "chat_search match ? and m.deleted_at is null and m.hidden_at is null"
	args := []any{match}
	if author != "" {
		where += " and u.username_key = lower(?)"
		args = append(args, author)
	}
	from := ` from chat_search s join chat_messages m on m.id = s.rowid join chat_rooms r on r.id = m.room_id
		left join users u on u.id = m.author_id and u.deleted_at is null where ` + where
	var total int
	if err := s.db.QueryRow(ctx, "select count(*)"+from, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("chat: count search %q: %w", match, err)
	}
	rows, err := s.db.Query(ctx, `select m.id, r.slug, r.name, coalesce(u.username, ''),
		snippet(chat_search, 0, char(2), char(3), '…', 24), m.created_at`+from+`
		order by bm25(chat_search), m.id desc limit ? offset ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("chat: search %q: %w", match, err)
	}
	defer rows.Close()
	var out []SearchHit
	for rows.Next() {
		var h SearchHit
		var at int64
		if err := rows.Scan(&h.MessageID, &h.Room, &h.RoomName, &h.Author, &h.Snippet, &at); err != nil {
			return nil, 0, fmt.Errorf("chat: search %q: %w", match, err)
		}
		h.CreatedAt = time.Unix(at, 0).UTC()
		out = append(out, h)
	}
	return out, total, rows.Err()
}

// IndexText replaces, inside tx, a message's indexed text (its Markdown, put there by a
// trigger) with the plain text of its sanitised HTML, so that link targets and Markdown
// syntax are not searched. The match marks \x02 and \x03 are removed from the text.
//
// When the trigger has just indexed m.Source in this transaction (chat's own publishing
// and editing set m.sourceIndexed) a message whose plain text is its source, as most chat
// messages are, is not written again: FTS5 would delete and re-add the same words.
func (s *Service) IndexText(tx *storage.Tx, m *Message) error {
	text := strings.Map(func(r rune) rune {
		if r == '\x02' || r == '\x03' {
			return ' '
		}
		return r
	}, markup.Excerpt(m.HTML, len(m.HTML)+1))
	if m.sourceIndexed && text == m.Source {
		return nil
	}
	if _, err := tx.Exec("update chat_search set body = ? where rowid = ?", text, m.ID); err != nil {
		return fmt.Errorf("chat: index message %d: %w", m.ID, err)
	}
	return nil
}
