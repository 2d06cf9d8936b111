package chat

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"

	"stoa/account"
	"stoa/web"
)

const maxNonce = 64

// readLoop is the connection's one reader. It runs in its own goroutine, started after
// the HTTP handler returned: net/http then lets go of the request's buffers, which would
// otherwise stay alive for as long as the connection does.
func (s *Service) readLoop(c *client, room *Room) {
	defer func() {
		c.room.leave(c)
		c.fail()
		s.hub.release(c.addr)
		s.hub.conns.Add(-1)
		s.hub.readers.Done()
	}()
	c.conn.SetReadLimit(s.limits.MaxFrameBytes)
	c.conn.SetReadDeadline(time.Now().Add(s.limits.PongWait))
	c.conn.SetPongHandler(func(string) error {
		return c.conn.SetReadDeadline(time.Now().Add(s.limits.PongWait))
	})
	for {
		kind, data, err := c.conn.ReadMessage()
		if err != nil {
			s.log.Debug("chat: connection ended", "room", c.room.slug, "err", err)
			return
		}
		c.conn.SetReadDeadline(time.Now().Add(s.limits.PongWait))
		s.handleFrame(c, room, kind, data)
	}
}

// handleFrame answers one client frame. A frame it cannot use gets a bad_request error
// and the connection stays open.
func (s *Service) handleFrame(c *client, room *Room, kind int, data []byte) {
	in, refusal := decodeFrame(kind, data)
	if refusal != nil {
		c.send(refusal)
		return
	}
	ctx, cancel := context.WithTimeout(s.ctx, 30*time.Second)
	defer cancel()
	if in.Type == "send" || in.Type == "edit" || in.Type == "delete" {
		if live, err := s.sessionLive(ctx, c); !live {
			if err != nil {
				c.send(s.errorFrameFor(err, in.Nonce))
			}
			return
		}
	}
	var err error
	switch in.Type {
	case "send":
		// The room may have been renamed or archived since the connection opened.
		if fresh, rerr := s.roomByID(ctx, room.ID); rerr == nil {
			room = fresh
		}
		_, err = s.send(ctx, c.user, room, Input{Body: in.Body, Nonce: in.Nonce, Confirm: in.Confirm}, c)
	case "edit":
		_, err = s.edit(ctx, c.user, in.ID, room.ID, in.Body, in.Nonce, in.Confirm, c)
	case "delete":
		_, err = s.delete(ctx, c.user, in.ID, room.ID)
	case "read":
		err = s.readFrame(ctx, c, room, in.ID)
	case "typing":
		if c.name() != "" && time.Since(c.lastTyping) >= s.limits.TypingEvery {
			c.lastTyping = time.Now()
			c.room.typing(c)
		}
	default:
		c.send(errorFrame(CodeBadRequest, "Unknown request type; use send, edit, delete, read or typing.", in.Nonce))
	}
	if err != nil {
		c.send(s.errorFrameFor(err, in.Nonce))
	}
}

// decodeFrame reads one client frame, or returns the bad_request error frame that
// answers it. It never fails in any other way, whatever the bytes.
func decodeFrame(kind int, data []byte) (inbound, []byte) {
	var in inbound
	if kind != websocket.TextMessage {
		return in, errorFrame(CodeBadRequest, "Send each request as one JSON object in a text frame.", "")
	}
	if !utf8.Valid(data) {
		return in, errorFrame(CodeBadRequest, "That frame is not valid UTF-8 text.", "")
	}
	if err := json.Unmarshal(data, &in); err != nil {
		return in, errorFrame(CodeBadRequest, "That frame is not a JSON object this server understands.", "")
	}
	if len(in.Nonce) > maxNonce {
		return in, errorFrame(CodeBadRequest, "Use a nonce of at most 64 characters.", "")
	}
	return in, nil
}

// errorFrameFor turns a refusal into its frame; unexpected errors are logged and the
// member is told to try again, with nothing internal revealed.
func (s *Service) errorFrameFor(err error, nonce string) []byte {
	var confirm *ConfirmError
	if errors.As(err, &confirm) {
		return encode(outConfirm{Type: "confirm_required", Nonce: nonce, Findings: confirm.Findings})
	}
	if e := web.AsError(err); e != nil {
		return errorFrame(codeFor(e), e.Message, nonce)
	}
	s.log.Error("chat: request failed", "err", err)
	return errorFrame(CodeUnavailable, "The message could not be saved. Send it again in a moment.", nonce)
}

// replay writes every visible message of room after id after, oldest first, and returns
// the id of the last one. The member's own messages carry the nonce they were sent with,
// so a client can tell which of its unacknowledged messages arrived.
func (s *Service) replay(ctx context.Context, c *client, room *Room, after int64) (int64, error) {
	const page = 200
	items := make([]outItem, 0, page)
	for {
		msgs, err := s.store.After(ctx, room.ID, after, page)
		if err != nil {
			return after, err
		}
		items = items[:0]
		for _, m := range msgs {
			nonce := ""
			if c.user != nil && m.AuthorID == c.user.ID {
				nonce = m.Nonce
			}
			items = append(items, outItem{frame: textFrame(messageFrame(m, nonce, !m.EditedAt.IsZero()))})
		}
		if len(items) > 0 {
			// A page of history goes out in one write.
			if err := c.write(items); err != nil {
				return after, writeError{err}
			}
			after = msgs[len(msgs)-1].ID
		}
		if len(msgs) < page {
			return after, nil
		}
	}
}

// connect runs a WebSocket from the upgrade to the start of its reader: join the room,
// replay what the client missed, then let live frames flow.
func (s *Service) connect(r *http.Request, conn *websocket.Conn, wire *wireConn, rm *room, room *Room, addr string, after int64, resume bool) {
	c := &client{conn: conn, wire: wire, room: rm, user: account.UserFrom(r.Context()), session: account.SessionFrom(r.Context()),
		addr: addr, limits: &s.limits, log: s.log, paused: true}
	// Join before reading history: a message committed meanwhile is then both replayed
	// and queued, and resume drops the copy, so nothing falls between the two.
	if !rm.join(c) {
		c.shut(websocket.CloseGoingAway, "The server is restarting. Reconnect in a moment.")
		s.hub.release(addr)
		return
	}
	last := int64(-1)
	if resume {
		var err error
		if last, err = s.replay(r.Context(), c, room, after); err != nil {
			if !errors.As(err, new(writeError)) {
				s.log.Error("chat: replay failed", "room", room.Slug, "err", err)
				c.shut(websocket.CloseInternalServerErr, "History could not be loaded. Reconnect in a moment.")
			}
			rm.leave(c)
			c.fail()
			s.hub.release(addr)
			return
		}
	}
	if !s.hub.startReader() {
		c.shut(websocket.CloseGoingAway, "The server is restarting. Reconnect in a moment.")
		rm.leave(c)
		s.hub.release(addr)
		return
	}
	c.resume(last)
	go s.readLoop(c, room)
}

// writeError is a failure to write to the client: it went away, nothing to report.
type writeError struct{ err error }

func (e writeError) Error() string { return "chat: write: " + e.err.Error() }
func (e writeError) Unwrap() error { return e.err }

// hijacker lets gorilla's upgrader reach the connection through response-writer wrappers
// (such as the request logger's) that offer Unwrap but not Hijack, and hands gorilla the
// connection as a wireConn, through which chat writes.
type hijacker struct {
	http.ResponseWriter
	wait time.Duration // the longest one write may take
	wire *wireConn     // set by Hijack
}

func (h *hijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(h.ResponseWriter).Hijack()
	if err != nil {
		return conn, rw, err
	}
	h.wire = &wireConn{Conn: conn, wait: h.wait}
	return h.wire, rw, nil
}
