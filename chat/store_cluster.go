package chat

import (
	"context"
	"fmt"

	"stoa/storage"
)

// prevMessageID returns the id of the message before id in its room (0 for none), read
// inside the write that inserted id: the other nodes compare it with the last message they
// delivered to know whether one is missing between the two.
func (s *Store) prevMessageID(tx *storage.Tx, roomID, id int64) (int64, error) {
	var prev int64
	if err := tx.QueryRow("select coalesce(max(id), 0) from chat_messages where room_id = ? and id < ?", roomID, id).Scan(&prev); err != nil {
		return 0, fmt.Errorf("chat: message before %d: %w", id, err)
	}
	return prev, nil
}

// roomLastMessageID returns the id of the newest message of a room, any state (0 for none).
func (s *Store) roomLastMessageID(ctx context.Context, roomID int64) (int64, error) {
	var last int64
	if err := s.db.QueryRow(ctx, "select coalesce(max(id), 0) from chat_messages where room_id = ?", roomID).Scan(&last); err != nil {
		return 0, fmt.Errorf("chat: newest message of room %d: %w", roomID, err)
	}
	return last, nil
}

// lockRoomForMessage makes the messages of one room commit in id order on PostgreSQL,
// where writes run side by side and ids come from a sequence: it locks the room's row
// before the insert takes its id, so that id 11 cannot commit before id 10 is visible
// (a client resuming after 11 would never see 10). SQLite has one writer: nothing to do.
func (s *Store) lockRoomForMessage(tx *storage.Tx, roomID int64) error {
	if tx.Dialect() != storage.Postgres {
		return nil
	}
	var id int64
	if err := tx.QueryRow("select id from chat_rooms where id = ? for update", roomID).Scan(&id); err != nil {
		return fmt.Errorf("chat: lock room %d: %w", roomID, err)
	}
	return nil
}
