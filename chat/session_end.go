package chat

import (
	"context"

	"github.com/gorilla/websocket"

	"stoa/account"
	"stoa/storage"
)

// Sessions says whether a login session is still live; account.Store implements it.
// Chat asks before every message a connection sends, so that a socket opened under a
// session that ended since (logout, password reset, account deletion, a ban) cannot
// write as its member, even if the event that closes it was missed.
type Sessions interface {
	SessionActive(ctx context.Context, key string) (bool, error)
}

// CloseSessionEnded is the close code of a WebSocket whose member's session ended, or who
// may no longer chat: 1008, policy violation. The reason says why; the page reconnects
// as a reader.
const CloseSessionEnded = websocket.ClosePolicyViolation

// reasonSessionGone closes a connection whose session was found ended when it sent.
const reasonSessionGone = "Your session has ended. Log in again to chat."

// SessionsEnded closes the WebSockets of sessions that ended (account.SessionEvents): every
// connection of the member, or the one session's. It is called after the commit that
// ended them and never waits: each running room is handed the event.
func (s *Service) SessionsEnded(e account.SessionEnd) {
	s.hub.endSessions(e)
	s.hub.tell(wireEvent{Kind: wireSessions, End: &wireSession{UserID: e.UserID, Key: e.Key, Reason: e.Reason}})
}

// EndChats closes every WebSocket of a member once tx commits, with reason: for a
// sanction that stops them chatting. Their page reconnects; what they may do then is
// checked again.
func (s *Service) EndChats(tx *storage.Tx, userID int64, reason string) {
	tx.AfterCommit(func() { s.SessionsEnded(account.SessionEnd{UserID: userID, Reason: reason}) })
}

func (h *Hub) endSessions(e account.SessionEnd) {
	h.mu.Lock()
	rooms := make([]*room, 0, len(h.rooms))
	for _, r := range h.rooms {
		rooms = append(rooms, r)
	}
	h.mu.Unlock()
	for _, r := range rooms {
		r.publish(roomEvent{kind: evSessionEnded, end: e})
	}
}

// endSessions, on the room's goroutine, drops the clients of an ended session and closes
// them with the reason.
func (r *room) endSessions(e account.SessionEnd) {
	for c := range r.clients {
		if c.user == nil || c.user.ID != e.UserID || e.Key != "" && c.session != e.Key {
			continue
		}
		r.handle(roomEvent{kind: evLeave, c: c})
		go c.shut(CloseSessionEnded, e.Reason)
	}
}

// sessionLive checks, before c writes as its member, that the session it was opened with
// is still live; if not, it closes c and reports false.
func (s *Service) sessionLive(ctx context.Context, c *client) (bool, error) {
	if c.user == nil {
		return true, nil
	}
	live, err := s.sessions.SessionActive(ctx, c.session)
	if err != nil || live {
		return live, err
	}
	c.room.leave(c)
	c.shut(CloseSessionEnded, reasonSessionGone)
	return false, nil
}
