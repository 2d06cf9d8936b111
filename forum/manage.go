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

// StaffAction records a staff member's action on the forum for the audit log. It runs
// inside the transaction that makes the change, so an action is never made unrecorded.
// target names what was acted on ("thread:12"); reason is the moderator's, maybe empty.
type StaffAction func(tx *storage.Tx, actorID int64, action, target, reason string) error

// Thread management actions, as the audit log records them.
const (
	ActionPin    = "thread.pin"
	ActionUnpin  = "thread.unpin"
	ActionClose  = "thread.close"
	ActionReopen = "thread.reopen"
	ActionMove   = "thread.move"
	// Staff acting on someone else's post through the ordinary edit and delete forms.
	ActionEditPost   = "post.edit"
	ActionDeletePost = "post.delete"
)

// MaxReasonRunes bounds the reason a moderator gives for an action.
const MaxReasonRunes = 500

// Errors a moderator may see as they are.
var (
	ErrNotStaff      = errors.New("Only moderators can pin, close or move threads.")
	ErrUnknownAction = errors.New("Choose pin, unpin, close, reopen or move.")
	ErrNoCategory    = errors.New("Choose the category to move the thread to.")
	ErrLongReason    = fmt.Errorf("Shorten the reason to %d characters or fewer.", MaxReasonRunes)
)

// OnStaffAction registers fn to record every thread management action (the moderation
// audit log).
func (e *Extras) OnStaffAction(fn StaffAction) { e.svc.staff = append(e.svc.staff, fn) }

// Manage applies a moderator's action to a thread: pin or unpin it in its category, close
// or reopen it to replies, or move it to the category with slug toSlug.
func (e *Extras) Manage(ctx context.Context, u *account.User, threadID int64, action, toSlug, reason string) error {
	if !u.IsStaff() {
		return ErrNotStaff
	}
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > MaxReasonRunes {
		return ErrLongReason
	}
	t, err := e.svc.store.ThreadByID(ctx, threadID)
	if err != nil {
		return err
	}
	if t.Deleted {
		return storage.ErrNotFound
	}
	var stmt string
	var args []any
	switch action {
	case ActionPin, ActionUnpin:
		stmt, args = "update threads set pinned = ? where id = ?", []any{action == ActionPin, t.ID}
	case ActionClose, ActionReopen:
		stmt, args = "update threads set locked = ? where id = ?", []any{action == ActionClose, t.ID}
	case ActionMove:
		to, err := e.svc.store.CategoryBySlug(ctx, toSlug)
		if errors.Is(err, storage.ErrNotFound) {
			return ErrNoCategory
		}
		if err != nil {
			return err
		}
		if to.ID == t.CategoryID {
			return nil
		}
		from, err := e.svc.store.CategoryByID(ctx, t.CategoryID)
		if err != nil {
			return err
		}
		stmt, args = "update threads set category_id = ? where id = ?", []any{to.ID, t.ID}
		reason = strings.TrimSpace(fmt.Sprintf("From “%s” to “%s”. %s", from.Name, to.Name, reason))
	default:
		return ErrUnknownAction
	}
	return e.svc.db.Write(ctx, func(tx *storage.Tx) error {
		if _, err := tx.Exec(stmt, args...); err != nil {
			return fmt.Errorf("forum: %s %d: %w", action, t.ID, err)
		}
		return e.svc.recordStaff(tx, u.ID, action, fmt.Sprintf("thread:%d", t.ID), reason)
	})
}

func (e *Extras) manage(w http.ResponseWriter, r *http.Request) {
	u := account.UserFrom(r.Context())
	if u == nil {
		web.RequireLogin(w, r)
		return
	}
	if !u.IsStaff() {
		e.web.Forbidden(w, r, ErrNotStaff.Error())
		return
	}
	id, ok := pathID(r)
	if !ok {
		e.web.NotFound(w, r)
		return
	}
	if err := web.ParseForm(w, r); err != nil {
		e.web.BadInput(w, r, err)
		return
	}
	err := e.Manage(r.Context(), u, id, r.PostFormValue("action"), r.PostFormValue("category"), r.PostFormValue("reason"))
	switch {
	case err == nil:
		http.Redirect(w, r, fmt.Sprintf("/t/%d", id), http.StatusSeeOther)
	case errors.Is(err, storage.ErrNotFound):
		e.web.NotFound(w, r)
	case errors.Is(err, ErrUnknownAction), errors.Is(err, ErrNoCategory), errors.Is(err, ErrLongReason):
		e.web.Error(w, r, http.StatusUnprocessableEntity, "Thread not changed", err.Error()+" Go back to the thread and try again.")
	default:
		e.web.ServerError(w, r, err)
	}
}
