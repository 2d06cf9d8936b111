package moderation

import (
	"context"
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
	ActResetLink        Action = "password_reset_link"
	// ActChangeSiteSettings: an admin renamed or described the site (site/).
	ActChangeSiteSettings Action = "change_site_settings"
	// ActAgreeRemoved: reports closed as agreed with, their content already removed by
	// its author.
	ActAgreeRemoved Action = "agree_removed"
	// ActEditNoticeTemplate: an admin added, changed or removed a notice template.
	ActEditNoticeTemplate Action = "edit_notice_template"
	// The automatic first line (issue 15): an admin changed the watched words or the
	// automatic moderation settings; a moderator approved or rejected what waited for
	// review; reports hid something by themselves (no actor); a moderator set a chat
	// room's slow mode or freeze.
	ActChangeWatchedWords    Action = "change_watched_words"
	ActChangeAutomodSettings Action = "change_automod_settings"
	ActApprovePost           Action = "approve_post"
	ActRejectPost            Action = "reject_post"
	ActApproveMessage        Action = "approve_message"
	ActRejectMessage         Action = "reject_message"
	ActAutoHide              Action = "auto_hide"
	ActChangeRoomMode        Action = "change_room_mode"
)

// Actions lists every action in the order they were added, for filters.
func Actions() []Action {
	return []Action{ActDismissReports, ActHidePost, ActUnhidePost, ActDeletePost, ActLockThread,
		ActUnlockThread, ActDeleteMessage, ActSendNotice, ActSilence, ActSuspend, ActBan, ActLiftSanction,
		ActAddNote, ActChangeRole, ActPinThread, ActUnpinThread, ActMoveThread, ActViewEmail, ActExportMemberData,
		ActEditPost, ActResetLink, ActChangeSiteSettings, ActChangeWatchedWords, ActApprovePost, ActRejectPost,
		ActApproveMessage, ActRejectMessage, ActAutoHide, ActChangeRoomMode, ActChangeAutomodSettings,
		ActAgreeRemoved, ActEditNoticeTemplate}
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
	case ActResetLink:
		return "Password reset link made"
	case ActChangeSiteSettings:
		return "Site settings changed"
	case ActAgreeRemoved:
		return "Reports agreed — already removed"
	case ActEditNoticeTemplate:
		return "Notice template changed"
	case ActChangeWatchedWords:
		return "Watched words changed"
	case ActChangeAutomodSettings:
		return "Automatic moderation settings changed"
	case ActApprovePost:
		return "Post approved after review"
	case ActRejectPost:
		return "Post rejected after review"
	case ActApproveMessage:
		return "Chat message approved after review"
	case ActRejectMessage:
		return "Chat message rejected after review"
	case ActAutoHide:
		return "Hidden automatically after reports"
	case ActChangeRoomMode:
		return "Chat room slow mode or freeze changed"
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
	// Reason is the one the staff member gave, or empty: never a reporter's category.
	Reason string
	// AboutKind and AboutID name the reported thing or member the decision was taken on,
	// when it differs from the target (a notice sent about a post is about the post).
	AboutKind string
	AboutID   int64
}

// AuditLog is the append-only record of every staff action. It needs only the database,
// so the packages below moderation (the forum's thread management, privacy's staff access
// to personal data) can be given it when they are built.
type AuditLog struct {
	store *store
	db    *storage.DB
	now   func() time.Time
}

// NewAuditLog returns the audit log kept in db.
func NewAuditLog(db *storage.DB) *AuditLog {
	return &AuditLog{store: newStore(db), db: db, now: time.Now}
}

// Record appends an entry inside tx: the action and the change it records commit
// together or not at all. actor is nil for the system; a zero e.At is now.
func (l *AuditLog) Record(tx *storage.Tx, actor *account.User, e Entry) error {
	if e.At.IsZero() {
		e.At = l.now()
	}
	e.ActorID, e.ActorName = 0, ""
	if actor != nil {
		e.ActorID, e.ActorName = actor.ID, actor.Username
	}
	return l.store.insertAudit(tx, e)
}

// RecordAccess records, in a write of its own, that a staff member looked at or exported
// a member's personal data (P12, P13).
func (l *AuditLog) RecordAccess(ctx context.Context, actor, member *account.User, action Action, reason string) error {
	return l.db.Write(ctx, func(tx *storage.Tx) error {
		return l.Record(tx, actor, Entry{Action: action, TargetKind: "user", TargetID: member.ID, TargetUserID: member.ID,
			TargetLabel: member.Username, TargetURL: "/u/" + member.Username, Reason: reason})
	})
}

// AuditFilter selects audit entries; zero fields select everything.
type AuditFilter struct {
	Action       Action
	Actor        string // username of the staff member
	TargetUserID int64
	// TargetKind with TargetID: entries about one post, message, thread or member, and
	// every entry of a decision taken on it (its notice, its sanction, its thread closed).
	TargetKind string
	TargetID   int64
	PublicOnly bool
	// WithoutActions leaves these actions out (administrators' access to personal data,
	// for moderators' reading).
	WithoutActions []Action
	Limit          int // 50 when zero
	Offset         int
}

// Entries lists audit entries newest first, with the total that match.
func (l *AuditLog) Entries(ctx context.Context, f AuditFilter) ([]Entry, int, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	return l.store.auditEntries(ctx, f)
}

// AdminOnlyActions are the entries only administrators read: their access to members'
// personal data (P12, P13), whose reasons may name a legal request.
func AdminOnlyActions() []Action {
	return []Action{ActViewEmail, ActExportMemberData, ActResetLink}
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
