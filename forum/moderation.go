package forum

import (
	"fmt"
	"stoa/storage"
	"time"
)

// These changes are made by the moderation package inside its own transaction, so that
// the change, the audit entry and the resolved reports commit together.

func postInTx(tx *storage.Tx, postID int64) (*Post, *Thread, error) {
	p, err := scanPost(tx.QueryRow("select "+postColumns+
		" from posts p left join users u on u.id = p.author_id and u.deleted_at is null where p.id = ?", postID))
	if err != nil {
		return nil, nil, fmt.Errorf("forum: load post %d: %w", postID, err)
	}
	t, err := scanThread(tx.QueryRow("select "+threadColumns+" from threads t join users u on u.id = t.author_id where t.id = ?", p.ThreadID))
	if err != nil {
		return nil, nil, fmt.Errorf("forum: load thread %d: %w", p.ThreadID, err)
	}
	return p, t, nil
}

// SetPostHidden hides a post from the public (its author and staff still see it) or shows
// it again, inside tx. Hiding a thread's first post hides the whole thread.
func (s *Service) SetPostHidden(tx *storage.Tx, postID int64, hidden bool, now time.Time) (*Post, *Thread, error) {
	p, t, err := postInTx(tx, postID)
	if err != nil {
		return nil, nil, err
	}
	var at any
	if hidden {
		at = now.Unix()
	}
	if _, err := tx.Exec("update posts set hidden_at = ? where id = ?", at, p.ID); err != nil {
		return nil, nil, fmt.Errorf("forum: hide post %d: %w", p.ID, err)
	}
	if p.Number == 1 {
		if _, err := tx.Exec("update threads set hidden_at = ? where id = ?", at, t.ID); err != nil {
			return nil, nil, fmt.Errorf("forum: hide thread %d: %w", t.ID, err)
		}
		t.Hidden = hidden
	}
	p.Hidden = hidden
	return p, t, s.runAfterPost(tx, p, t)
}

// DeletePostAsStaff marks a post deleted inside tx; deleting a thread's first post
// deletes the thread, as when its author does it.
func (s *Service) DeletePostAsStaff(tx *storage.Tx, postID int64, now time.Time) (*Post, *Thread, error) {
	p, t, err := postInTx(tx, postID)
	if err != nil {
		return nil, nil, err
	}
	if p.Deleted {
		return p, t, nil
	}
	if _, err := tx.Exec("update posts set deleted_at = ? where id = ?", now.Unix(), p.ID); err != nil {
		return nil, nil, fmt.Errorf("forum: delete post %d: %w", p.ID, err)
	}
	if p.Number == 1 {
		_, err = tx.Exec("update threads set deleted_at = ? where id = ?", now.Unix(), t.ID)
		t.Deleted = true
	} else {
		_, err = tx.Exec("update threads set post_count = post_count - 1 where id = ?", t.ID)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("forum: update thread %d after delete: %w", t.ID, err)
	}
	p.Deleted = true
	return p, t, s.runAfterPost(tx, p, t)
}

// SetThreadLocked closes a thread to new replies (staff may still reply) or reopens it,
// inside tx.
func (s *Service) SetThreadLocked(tx *storage.Tx, threadID int64, locked bool) error {
	if _, err := tx.Exec("update threads set locked = ? where id = ?", locked, threadID); err != nil {
		return fmt.Errorf("forum: lock thread %d: %w", threadID, err)
	}
	return nil
}
