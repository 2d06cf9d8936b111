package forum

import (
	"context"
	"fmt"
	"time"

	"stoa/account"
	"stoa/storage"
)

// CanEdit reports whether u may edit p in thread t.
func CanEdit(u *account.User, p *Post, t *Thread) bool {
	if u == nil || p.Deleted {
		return false
	}
	if u.IsStaff() {
		return true
	}
	return u.ID == p.AuthorID && !t.Locked && !p.Hidden
}

// Edit replaces a post's text, keeping the previous version for staff.
func (s *Service) Edit(ctx context.Context, u *account.User, postID int64, body string, confirm bool) (*Post, *Thread, error) {
	p, err := s.store.PostByID(ctx, postID)
	if err != nil {
		return nil, nil, err
	}
	t, err := s.store.ThreadByID(ctx, p.ThreadID)
	if err != nil {
		return nil, nil, err
	}
	if !CanEdit(u, p, t) {
		return nil, nil, ErrForbidden
	}
	fields := map[string]string{}
	checkBody(body, fields)
	if len(fields) > 0 {
		return nil, nil, &InputError{Fields: fields}
	}
	if err := s.restrictions.CanPost(ctx, u.ID); err != nil {
		return nil, nil, err
	}
	if err := hold(confirm, body); err != nil {
		return nil, nil, err
	}
	if body == p.Source {
		return p, t, nil
	}
	now := s.now()
	old := *p
	p.Source, p.HTML, p.EditedAt = body, s.render.Render(body).HTML, now
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		if _, err := tx.Exec("insert into post_revisions(post_id, source, html, created_at) values (?, ?, ?, ?)",
			p.ID, old.Source, old.HTML, old.EditedAtOrCreated().Unix()); err != nil {
			return fmt.Errorf("forum: keep revision of %d: %w", p.ID, err)
		}
		if _, err := tx.Exec("update posts set source = ?, html = ?, edited_at = ? where id = ?", p.Source, p.HTML, now.Unix(), p.ID); err != nil {
			return fmt.Errorf("forum: edit post %d: %w", p.ID, err)
		}
		if u.ID != p.AuthorID {
			if err := s.recordStaff(tx, u.ID, ActionEditPost, fmt.Sprintf("post:%d", p.ID), ""); err != nil {
				return err
			}
		}
		return s.runAfterPost(tx, p, t)
	})
	if err != nil {
		return nil, nil, err
	}
	return p, t, nil
}

// EditedAtOrCreated is when this version of the post was written.
func (p *Post) EditedAtOrCreated() time.Time {
	if !p.EditedAt.IsZero() {
		return p.EditedAt
	}
	return p.CreatedAt
}

// Delete removes a post (its author or staff). Deleting a thread's first post deletes
// the thread. Rows are kept, marked deleted, so moderation history stays intact.
func (s *Service) Delete(ctx context.Context, u *account.User, postID int64) (*Thread, error) {
	p, err := s.store.PostByID(ctx, postID)
	if err != nil {
		return nil, err
	}
	t, err := s.store.ThreadByID(ctx, p.ThreadID)
	if err != nil {
		return nil, err
	}
	if u == nil || (u.ID != p.AuthorID && !u.IsStaff()) || p.Deleted {
		return nil, ErrForbidden
	}
	now := s.now().Unix()
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		if _, err := tx.Exec("update posts set deleted_at = ? where id = ?", now, p.ID); err != nil {
			return fmt.Errorf("forum: delete post %d: %w", p.ID, err)
		}
		if u.ID != p.AuthorID {
			if err := s.recordStaff(tx, u.ID, ActionDeletePost, fmt.Sprintf("post:%d", p.ID), ""); err != nil {
				return err
			}
		}
		if p.Number == 1 {
			_, err = tx.Exec("update threads set deleted_at = ? where id = ?", now, t.ID)
		} else {
			_, err = tx.Exec("update threads set post_count = post_count - 1 where id = ?", t.ID)
		}
		if err != nil {
			return fmt.Errorf("forum: update thread %d after delete: %w", t.ID, err)
		}
		p.Deleted = true
		return s.runAfterPost(tx, p, t)
	})
	if err != nil {
		return nil, err
	}
	t.Deleted = p.Number == 1
	return t, nil
}
