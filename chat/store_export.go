package chat

import (
	"context"
	"fmt"
	"time"

	"stoa/storage"
)

// ackRecord is one of a member's acknowledgements that a room is public.
type ackRecord struct {
	Room    string // the room's slug
	Version int
	At      time.Time
}

// acksByUser returns a member's acknowledgements, oldest first.
func (s *Store) acksByUser(ctx context.Context, userID int64) ([]ackRecord, error) {
	rows, err := s.db.Query(ctx, `select r.slug, a.policy_version, a.acked_at from chat_acks a
		join chat_rooms r on r.id = a.room_id where a.user_id = ? order by a.acked_at`, userID)
	if err != nil {
		return nil, fmt.Errorf("chat: acknowledgements of %d: %w", userID, err)
	}
	defer rows.Close()
	var out []ackRecord
	for rows.Next() {
		var a ackRecord
		var at int64
		if err := rows.Scan(&a.Room, &a.Version, &at); err != nil {
			return nil, fmt.Errorf("chat: acknowledgements of %d: %w", userID, err)
		}
		a.At = time.Unix(at, 0).UTC()
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("chat: acknowledgements of %d: %w", userID, err)
	}
	return out, nil
}

// eraseAuthor blanks a member's messages, marks them deleted at now (the rows stay, so
// that moderation records pointing at them stay valid) and takes them out of the search
// index; the messages lose their link to the account.
func (s *Store) eraseAuthor(tx *storage.Tx, userID int64, now time.Time) error {
	if err := s.unindexAuthor(tx, userID); err != nil {
		return err
	}
	if _, err := tx.Exec(`update chat_messages set source = '', html = '', nonce = null, submit_token = null,
		deleted_at = coalesce(deleted_at, ?), author_id = null where author_id = ?`, now.Unix(), userID); err != nil {
		return fmt.Errorf("chat: erase messages of %d: %w", userID, err)
	}
	return nil
}

// detachAuthor keeps a member's messages but unlinks them from the account, which then
// shows as "former member".
func (s *Store) detachAuthor(tx *storage.Tx, userID int64) error {
	if _, err := tx.Exec("update chat_messages set author_id = null, nonce = null, submit_token = null where author_id = ?", userID); err != nil {
		return fmt.Errorf("chat: detach messages of %d: %w", userID, err)
	}
	return nil
}

// deleteAcks removes a member's acknowledgements.
func (s *Store) deleteAcks(tx *storage.Tx, userID int64) error {
	if _, err := tx.Exec("delete from chat_acks where user_id = ?", userID); err != nil {
		return fmt.Errorf("chat: erase acknowledgements of %d: %w", userID, err)
	}
	return nil
}
