package moderation

import (
	"context"
	"fmt"
	"strings"
	"time"

	"stoa/account"
	"stoa/storage"
)

// Action is what a staff member did, from a fixed enum that is only ever appended to:
// the audit_actions table holds the same names and refuses changes and deletions.
type Action string

// The audited actions. Keep in step with the audit_actions rows of the migrations.
const (
	ActDismissReports   Action = "dismiss_reports"
	ActHidePost         Action = "hide_post"
	ActUnhidePost       Action = "unhide_post"
	ActDeletePost       Action = "delete_post"
	ActLockThread       Action = "lock_thread"
	ActUnlockThread     Action = "unlock_thread"
	ActDeleteMessage    Action = "delete_message"
	ActSendNotice       Action = "send_notice"
	ActSilence          Action = "silence"
	ActSuspend          Action = "suspend"
	ActBan              Action = "ban"
	ActLiftSanction     Action = "lift_sanction"
	ActAddNote          Action = "add_note"
	ActChangeRole       Action = "change_role"
	ActPinThread        Action = "pin_thread"
	ActUnpinThread      Action = "unpin_thread"
	ActMoveThread       Action = "move_thread"
	ActViewEmail        Action = "view_email"
	ActExportMemberData Action = "export_member_data"
	ActEditPost         Action = "edit_post"
)

// Actions lists every action in the order they were added, for filters.
func Actions() []Action {
	return []Action{ActDismissReports, ActHidePost, ActUnhidePost, ActDeletePost, ActLockThread,
		ActUnlockThread, ActDeleteMessage, ActSendNotice, ActSilence, ActSuspend, ActBan, ActLiftSanction,
		ActAddNote, ActChangeRole, ActPinThread, ActUnpinThread, ActMoveThread, ActViewEmail, ActExportMemberData,
		ActEditPost}
}

// Label is the action in words, for the audit and moderation logs.
func (a Action) Label() string {
	switch a {
	case ActDismissReports:
		return "Reports dismissed"
	case ActHidePost:
		return "Post hidden"
	case ActUnhidePost:
		return "Post shown again"
	case ActDeletePost:
		return "Post deleted"
	case ActLockThread:
		return "Thread closed"
	case ActUnlockThread:
		return "Thread reopened"
	case ActDeleteMessage:
		return "Chat message deleted"
	case ActSendNotice:
		return "Notice sent"
	case ActSilence:
		return "Member silenced"
	case ActSuspend:
		return "Member suspended"
	case ActBan:
		return "Member banned"
	case ActLiftSanction:
		return "Sanction lifted"
	case ActAddNote:
		return "Staff note added"
	case ActChangeRole:
		return "Role changed"
	case ActPinThread:
		return "Thread pinned"
	case ActUnpinThread:
		return "Thread unpinned"
	case ActMoveThread:
		return "Thread moved"
	case ActViewEmail:
		return "Email address viewed"
	case ActExportMemberData:
		return "Member data exported"
	case ActEditPost:
		return "Post edited by staff"
	}
	return strings.ReplaceAll(string(a), "_", " ")
}

// Entry is one line of the audit log.
type Entry struct {
	ID           int64
	At           time.Time
	ActorID      int64
	ActorName    string
	Action       Action
	TargetKind   string // post, thread, message, user
	TargetID     int64
	TargetUserID int64
	TargetLabel  string
	TargetURL    string
	Reason       string
}

// Audit appends an entry inside tx: the action and the change it records commit
// together or not at all. Other packages (the data export, P12) record through it.
func Audit(tx *storage.Tx, actor *account.User, e Entry) error {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	var actorID any
	if actor != nil {
		actorID, e.ActorName = actor.ID, actor.Username
	}
	var targetID, targetUser any
	if e.TargetID != 0 {
		targetID = e.TargetID
	}
	if e.TargetUserID != 0 {
		targetUser = e.TargetUserID
	}
	_, err := tx.Exec(`insert into audit_log(at, actor_id, actor_name, action, target_kind, target_id, target_user_id,
		target_label, target_url, reason) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.At.Unix(), actorID, e.ActorName, string(e.Action), e.TargetKind, targetID, targetUser, e.TargetLabel, e.TargetURL, e.Reason)
	if err != nil {
		return fmt.Errorf("moderation: audit %s: %w", e.Action, err)
	}
	return nil
}

// AuditFilter selects audit entries; zero fields select everything.
type AuditFilter struct {
	Action       Action
	Actor        string // username of the staff member
	TargetUserID int64
	TargetKind   string // with TargetID: entries about one post, message, thread or member
	TargetID     int64
	PublicOnly   bool
	Limit        int
	Offset       int
}

// AuditEntries lists audit entries newest first, with the total that match.
func (s *Service) AuditEntries(ctx context.Context, f AuditFilter) ([]Entry, int, error) {
	where := []string{"1 = 1"}
	var args []any
	if f.Action != "" {
		where = append(where, "l.action = ?")
		args = append(args, string(f.Action))
	}
	if f.Actor != "" {
		where = append(where, "lower(l.actor_name) = ?")
		args = append(args, account.UsernameKey(f.Actor))
	}
	if f.TargetUserID != 0 {
		where = append(where, "l.target_user_id = ?")
		args = append(args, f.TargetUserID)
	}
	if f.TargetKind != "" {
		where = append(where, "l.target_kind = ? and l.target_id = ?")
		args = append(args, f.TargetKind, f.TargetID)
	}
	if f.PublicOnly {
		where = append(where, "a.public = 1")
	}
	cond := strings.Join(where, " and ")
	var total int
	if err := s.db.QueryRow(ctx, "select count(*) from audit_log l join audit_actions a on a.name = l.action where "+cond,
		args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("moderation: count audit entries: %w", err)
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	rows, err := s.db.Query(ctx, `select l.id, l.at, coalesce(l.actor_id, 0), l.actor_name, l.action, l.target_kind,
		coalesce(l.target_id, 0), coalesce(l.target_user_id, 0), l.target_label, l.target_url, l.reason
		from audit_log l join audit_actions a on a.name = l.action where `+cond+` order by l.id desc limit ? offset ?`,
		append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("moderation: list audit entries: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var at int64
		var action string
		if err := rows.Scan(&e.ID, &at, &e.ActorID, &e.ActorName, &action, &e.TargetKind, &e.TargetID, &e.TargetUserID,
			&e.TargetLabel, &e.TargetURL, &e.Reason); err != nil {
			return nil, 0, fmt.Errorf("moderation: list audit entries: %w", err)
		}
		e.At, e.Action = time.Unix(at, 0).UTC(), Action(action)
		out = append(out, e)
	}
	return out, total, rows.Err()
}

// ParseAction returns the action named s, or false when s names none.
func ParseAction(s string) (Action, bool) {
	for _, a := range Actions() {
		if string(a) == s {
			return a, true
		}
	}
	return "", false
}
