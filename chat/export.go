package chat

import (
	"context"
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
// their text is still stored (a message staff deleted, until the retention period ends),
// and their acknowledgements.
func (d dataSource) ExportUser(ctx context.Context, userID int64, put func(name string, v any) error) error {
	msgs, err := d.s.store.messagesByAuthor(ctx, userID)
	if err != nil {
		return err
	}
	out := make([]ExportedMessage, 0, len(msgs))
	for _, m := range msgs {
		if m.Deleted && m.Source == "" {
			continue // deleted, and its text is gone: there is nothing left to hand over
		}
		out = append(out, ExportedMessage{ID: m.ID, Room: m.Room, Markdown: m.Source, HTML: m.HTML,
			Sent: stamp(m.CreatedAt), Edited: stamp(m.EditedAt), Deleted: m.Deleted, Hidden: m.Hidden})
	}
	if err := put("chat_messages.json", out); err != nil {
		return err
	}
	records, err := d.s.store.acksByUser(ctx, userID)
	if err != nil {
		return err
	}
	acks := make([]ExportedAck, 0, len(records))
	for _, a := range records {
		acks = append(acks, ExportedAck{Room: a.Room, PolicyVersion: a.Version, Acknowledged: stamp(a.At)})
	}
	if err := put("chat_acknowledgements.json", acks); err != nil {
		return err
	}
	reads, err := d.s.store.readsByUser(ctx, userID)
	if err != nil {
		return err
	}
	positions := make([]ExportedRead, 0, len(reads))
	for _, r := range reads {
		positions = append(positions, ExportedRead{Room: r.Room, LastReadMessage: r.LastID})
	}
	if err := put("chat_reading_positions.json", positions); err != nil {
		return err
	}
	held, err := d.s.store.heldByAuthor(ctx, userID)
	if err != nil {
		return err
	}
	waiting := make([]ExportedHeld, 0, len(held))
	for _, h := range held {
		waiting = append(waiting, ExportedHeld{Room: h.Room, Markdown: h.Source, Sent: stamp(h.CreatedAt), Why: h.Note})
	}
	return put("chat_messages_waiting_for_review.json", waiting)
}

// ExportedHeld is one of the member's chat messages still waiting for the moderators'
// review.
type ExportedHeld struct {
	Room     string `json:"room"`
	Markdown string `json:"markdown"`
	Sent     string `json:"sent"`
	Why      string `json:"why"`
}

// ExportedRead is how far the member has read one room, which the unread counts use.
type ExportedRead struct {
	Room            string `json:"room"`
	LastReadMessage int64  `json:"last_read_message_id"`
}

var _ account.ErasePlanner = dataSource{}

// PurgeDeleted empties the messages deleted before cutoff that still have text: those
// staff deleted, kept for the moderators' review until then (P3).
func (s *Service) PurgeDeleted(ctx context.Context, cutoff time.Time) error {
	return s.db.Write(ctx, func(tx *storage.Tx) error { return s.store.purgeDeleted(tx, cutoff) })
}

// EraseUser blanks the member's messages when erase is true (the rows stay, marked
// deleted, so that moderation records pointing at them stay valid), or keeps them
// attributed to "former member" when false. Either way the messages lose their link to
// the account, and the acknowledgements go.
func (d dataSource) EraseUser(tx *storage.Tx, userID int64, erase bool) error {
	var err error
	if erase {
		err = d.s.store.eraseAuthor(tx, userID, d.s.now())
	} else {
		err = d.s.store.detachAuthor(tx, userID)
	}
	if err != nil {
		return err
	}
	if err := d.s.store.deleteReads(tx, userID); err != nil {
		return err
	}
	// Messages still waiting for review were never published: they go either way.
	if err := d.s.store.deleteHeldOf(tx, userID); err != nil {
		return err
	}
	return d.s.store.deleteAcks(tx, userID)
}
