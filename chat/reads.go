package chat

import (
	"context"
	"time"

	"stoa/account"
	"stoa/storage"
)

// Reading positions: how far each member has read each room, for the unread counts in the
// room list. The room page records them when it shows the newest messages, and the live
// page's script while the member watches (a "read" frame).

// MarkRead records that u has read room up to message id. A member who never opened chat
// before starts caught up in every other room.
func (s *Service) MarkRead(ctx context.Context, u *account.User, room *Room, id int64) error {
	if u == nil || id <= 0 {
		return nil
	}
	return s.db.Write(ctx, func(tx *storage.Tx) error {
		if err := s.store.seedReads(tx, u.ID); err != nil {
			return err
		}
		return s.store.markRead(tx, u.ID, room.ID, id)
	})
}

// UnreadCounts returns, per room id, how many messages by others u has not read; rooms
// with none are left out.
func (s *Service) UnreadCounts(ctx context.Context, u *account.User) (map[int64]int, error) {
	if u == nil {
		return nil, nil
	}
	return s.store.unreadCounts(ctx, u.ID)
}

// readEvery bounds how often one connection's "read" frames are written.
const readEvery = time.Second

// readFrame records a live client's reading position, at most once per readEvery.
func (s *Service) readFrame(ctx context.Context, c *client, room *Room, id int64) error {
	if c.user == nil || id <= c.readID || time.Since(c.lastRead) < readEvery {
		return nil
	}
	c.readID, c.lastRead = id, time.Now()
	return s.MarkRead(ctx, c.user, room, id)
}
