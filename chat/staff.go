package chat

import (
	"context"
	"time"

	"stoa/storage"
)

// MessageByID loads a message, deleted and hidden ones included (moderation's snapshot of
// a reported message), or storage.ErrNotFound.
func (s *Service) MessageByID(ctx context.Context, id int64) (*Message, error) {
	return s.store.MessageByID(ctx, id)
}

// DeleteByStaffTx deletes a message inside a moderator's transaction; connected clients
// are told to drop it once tx commits.
func (s *Service) DeleteByStaffTx(tx *storage.Tx, id int64) error {
	m, err := s.store.messageByIDTx(tx, id)
	if err != nil {
		return err
	}
	return s.markDeleted(tx, m, s.now(), true)
}

// DeleteByStaff deletes any message for a moderator and tells connected clients.
func (s *Service) DeleteByStaff(ctx context.Context, id int64) error {
	return s.db.Write(ctx, func(tx *storage.Tx) error { return s.DeleteByStaffTx(tx, id) })
}

// HideByStaff hides a message from the room's pages and clients (or shows it again):
// connected clients drop it, or get it back; moderators still see it in their queue.
func (s *Service) HideByStaff(ctx context.Context, id int64, hidden bool) error {
	var at time.Time
	if hidden {
		at = s.now()
	}
	return s.db.Write(ctx, func(tx *storage.Tx) error { return s.setHiddenTx(tx, id, at) })
}

// SetHiddenByStaffTx hides a message (or shows it again) inside a moderator's
// transaction, such as the report that hides it automatically; connected clients drop
// it, or get it back, once tx commits.
func (s *Service) SetHiddenByStaffTx(tx *storage.Tx, id int64, hidden bool) error {
	var at time.Time
	if hidden {
		at = s.now()
	}
	return s.setHiddenTx(tx, id, at)
}

func (s *Service) setHiddenTx(tx *storage.Tx, id int64, at time.Time) error {
	hidden := !at.IsZero()
	if err := s.store.setHidden(tx, id, at); err != nil {
		return err
	}
	m, err := s.store.messageByIDTx(tx, id)
	if err != nil {
		return err
	}
	tx.AfterCommit(func() {
		if hidden {
			s.hub.publishDeleted(m.RoomID, m.ID)
		} else if !m.Deleted {
			s.hub.publishMessage(m, nil, "", true, 0)
		}
	})
	return nil
}
