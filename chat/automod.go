package chat

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"stoa/account"
	"stoa/storage"
	"stoa/watchwords"
	"stoa/web"
)

// The automatic first line in chat: watched words, messages held for review, duplicate
// messages, slow mode and frozen rooms.

// Causes that pick the protocol's error codes (codeFor).
var (
	errSlowModeCause    = errors.New("chat: slow mode")
	errFrozenCause      = errors.New("chat: room frozen")
	errDuplicateCause   = errors.New("chat: duplicate message")
	errWatchedWordCause = errors.New("chat: watched word")
)

// ErrFrozen refuses a member's message in a room staff froze.
var ErrFrozen = web.Refused(http.StatusForbidden, "This room is frozen: the moderators have paused it, and only they can send messages for now. You can still read along.").Because(errFrozenCause)

// MaxSlowSeconds bounds slow mode at one message an hour.
const MaxSlowSeconds = 3600

func errSlowMode(left time.Duration, every int) error {
	secs := int((left + time.Second - 1) / time.Second)
	e := &web.Error{Status: http.StatusTooManyRequests, RetryAfter: time.Duration(secs) * time.Second,
		Message: fmt.Sprintf("This room is in slow mode: one message every %d seconds. You can send again in %d seconds; your message is kept.", every, secs)}
	return e.Because(errSlowModeCause)
}

func errDuplicate(window time.Duration) error {
	return web.Refused(http.StatusConflict, fmt.Sprintf("You sent this same message in the last %d minutes. Write something new; your message is kept.", int(window/time.Minute))).
		Because(errDuplicateCause)
}

// HeldError says a message was stored for the moderators' review instead of being
// published: a watched word. It is not a refusal; the author is told it waits.
type HeldError struct{ Word string }

func (e *HeldError) Error() string { return "chat: held for review" }

// Message is what the author is told.
func (e *HeldError) Message() string {
	return fmt.Sprintf("Your message contains “%s”, which the moderators review before it is published. It is saved and waiting for review; only you and they know of it until then, and you will be told when they decide.", e.Word)
}

// checkPace refuses a message in a frozen room, or sooner than slow mode allows; staff
// are exempt from both.
func (s *Service) checkPace(ctx context.Context, u *account.User, room *Room) error {
	if u.IsStaff() {
		return nil
	}
	if !room.FrozenAt.IsZero() {
		return ErrFrozen
	}
	if room.SlowSeconds <= 0 {
		return nil
	}
	last, err := s.store.lastSentAt(ctx, u.ID, room.ID)
	if err != nil || last.IsZero() {
		return err
	}
	every := time.Duration(room.SlowSeconds) * time.Second
	if left := last.Add(every).Sub(s.now()); left > 0 {
		return errSlowMode(left, room.SlowSeconds)
	}
	return nil
}

// refuseDuplicate refuses a message its author sent already within the site's duplicate
// window, in any room. The form's submit token (a double submit) is answered before
// this with the first message, so only a deliberate resend is refused.
func (s *Service) refuseDuplicate(ctx context.Context, u *account.User, body string) error {
	if s.automod == nil {
		return nil
	}
	window := s.automod().DuplicateWindow()
	if window <= 0 {
		return nil
	}
	sources, err := s.store.recentSources(ctx, u.ID, s.now().Add(-window))
	if err != nil {
		return err
	}
	if watchwords.Repeats(body, sources) {
		return errDuplicate(window)
	}
	return nil
}

// screen applies the watched words to a message: a blocked word refuses it, the
// replacements are made, and a held word (for anyone but staff) is returned.
func (s *Service) screen(u *account.User, body string) (string, string, error) {
	if s.words == nil {
		return body, "", nil
	}
	r := s.words.Check(body)
	if r.Blocked != nil {
		e := r.Blocked.Refusal("form")
		return body, "", web.Refused(http.StatusUnprocessableEntity, e.Fields["form"]).Because(errWatchedWordCause)
	}
	if r.Held != nil && !u.IsStaff() {
		return r.Text, r.Held.Word, nil
	}
	return r.Text, "", nil
}

// HeldMessage is a chat message waiting for the moderators' review.
type HeldMessage struct {
	ID        int64
	RoomID    int64
	Room      string
	AuthorID  int64
	Author    string
	Source    string
	HTML      string
	Note      string
	CreatedAt time.Time
}

// hold stores m for review instead of publishing it.
func (s *Service) hold(ctx context.Context, m *Message, word string, ack bool, version int) error {
	return s.db.Write(ctx, func(tx *storage.Tx) error {
		if ack {
			if err := s.store.recordAck(tx, m.AuthorID, m.RoomID, version, m.CreatedAt); err != nil {
				return err
			}
		}
		return s.store.insertHeld(tx, m, "Watched word “"+word+"”")
	})
}

// HeldMessages lists the messages waiting for review, oldest first.
func (s *Service) HeldMessages(ctx context.Context, limit int) ([]*HeldMessage, error) {
	return s.store.heldMessages(ctx, limit)
}

var errNotHeld = web.Refused(http.StatusConflict, "This message is not waiting for review any more: another moderator decided a moment ago.")

// ApproveHeldTx publishes a held message inside a moderator's transaction, as a new
// message at the end of its room (so that ?after=ID never skips it), and tells its author.
func (s *Service) ApproveHeldTx(tx *storage.Tx, id int64) (*HeldMessage, error) {
	h, err := s.store.takeHeld(tx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, errNotHeld
	}
	if err != nil {
		return nil, err
	}
	m := &Message{RoomID: h.RoomID, Room: h.Room, AuthorID: h.AuthorID, Author: h.Author, Source: h.Source,
		CreatedAt: s.now().UTC().Truncate(time.Second)}
	s.prepare(m)
	// In the room's commit order, as a message sent now (see Send).
	tx.Order(roomOrderKey(m.RoomID))
	if err := s.store.lockRoomForMessage(tx, m.RoomID); err != nil {
		return nil, err
	}
	prev, err := s.store.publishMessage(tx, m, "", s.hub.peers.Clustered())
	if err != nil {
		return nil, err
	}
	if err := s.notifyMentioned(tx, m); err != nil {
		return nil, err
	}
	tx.AfterCommit(func() { s.hub.publishMessage(m, nil, "", false, prev) })
	return h, s.tellReviewed(tx, h, "approved", m.URL())
}

// RejectHeldTx discards a held message inside a moderator's transaction and tells its
// author; nobody else ever saw it.
func (s *Service) RejectHeldTx(tx *storage.Tx, id int64) (*HeldMessage, error) {
	h, err := s.store.takeHeld(tx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, errNotHeld
	}
	if err != nil {
		return nil, err
	}
	return h, s.tellReviewed(tx, h, "rejected", "/chat/"+h.Room)
}

func (s *Service) tellReviewed(tx *storage.Tx, h *HeldMessage, what, url string) error {
	if s.reviewNotifier == nil {
		return nil
	}
	subject := fmt.Sprintf("%s your message in #%s", what, h.Room)
	if what == "rejected" {
		subject += ": it will not be published"
	}
	_, err := s.reviewNotifier.Notify(tx, account.Notification{UserID: h.AuthorID, Kind: account.NotifyReview,
		Subject: subject, URL: url, Key: fmt.Sprintf("review:message:%d", h.ID)})
	return err
}

// RoomAudit records a moderator's change to a room in the audit log, inside the change's
// transaction; moderation's audit log implements it through the server.
type RoomAudit interface {
	RecordRoomMode(tx *storage.Tx, actor *account.User, room *Room, summary string) error
}

// SetRoomMode sets slow mode (seconds between a member's messages, 0 for off) and
// freezes or thaws room, for staff; the change is audited.
func (s *Service) SetRoomMode(ctx context.Context, u *account.User, room *Room, slowSeconds int, frozen bool) error {
	if !u.IsStaff() {
		return errNotStaff
	}
	if slowSeconds < 0 || slowSeconds > MaxSlowSeconds {
		return web.Invalid("slow", fmt.Sprintf("Choose slow mode from 0 (off) to %d seconds.", MaxSlowSeconds))
	}
	if s.audit == nil {
		return errors.New("chat: SetRoomMode needs Config.Audit")
	}
	var frozenAt time.Time
	if frozen {
		frozenAt = room.FrozenAt
		if frozenAt.IsZero() {
			frozenAt = s.now()
		}
	}
	var parts []string
	if slowSeconds > 0 {
		parts = append(parts, fmt.Sprintf("slow mode %d s", slowSeconds))
	} else {
		parts = append(parts, "slow mode off")
	}
	if frozen {
		parts = append(parts, "frozen")
	} else {
		parts = append(parts, "not frozen")
	}
	// Drop the cached room here and on the other nodes however the write ends (a failed
	// commit may still have reached the disk): their members' messages are checked
	// against the cached room's freeze and slow mode.
	defer s.roomChanged(room.ID)
	return s.db.Write(ctx, func(tx *storage.Tx) error {
		if err := s.store.setRoomMode(tx, room.ID, slowSeconds, frozenAt); err != nil {
			return err
		}
		return s.audit.RecordRoomMode(tx, u, room, "#"+room.Slug+": "+strings.Join(parts, ", "))
	})
}

var errNotStaff = web.Refused(http.StatusForbidden, "Only moderators can change a room's slow mode or freeze it.")
