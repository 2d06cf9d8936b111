package chat

import (
	"context"
	"errors"
	"time"

	"stoa/account"
	"stoa/privacy/pii"
	"stoa/storage"
)

// ownMessage loads u's own message (in room roomID unless 0) and its room.
func (s *Service) ownMessage(ctx context.Context, u *account.User, id, roomID int64) (*Message, *Room, error) {
	if u == nil {
		return nil, nil, errLogInToEdit
	}
	m, err := s.store.MessageByID(ctx, id)
	if errors.Is(err, storage.ErrNotFound) || err == nil && (m.Deleted || roomID != 0 && m.RoomID != roomID) {
		return nil, nil, errNoMessage
	}
	if err != nil {
		return nil, nil, err
	}
	if m.AuthorID != u.ID || m.Hidden {
		return nil, nil, errNotYours
	}
	room, err := s.roomByID(ctx, m.RoomID)
	if err != nil {
		return nil, nil, err
	}
	return m, room, nil
}

// Edit replaces the text of u's own message; every client gets the updated copy.
func (s *Service) Edit(ctx context.Context, u *account.User, id int64, body string, confirm bool) (*Message, error) {
	return s.edit(ctx, u, id, 0, body, "", confirm, nil)
}

func (s *Service) edit(ctx context.Context, u *account.User, id, roomID int64, body, nonce string, confirm bool, origin *client) (*Message, error) {
	if s.closed() {
		return nil, ErrClosed
	}
	m, room, err := s.ownMessage(ctx, u, id, roomID)
	if err != nil {
		return nil, err
	}
	if err := s.mayWrite(ctx, u, room); err != nil {
		return nil, err
	}
	if err := s.checkBody(body); err != nil {
		return nil, err
	}
	if err := s.rateLimit(u); err != nil {
		return nil, err
	}
	if !confirm {
		if found := pii.Kinds(pii.Detect(body)); len(found) > 0 {
			return nil, &ConfirmError{Findings: found}
		}
	}
	if body == m.Source {
		return m, nil
	}
	m.Source, m.EditedAt = body, s.now().UTC().Truncate(time.Second)
	s.prepare(m)
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		tx.Order(roomOrderKey(m.RoomID))
		if err := s.store.updateMessage(tx, m); err != nil {
			return err
		}
		if err := s.notifyMentioned(tx, m); err != nil {
			return err
		}
		tx.AfterCommit(func() { s.hub.publishMessage(m, origin, nonce, true, 0) })
		return nil
	})
	if err != nil {
		return nil, s.writeFailed(err)
	}
	return m, nil
}

// Delete removes u's own message; every client is told to drop it.
func (s *Service) Delete(ctx context.Context, u *account.User, id int64) (*Message, error) {
	return s.delete(ctx, u, id, 0)
}

func (s *Service) delete(ctx context.Context, u *account.User, id, roomID int64) (*Message, error) {
	if s.closed() {
		return nil, ErrClosed
	}
	// Deleting needs no more than authorship: a silenced member, or one in an archived
	// room, may still take back what they wrote.
	m, _, err := s.ownMessage(ctx, u, id, roomID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if err := s.db.Write(ctx, func(tx *storage.Tx) error { return s.markDeleted(tx, m, now, false) }); err != nil {
		return nil, s.writeFailed(err)
	}
	return m, nil
}

// markDeleted deletes m inside tx, takes back the notifications it caused, and tells the
// room's clients to drop it once the write is durable.
func (s *Service) markDeleted(tx *storage.Tx, m *Message, now time.Time, byStaff bool) error {
	if err := s.store.markDeleted(tx, m.ID, now, byStaff); err != nil {
		return err
	}
	m.Deleted = true
	if err := s.notifier.Retract(tx, notificationKey(m.ID)); err != nil {
		return err
	}
	tx.AfterCommit(func() { s.hub.publishDeleted(m.RoomID, m.ID) })
	return nil
}
