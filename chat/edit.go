package chat

import (
	"context"
	"errors"
	"fmt"
	"time"

	"stoa/account"
	"stoa/privacy/pii"
	"stoa/storage"
)

// ownMessage loads u's own message (in room roomID unless 0) and its room.
func (s *Service) ownMessage(ctx context.Context, u *account.User, id, roomID int64) (*Message, *Room, error) {
	if u == nil {
		return nil, nil, &Error{CodeForbidden, "Log in to change your messages."}
	}
	m, err := s.store.MessageByID(ctx, id)
	if errors.Is(err, storage.ErrNotFound) || err == nil && (m.Deleted || roomID != 0 && m.RoomID != roomID) {
		return nil, nil, &Error{CodeBadRequest, "That message does not exist or was deleted."}
	}
	if err != nil {
		return nil, nil, err
	}
	if m.AuthorID != u.ID || m.Hidden {
		return nil, nil, &Error{CodeForbidden, "You can only change your own messages."}
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
	res := s.render.Render(body)
	m.Source, m.HTML, m.Mentions, m.EditedAt = body, res.HTML, res.Mentions, s.now().UTC().Truncate(time.Second)
	err = s.persist.submit(ctx, func(tx *storage.Tx) error {
		if _, err := tx.Exec("update chat_messages set source = ?, html = ?, edited_at = ? where id = ?",
			m.Source, m.HTML, m.EditedAt.Unix(), m.ID); err != nil {
			return fmt.Errorf("chat: edit message %d: %w", m.ID, err)
		}
		// The source changed (body != m.Source above), so the update trigger indexed it.
		m.sourceIndexed = true
		return s.runAfterMessage(tx, m)
	}, func() { s.hub.publishMessage(m, origin, nonce, true) })
	if err != nil {
		return nil, err
	}
	return m, nil
}

// Delete removes u's own message; every client is told to drop it.
func (s *Service) Delete(ctx context.Context, u *account.User, id int64) (*Message, error) {
	return s.delete(ctx, u, id, 0)
}

func (s *Service) delete(ctx context.Context, u *account.User, id, roomID int64) (*Message, error) {
	// Deleting needs no more than authorship: a silenced member, or one in an archived
	// room, may still take back what they wrote.
	m, _, err := s.ownMessage(ctx, u, id, roomID)
	if err != nil {
		return nil, err
	}
	err = s.persist.submit(ctx, func(tx *storage.Tx) error { return s.markDeleted(tx, m, false) },
		func() { s.hub.publishDeleted(m.RoomID, m.ID) })
	if err != nil {
		return nil, err
	}
	return m, nil
}

func (s *Service) markDeleted(tx *storage.Tx, m *Message, staff bool) error {
	if _, err := tx.Exec("update chat_messages set deleted_at = ?, deleted_by_staff = ? where id = ? and deleted_at is null",
		s.now().Unix(), staff, m.ID); err != nil {
		return fmt.Errorf("chat: delete message %d: %w", m.ID, err)
	}
	m.Deleted = true
	return s.runAfterMessage(tx, m)
}
