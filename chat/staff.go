package chat

import (
	"context"
	"fmt"
	"stoa/storage"
)

// MessageByID loads a message, deleted and hidden ones included (moderation's snapshot of
// a reported message), or storage.ErrNotFound.
func (s *Service) MessageByID(ctx context.Context, id int64) (*Message, error) {
	return s.store.MessageByID(ctx, id)
}

// DeleteByStaffTx deletes a message inside a moderator's transaction; after, called once
// tx committed, tells connected clients to drop it.
func (s *Service) DeleteByStaffTx(tx *storage.Tx, id int64) (after func(), err error) {
	m, err := messageByIDTx(tx, id)
	if err != nil {
		return nil, err
	}
	if err := s.markDeleted(tx, m, true); err != nil {
		return nil, err
	}
	return func() { s.hub.publishDeleted(m.RoomID, m.ID) }, nil
}

// DeleteByStaff deletes any message for a moderator and tells connected clients.
func (s *Service) DeleteByStaff(ctx context.Context, id int64) error {
	var after func()
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		var err error
		after, err = s.DeleteByStaffTx(tx, id)
		return err
	})
	if err != nil {
		return err
	}
	after()
	return nil
}

// HideByStaff hides a message from the room's pages and clients (or shows it again):
// connected clients drop it, or get it back; moderators still see it in their queue.
func (s *Service) HideByStaff(ctx context.Context, id int64, hidden bool) error {
	var m *Message
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		var at any
		if hidden {
			at = s.now().Unix()
		}
		if _, err := tx.Exec("update chat_messages set hidden_at = ? where id = ?", at, id); err != nil {
			return fmt.Errorf("chat: hide message %d: %w", id, err)
		}
		var err error
		if m, err = messageByIDTx(tx, id); err != nil {
			return err
		}
		return s.runAfterMessage(tx, m)
	})
	if err != nil {
		return err
	}
	if hidden {
		s.hub.publishDeleted(m.RoomID, m.ID)
	} else if !m.Deleted {
		s.hub.publishMessage(m, nil, "", true)
	}
	return nil
}
