package forum

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"stoa/account"
	"stoa/storage"
	"stoa/web"
)

// Thread management actions, as the audit log records them.
const (
	ActionPin    = "thread.pin"
	ActionUnpin  = "thread.unpin"
	ActionClose  = "thread.close"
	ActionReopen = "thread.reopen"
	ActionMove   = "thread.move"
)

// MaxReasonRunes bounds the reason a moderator gives for an action.
const MaxReasonRunes = 500

// StaffTools are the moderators' tools on a thread page: pin, close and move a thread.
// Every use goes into the audit log with the change.
type StaffTools struct {
	store *Store
	db    *storage.DB
	audit Audit
	web   *web.Responder
}

// Apply applies a moderator's action to a thread: pin or unpin it in its category, close
// or reopen it to replies, or move it to the category with slug toSlug.
func (x *StaffTools) Apply(ctx context.Context, u *account.User, threadID int64, action, toSlug, reason string) error {
	if !u.IsStaff() {
		return ErrNotStaff
	}
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > MaxReasonRunes {
		return ErrLongReason
	}
	t, err := x.store.ThreadByID(ctx, threadID)
	if err != nil {
		return err
	}
	if t.Deleted {
		return fmt.Errorf("forum: thread %d is deleted: %w", threadID, storage.ErrNotFound)
	}
	var change func(tx *storage.Tx) error
	switch action {
	case ActionPin, ActionUnpin:
		change = func(tx *storage.Tx) error { return x.store.setThreadPinned(tx, t.ID, action == ActionPin) }
	case ActionClose, ActionReopen:
		change = func(tx *storage.Tx) error { return x.store.setThreadLocked(tx, t.ID, action == ActionClose) }
	case ActionMove:
		to, err := x.store.CategoryBySlug(ctx, toSlug)
		if errors.Is(err, storage.ErrNotFound) {
			return ErrNoCategory
		}
		if err != nil {
			return err
		}
		if to.ID == t.CategoryID {
			return nil
		}
		from, err := x.store.CategoryByID(ctx, t.CategoryID)
		if err != nil {
			return err
		}
		change = func(tx *storage.Tx) error { return x.store.moveThread(tx, t.ID, to.ID) }
		reason = strings.TrimSpace(fmt.Sprintf("From “%s” to “%s”. %s", from.Name, to.Name, reason))
	default:
		return ErrUnknownAction
	}
	return x.db.Write(ctx, func(tx *storage.Tx) error {
		if err := change(tx); err != nil {
			return err
		}
		return x.audit.RecordForumAction(tx, StaffAction{Actor: u, Action: action, ThreadID: t.ID,
			ThreadTitle: t.Title, AuthorID: t.AuthorID, Reason: reason})
	})
}

func (x *StaffTools) apply(w http.ResponseWriter, r *http.Request, u *account.User) {
	id, ok := web.PathID(r, "id")
	if !ok {
		x.web.NotFound(w, r)
		return
	}
	err := x.Apply(r.Context(), u, id, r.PostFormValue("action"), r.PostFormValue("category"), r.PostFormValue("reason"))
	if err != nil {
		x.web.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/t/%d", id), http.StatusSeeOther)
}
