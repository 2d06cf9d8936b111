package forum

import (
	"context"
	"fmt"

	"stoa/account"
	"stoa/storage"
	"stoa/web"
)

// Staff acting on someone else's post through the ordinary edit and delete forms, as the
// audit log records it.
const (
	ActionEditPost   = "post.edit"
	ActionDeletePost = "post.delete"
)

// CanEdit reports whether u may edit p in thread t. Staff may edit others' posts, except
// that a moderator may not edit an administrator's: a moderator must not be able to put
// words in the mouth of those who oversee them.
func CanEdit(u *account.User, p *Post, t *Thread) bool {
	if u == nil || p.Deleted {
		return false
	}
	if u.IsStaff() && u.ID != p.AuthorID {
		return u.IsAdmin() || !p.AuthorAdmin
	}
	if u.IsStaff() {
		return true
	}
	return u.ID == p.AuthorID && !t.Locked && !p.Hidden
}

// Edit replaces a post's text, keeping the previous version for staff (at most
// MaxRevisions of them). Edits are paced like posts; the text is rendered before the
// write, so the write runs SQL only.
func (s *Service) Edit(ctx context.Context, u *account.User, postID int64, body string, confirm bool) (*Post, *Thread, error) {
	p, t, err := s.Post(ctx, u, postID)
	if err != nil {
		return nil, nil, err
	}
	if err := s.CanPost(ctx, u); err != nil {
		return nil, nil, err
	}
	if !CanEdit(u, p, t) {
		return nil, nil, ErrForbidden
	}
	fields := map[string]string{}
	checkBody(body, fields)
	if err := web.InvalidFields(fields); err != nil {
		return nil, nil, err
	}
	if err := hold(confirm, body); err != nil {
		return nil, nil, err
	}
	if body == p.Source {
		return p, t, nil
	}
	// An edit is checked against the watched words like a new post; it cannot wait for
	// review, so a word that would hold a new post refuses the edit.
	words := s.words.Check(body)
	if hit := words.Blocked; hit != nil {
		return nil, nil, hit.Refusal("body")
	}
	if hit := words.Held; hit != nil && !u.IsStaff() {
		return nil, nil, web.Invalid("body", fmt.Sprintf("“%s” is on this community's list of watched words, so the moderators review texts with it before they are published. An edit cannot wait for review: remove the word, or write a new reply. Your text is kept below.", hit.Word))
	}
	body = words.Text
	// An edit costs what a post costs (rendering, indexing, a kept version): the same pace.
	if err := s.keepPace(u); err != nil {
		return nil, nil, err
	}
	old := *p
	d := s.draft(u, body, p.CreatedAt)
	p.Source, p.HTML, p.EditedAt = body, d.post.HTML, s.now()
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		if err := s.store.editPost(tx, &old, p); err != nil {
			return err
		}
		if err := s.store.reindexPost(tx, p.ID, d.text); err != nil {
			return err
		}
		if u.ID != p.AuthorID {
			if err := s.audit.RecordForumAction(tx, postAction(u, ActionEditPost, t, p)); err != nil {
				return err
			}
		}
		if p.Hidden || t.Hidden {
			return nil
		}
		return s.notify(tx, p, t, d.mentions, false)
	})
	if err != nil {
		return nil, nil, err
	}
	return p, t, nil
}

// Delete removes a post (its author or staff). Deleting a thread's first post deletes
// the thread. Rows are kept, marked deleted, so moderation history stays intact, and
// the notifications the post caused are withdrawn: nobody should be sent to it.
func (s *Service) Delete(ctx context.Context, u *account.User, postID int64) (*Post, *Thread, error) {
	p, t, err := s.Post(ctx, u, postID)
	if err != nil {
		return nil, nil, err
	}
	if u == nil || (u.ID != p.AuthorID && !u.IsStaff()) || p.Deleted {
		return nil, nil, ErrForbidden
	}
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		if err := s.store.deletePost(tx, p, s.now()); err != nil {
			return err
		}
		if u.ID != p.AuthorID {
			if err := s.audit.RecordForumAction(tx, postAction(u, ActionDeletePost, t, p)); err != nil {
				return err
			}
		}
		return s.notifier.Retract(tx, postKey(p.ID))
	})
	if err != nil {
		return nil, nil, err
	}
	p.Deleted, t.Deleted = true, p.Number == 1
	return p, t, nil
}

// postAction is a staff member's action on someone else's post, for the audit log.
func postAction(u *account.User, action string, t *Thread, p *Post) StaffAction {
	return StaffAction{Actor: u, Action: action, ThreadID: t.ID, ThreadTitle: t.Title, PostID: p.ID, AuthorID: p.AuthorID}
}
