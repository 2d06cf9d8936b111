package moderation

import (
	"fmt"

	"stoa/forum"
	"stoa/storage"
)

// The forum makes some staff changes itself (thread management, staff editing or
// deleting someone else's post) and records them here, in the same audit log, inside its
// own transaction. It says what it acted on, so the log never reads the forum's tables.

// forumAction maps the forum's action names to audit actions.
func forumAction(action string) (Action, bool) {
	switch action {
	case forum.ActionPin:
		return ActPinThread, true
	case forum.ActionUnpin:
		return ActUnpinThread, true
	case forum.ActionClose:
		return ActLockThread, true
	case forum.ActionReopen:
		return ActUnlockThread, true
	case forum.ActionMove:
		return ActMoveThread, true
	case forum.ActionDeletePost:
		return ActDeletePost, true
	case forum.ActionEditPost:
		return ActEditPost, true
	}
	return "", false
}

// RecordForumAction records a staff change to the forum inside the transaction that
// makes it.
func (l *AuditLog) RecordForumAction(tx *storage.Tx, a forum.StaffAction) error {
	action, ok := forumAction(a.Action)
	if !ok {
		return fmt.Errorf("moderation: unknown forum action %q", a.Action)
	}
	if a.Actor == nil {
		return fmt.Errorf("moderation: forum action %q without a staff member", a.Action)
	}
	e := Entry{Action: action, TargetKind: "thread", TargetID: a.ThreadID, TargetUserID: a.AuthorID,
		TargetLabel: "Thread “" + a.ThreadTitle + "”", TargetURL: fmt.Sprintf("/t/%d", a.ThreadID), Reason: a.Reason}
	if a.PostID != 0 {
		e.TargetKind, e.TargetID, e.TargetURL = "post", a.PostID, fmt.Sprintf("/p/%d", a.PostID)
		e.TargetLabel = "Post in “" + a.ThreadTitle + "”"
	}
	return l.Record(tx, a.Actor, e)
}
