package chat

import (
	"context"
	"fmt"
	"time"

	"stoa/account"
	"stoa/storage"
)

// DataSource returns chat's share of members' data, for the export and the account
// deletion that P15 promises.
func (s *Service) DataSource() account.DataSource { return dataSource{s} }

type dataSource struct{ s *Service }

// ExportedMessage is one of the member's chat messages in their data export.
type ExportedMessage struct {
	ID       int64  `json:"id"`
	Room     string `json:"room"`
	Markdown string `json:"markdown"`
	HTML     string `json:"html"`
	Sent     string `json:"sent"`
	Edited   string `json:"edited,omitempty"`
	Deleted  bool   `json:"deleted,omitempty"`
	Hidden   bool   `json:"hidden_by_moderators,omitempty"`
}

// ExportedAck is one of the member's acknowledgements that a room is public.
type ExportedAck struct {
	Room          string `json:"room"`
	PolicyVersion int    `json:"policy_version"`
	Acknowledged  string `json:"acknowledged"`
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// ExportUser hands over every chat message the member wrote, deleted ones included while
// they are still stored, and their acknowledgements.
func (d dataSource) ExportUser(ctx context.Context, userID int64, put func(name string, v any) error) error {
	msgs, err := d.s.store.queryMessages(ctx, "where m.author_id = ? order by m.id", userID)
	if err != nil {
		return err
	}
	out := make([]ExportedMessage, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, ExportedMessage{ID: m.ID, Room: m.Room, Markdown: m.Source, HTML: m.HTML,
			Sent: stamp(m.CreatedAt), Edited: stamp(m.EditedAt), Deleted: m.Deleted, Hidden: m.Hidden})
	}
	if err := put("chat_messages.json", out); err != nil {
		return err
	}
	rows, err := d.s.db.Query(ctx, `select r.slug, a.policy_version, a.acked_at from chat_acks a
		join chat_rooms r on r.id = a.room_id where a.user_id = ? order by a.acked_at`, userID)
	if err != nil {
		return fmt.Errorf("chat: export acknowledgements of %d: %w", userID, err)
	}
	defer rows.Close()
	acks := []ExportedAck{}
	for rows.Next() {
		var a ExportedAck
		var at int64
		if err := rows.Scan(&a.Room, &a.PolicyVersion, &at); err != nil {
			return fmt.Errorf("chat: export acknowledgements of %d: %w", userID, err)
		}
		a.Acknowledged = stamp(time.Unix(at, 0))
		acks = append(acks, a)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("chat: export acknowledgements of %d: %w", userID, err)
	}
	return put("chat_acknowledgements.json", acks)
}

// EraseUser blanks the member's messages when erase is true (the rows stay, marked
// deleted, so that moderation records pointing at them stay valid), or keeps them
// attributed to "former member" when false. Either way the messages lose their link to
// the account, and the acknowledgements go.
func (d dataSource) EraseUser(tx *storage.Tx, userID int64, erase bool) error {
	var err error
	if erase {
		_, err = tx.Exec(`update chat_messages set source = '', html = '', nonce = null, submit_token = null,
			deleted_at = coalesce(deleted_at, ?), author_id = null where author_id = ?`, d.s.now().Unix(), userID)
	} else {
		_, err = tx.Exec("update chat_messages set author_id = null, nonce = null, submit_token = null where author_id = ?", userID)
	}
	if err != nil {
		return fmt.Errorf("chat: erase messages of %d: %w", userID, err)
	}
	if _, err := tx.Exec("delete from chat_acks where user_id = ?", userID); err != nil {
		return fmt.Errorf("chat: erase acknowledgements of %d: %w", userID, err)
	}
	return nil
}
