package moderation

import (
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"stoa/account"
	"stoa/storage"
)

// The forum makes some staff changes itself (thread management) and records them here,
// in the same audit log, inside its own transaction.

// forumAction maps the forum's thread-management actions (forum.ActionPin and its
// siblings) to audit actions.
func forumAction(action string) (Action, bool) {
	switch action {
	case "thread.pin":
		return ActPinThread, true
	case "thread.unpin":
		return ActUnpinThread, true
	case "thread.close":
		return ActLockThread, true
	case "thread.reopen":
		return ActUnlockThread, true
	case "thread.move":
		return ActMoveThread, true
	case "post.delete":
		return ActDeletePost, true
	case "post.edit":
		return ActEditPost, true
	}
	return "", false
}

// RecordForumAction records a staff action on the forum inside the transaction that makes
// it; it has the shape of forum.StaffAction. target is "thread:ID" or "post:ID".
func (s *Service) RecordForumAction(tx *storage.Tx, actorID int64, action, target, reason string) error {
	a, ok := forumAction(action)
	if !ok {
		return fmt.Errorf("moderation: unknown forum action %q", action)
	}
	kind, idText, _ := strings.Cut(target, ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	if kind != "thread" && kind != "post" || err != nil {
		return fmt.Errorf("moderation: forum action on %q: not a thread or post", target)
	}
	actor, err := userInTx(tx, actorID)
	if err != nil {
		return err
	}
	if kind == "post" {
		e := Entry{At: s.now(), Action: a, TargetKind: "post", TargetID: id, TargetURL: fmt.Sprintf("/p/%d", id), Reason: reason}
		var title string
		if err := tx.QueryRow("select t.title, p.author_id from posts p join threads t on t.id = p.thread_id where p.id = ?", id).
			Scan(&title, &e.TargetUserID); err != nil {
			return fmt.Errorf("moderation: forum action on post %d: %w", id, err)
		}
		e.TargetLabel = "Post in “" + title + "”"
		return Audit(tx, actor, e)
	}
	e := Entry{At: s.now(), Action: a, TargetKind: "thread", TargetID: id, TargetURL: fmt.Sprintf("/t/%d", id), Reason: reason}
	var title string
	if err := tx.QueryRow("select title, author_id from threads where id = ?", id).Scan(&title, &e.TargetUserID); err != nil {
		return fmt.Errorf("moderation: forum action on thread %d: %w", id, err)
	}
	e.TargetLabel = "Thread “" + title + "”"
	return Audit(tx, actor, e)
}

// userInTx loads who did something, for the audit entry's name.
func userInTx(tx *storage.Tx, id int64) (*account.User, error) {
	u := &account.User{ID: id}
	err := tx.QueryRow("select username from users where id = ?", id).Scan(&u.Username)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("moderation: no member %d to record an action by", id)
	}
	if err != nil {
		return nil, fmt.Errorf("moderation: load member %d: %w", id, err)
	}
	return u, nil
}
