package moderation

import (
	"context"
	"fmt"
	"time"

	"stoa/storage"
)

func (st *store) insertNote(tx *storage.Tx, userID, authorID int64, body string, now time.Time) error {
	if _, err := tx.Exec("insert into mod_notes(user_id, author_id, body, created_at) values (?, ?, ?, ?)",
		userID, authorID, body, now.Unix()); err != nil {
		return fmt.Errorf("moderation: add note on %d: %w", userID, err)
	}
	return nil
}

// notes lists the staff notes on a member, newest first.
func (st *store) notes(ctx context.Context, userID int64) ([]*Note, error) {
	rows, err := st.db.Query(ctx, `select n.id, coalesce(u.username, 'former-member'), n.body, n.created_at
		from mod_notes n left join users u on u.id = n.author_id where n.user_id = ? order by n.id desc`, userID)
	if err != nil {
		return nil, fmt.Errorf("moderation: notes on %d: %w", userID, err)
	}
	defer rows.Close()
	var out []*Note
	for rows.Next() {
		var n Note
		var at int64
		if err := rows.Scan(&n.ID, &n.Author, &n.Body, &at); err != nil {
			return nil, fmt.Errorf("moderation: notes on %d: %w", userID, err)
		}
		n.CreatedAt = unixTime(at)
		out = append(out, &n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("moderation: notes on %d: %w", userID, err)
	}
	return out, nil
}
