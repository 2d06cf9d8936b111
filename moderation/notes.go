package moderation

import (
	"context"
	"fmt"
	"strings"
	"time"

	"stoa/account"
	"stoa/storage"
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
	if err := requireStaff(actor); err != nil {
		return err
	}
	body = strings.TrimSpace(body)
	if err := checkMessage("note", body); err != nil {
		return err
	}
	if len([]rune(body)) > MaxNoteRunes {
		return inputError("note", fmt.Sprintf("Shorten the note to %d characters or fewer.", MaxNoteRunes))
	}
	now := s.now()
	return s.db.Write(ctx, func(tx *storage.Tx) error {
		if _, err := tx.Exec("insert into mod_notes(user_id, author_id, body, created_at) values (?, ?, ?, ?)",
			member.ID, actor.ID, body, now.Unix()); err != nil {
			return fmt.Errorf("moderation: add note on %d: %w", member.ID, err)
		}
		// The note's text stays on the member's record; the audit log says only that one was written.
		return Audit(tx, actor, Entry{At: now, Action: ActAddNote, TargetKind: "user", TargetID: member.ID,
			TargetUserID: member.ID, TargetLabel: member.Username, TargetURL: "/mod/users/" + member.Username})
	})
}

// Notes lists the staff notes on a member, newest first.
func (s *Service) Notes(ctx context.Context, userID int64) ([]*Note, error) {
	rows, err := s.db.Query(ctx, `select n.id, coalesce(u.username, 'former-member'), n.body, n.created_at
		from mod_notes n left join users u on u.id = n.author_id where n.user_id = ? order by n.id desc`, userID)
	if err != nil {
		return nil, fmt.Errorf("moderation: notes on %d: %w", userID, err)
	}
	defer rows.Close()
	var out []*Note
	for rows.Next() {
		var n Note
		var at int64
		if err := rows.Scan(&n.ID, &n.Author, &n.Body, &at); err != nil {
			return nil, fmt.Errorf("moderation: notes on %d: %w", userID, err)
		}
		n.CreatedAt = time.Unix(at, 0).UTC()
		out = append(out, &n)
	}
	return out, rows.Err()
}
