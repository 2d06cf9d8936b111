package forum

import (
	"time"

	"stoa/storage"
)

// These changes are made by the moderation package inside its own transaction, so that
// the change, the audit entry and the resolved reports commit together.

// SetPostHidden hides a post from the public (its author and staff still see it) or shows
// it again, inside tx. Hiding a thread's first post hides the whole thread. The
// notifications the post caused stay: hiding is not deleting, and showing it again
// notifies nobody twice.
func (s *Service) SetPostHidden(tx *storage.Tx, postID int64, hidden bool, now time.Time) (*Post, *Thread, error) {
	p, t, err := s.store.postInTx(tx, postID)
	if err != nil {
		return nil, nil, err
	}
	at := now
	if !hidden {
		at = time.Time{}
	}
	if err := s.store.setPostHidden(tx, p, at); err != nil {
		return nil, nil, err
	}
	if p.Number == 1 {
		t.Hidden = hidden
	}
	p.Hidden = hidden
	return p, t, nil
}

// DeletePostAsStaff marks a post deleted inside tx; deleting a thread's first post
// deletes the thread, as when its author does it. The notifications it caused go.
func (s *Service) DeletePostAsStaff(tx *storage.Tx, postID int64, now time.Time) (*Post, *Thread, error) {
	p, t, err := s.store.postInTx(tx, postID)
	if err != nil {
		return nil, nil, err
	}
	if p.Deleted {
		return p, t, nil
	}
	if err := s.store.deletePost(tx, p, now); err != nil {
		return nil, nil, err
	}
	t.Deleted = t.Deleted || p.Number == 1
	p.Deleted = true
	return p, t, s.notifier.Retract(tx, postKey(p.ID))
}

// SetThreadLocked closes a thread to new replies (staff may still reply) or reopens it,
// inside tx.
func (s *Service) SetThreadLocked(tx *storage.Tx, threadID int64, locked bool) error {
	return s.store.setThreadLocked(tx, threadID, locked)
}
