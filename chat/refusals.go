package chat

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"stoa/storage"
	"stoa/web"
)

// The refusals chat's rules give. Each is a *web.Error: its message is for the member,
// and its status answers a form post and picks the WebSocket protocol's error code
// (codeFor).
var (
	// ErrClosed refuses chat writes submitted after the server began shutting down.
	ErrClosed = web.Refused(http.StatusServiceUnavailable, "The server is restarting and did not keep this message. Send it again in a moment.")
	// ErrNotAdmin refuses room management to anyone but an administrator.
	ErrNotAdmin = web.Refused(http.StatusForbidden, "Only administrators can manage chat rooms.")
	// ErrArchived refuses a message in an archived room.
	ErrArchived = web.Refused(http.StatusForbidden, "This room is archived: its history stays readable, but it accepts no new messages.")
	// ErrRateLimited refuses a member who sends faster than Limits allow.
	ErrRateLimited = web.Refused(http.StatusTooManyRequests, "You are sending messages faster than this room allows. Wait a few seconds, then send again.")

	errLogInToChat = web.Refused(http.StatusForbidden, "Log in to chat. Reading needs no account, but writing does.")
	errLogInToEdit = web.Refused(http.StatusForbidden, "Log in to change your messages.")
	errNotYours    = web.Refused(http.StatusForbidden, "You can only change your own messages.")
	errNoMessage   = web.Refused(http.StatusNotFound, "That message does not exist or was deleted.")
	errEmpty       = web.Refused(http.StatusUnprocessableEntity, "Write a message before sending.")
	errNotText     = web.Refused(http.StatusUnprocessableEntity, "This message contains characters that are not valid text. Remove them and try again.")
	errRoomTaken   = web.Invalid("slug", "A room with that address exists already. Choose another.")

	// errSilenced is the cause of a refusal that comes from the member's sanctions, which
	// the protocol reports as "silenced" rather than "forbidden".
	errSilenced = errors.New("chat: silenced")
	// errSuspended is the cause when the sanction is a suspension (or a ban): the member
	// may not even log in as usual, and the protocol says "suspended".
	errSuspended = errors.New("chat: suspended")
)

func errTooLarge(n, limit int) error {
	return web.Refused(http.StatusRequestEntityTooLarge,
		fmt.Sprintf("This message is %d bytes; the limit is %d. Shorten it or split it into several messages.", n, limit))
}

// restricted refuses a member whose sanctions keep them from chatting, with the
// sanction's own explanation: "suspended" for a suspension or a ban, "silenced" for a
// silence.
func restricted(err error) error {
	cause := errSilenced
	var k interface{ SanctionKind() string }
	if errors.As(err, &k) && (k.SanctionKind() == "suspend" || k.SanctionKind() == "ban") {
		cause = errSuspended
	}
	return web.Refused(http.StatusForbidden, err.Error()).Because(fmt.Errorf("%w: %w", cause, err))
}

// writeFailed turns a write that failed because the server is shutting down (the
// database refused it, or Close ended the connection's context before it was queued)
// into ErrClosed.
func (s *Service) writeFailed(err error) error {
	if errors.Is(err, storage.ErrClosed) || s.closed() && errors.Is(err, context.Canceled) {
		return ErrClosed
	}
	return err
}
