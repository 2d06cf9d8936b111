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

// publishMessage stores m with its search text, sets its ID and returns the id of the
// room's message before it (0 for none; 0 too unless withPrev, when nobody needs it),
// inside the write that holds the room (lockRoomForMessage).
//
// On PostgreSQL the three are one statement: a room's messages commit one transaction at
// a time, so each round trip to the server inside it holds up every message queued for
// the room (on a loaded machine, a few milliseconds each). The statement runs after the
// room's lock is held, so its snapshot holds every message committed before this one.
// On SQLite they stay separate (see insertMessage).
func (s *Store) publishMessage(tx *storage.Tx, m *Message, submitToken string, withPrev bool) (int64, error) {
	if tx.Dialect() != storage.Postgres {
		if err := s.insertMessage(tx, m, submitToken); err != nil || !withPrev {
			return 0, err
		}
		return s.prevMessageID(tx, m.RoomID, m.ID)
	}
	var id, prev int64
	err := tx.QueryRow(`with ins as (
			insert into chat_messages(room_id, author_id, source, html, nonce, submit_token, created_at)
			values (?, ?, ?, ?, ?, ?, ?) returning id),
		idx as (insert into chat_search(rowid, body) select id, ? from ins)
		select id, (select coalesce(max(p.id), 0) from chat_messages p where p.room_id = ? and p.id < ins.id) from ins`,
		m.RoomID, m.AuthorID, m.Source, m.HTML, nullString(m.Nonce), nullString(submitToken), m.CreatedAt.Unix(),
		m.searchText, m.RoomID).Scan(&id, &prev)
	if err != nil {
		return 0, fmt.Errorf("chat: insert message in room %d: %w", m.RoomID, err)
	}
	m.ID = id
	return prev, nil
}
