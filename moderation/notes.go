package moderation

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"stoa/account"
	"stoa/storage"
	"stoa/web"
)

// Note is a private note staff keep on a member; the member never sees it.
type Note struct {
	ID        int64
	Author    string
	Body      string
	CreatedAt time.Time
}

// MaxNoteRunes bounds a staff note.
const MaxNoteRunes = 4000

// AddNote keeps a private note on a member.
func (s *Service) AddNote(ctx context.Context, actor, member *account.User, body string) error {
	if !actor.IsStaff() {
		return ErrNotStaff
	}
	body = strings.TrimSpace(body)
	if err := checkMessage("note", body); err != nil {
		return err
	}
	if utf8.RuneCountInString(body) > MaxNoteRunes {
		return web.Invalid("note", fmt.Sprintf("Shorten the note to %d characters or fewer.", MaxNoteRunes))
	}
	now := s.now()
	return s.db.Write(ctx, func(tx *storage.Tx) error {
		if err := s.store.insertNote(tx, member.ID, actor.ID, body, now); err != nil {
			return err
		}
		// The note's text stays on the member's record; the audit log says only that one was written.
		return s.audit.Record(tx, actor, Entry{At: now, Action: ActAddNote, TargetKind: "user", TargetID: member.ID,
			TargetUserID: member.ID, TargetLabel: member.Username, TargetURL: "/mod/users/" + member.Username})
	})
}

// Notes lists the staff notes on a member, newest first.
func (s *Service) Notes(ctx context.Context, userID int64) ([]*Note, error) {
	return s.store.notes(ctx, userID)
}
