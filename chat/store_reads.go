package chat

import (
	"context"
	"fmt"

	"stoa/storage"
)

// seedReads gives a member who never opened chat a reading position in every room at its
// newest message, inside tx: they start caught up rather than with every message ever
// written unread. It does nothing for a member who has any position already; rooms made
// later start unread from their first message.
func (s *Store) seedReads(tx *storage.Tx, userID int64) error {
	_, err := tx.Exec(`insert into chat_reads(user_id, room_id, last_read_id)
		select ?, r.id, coalesce((select max(m.id) from chat_messages m where m.room_id = r.id), 0) from chat_rooms r
		where not exists (select 1 from chat_reads x where x.user_id = ?)
		on conflict(user_id, room_id) do nothing`, userID, userID)
	if err != nil {
		return fmt.Errorf("chat: first reading positions of %d: %w", userID, err)
	}
	return nil
}

// markRead moves a member's reading position in a room forward to id, never back,
// inside tx.
func (s *Store) markRead(tx *storage.Tx, userID, roomID, id int64) error {
	_, err := tx.Exec(`insert into chat_reads(user_id, room_id, last_read_id) values (?, ?, ?)
		on conflict(user_id, room_id) do update set last_read_id =
			case when excluded.last_read_id > chat_reads.last_read_id then excluded.last_read_id else chat_reads.last_read_id end`,
		userID, roomID, id)
	if err != nil {
		return fmt.Errorf("chat: mark room %d read by %d: %w", roomID, userID, err)
	}
	return nil
}

// unreadCounts returns, per room id, how many visible messages by others a member has
// not read. A room with no reading position counts from its first message. Only unread
// rows are visited (by the room and id index).
func (s *Store) unreadCounts(ctx context.Context, userID int64) (map[int64]int, error) {
	rows, err := s.db.Query(ctx, `select r.id, (select count(*) from chat_messages m
			where m.room_id = r.id and m.id > coalesce(cr.last_read_id, 0)
			and m.deleted_at is null and m.hidden_at is null and coalesce(m.author_id, 0) != ?)
		from chat_rooms r left join chat_reads cr on cr.room_id = r.id and cr.user_id = ?`, userID, userID)
	if err != nil {
		return nil, fmt.Errorf("chat: unread counts of %d: %w", userID, err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var room int64
		var n int
		if err := rows.Scan(&room, &n); err != nil {
			return nil, fmt.Errorf("chat: unread counts of %d: %w", userID, err)
		}
		if n > 0 {
			out[room] = n
		}
	}
	return out, rows.Err()
}

// readRecord is a member's reading position in one room.
type readRecord struct {
	Room   string
	LastID int64
}

// readsByUser returns a member's reading positions, for their export.
func (s *Store) readsByUser(ctx context.Context, userID int64) ([]readRecord, error) {
	rows, err := s.db.Query(ctx, `select r.slug, x.last_read_id from chat_reads x join chat_rooms r on r.id = x.room_id
		where x.user_id = ? order by r.slug`, userID)
	if err != nil {
		return nil, fmt.Errorf("chat: reading positions of %d: %w", userID, err)
	}
	defer rows.Close()
	var out []readRecord
	for rows.Next() {
		var r readRecord
		if err := rows.Scan(&r.Room, &r.LastID); err != nil {
			return nil, fmt.Errorf("chat: reading positions of %d: %w", userID, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// deleteReads removes a member's reading positions inside tx.
func (s *Store) deleteReads(tx *storage.Tx, userID int64) error {
	if _, err := tx.Exec("delete from chat_reads where user_id = ?", userID); err != nil {
		return fmt.Errorf("chat: delete reading positions of %d: %w", userID, err)
	}
	return nil
}
