package chat

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"stoa/account"
)

// With several nodes (--nats), each node commits its own members' messages and tells the
// others on the bus; every node forwards what it hears to its own sockets. Events are
// hints: a node delivers a room's messages in id order, and when one is missing (NATS
// restarted, events were dropped, or simply arrived out of order between two nodes) it
// reads the missing ones from the shared database. So each watcher gets each message
// once, in id order, whatever NATS does.

// subjectChat carries every chat event, so that one node's events keep their order.
const subjectChat = "chat"

// SubjectPolicy is published (by privacy, through the server) when a new privacy
// policy version is in force; chat drops the version it keeps.
const SubjectPolicy = "privacy.policy"

// Kinds of chat events between nodes.
const (
	wireMessage  = "m" // a new message
	wireEdited   = "e" // a message changed (edited, or shown again by staff)
	wireDeleted  = "d"
	wireTyping   = "t"
	wirePresence = "p" // the members a node has in a room
	wireAsk      = "q" // a node started serving a room: tell it who you have there
	wireSessions = "s" // sessions ended: close their sockets
	wireRoom     = "r" // a room changed: drop it from the cache
)

// wireEvent is one chat event between nodes.
type wireEvent struct {
	Kind string       `json:"k"`
	Room int64        `json:"r,omitempty"`
	Msg  *wireMsg     `json:"m,omitempty"`
	Prev int64        `json:"p,omitempty"` // for a new message: the room's message before it
	ID   int64        `json:"i,omitempty"`
	User string       `json:"u,omitempty"`
	Node string       `json:"n,omitempty"`
	Here []string     `json:"h,omitempty"`
	End  *wireSession `json:"s,omitempty"`
}

type wireMsg struct {
	ID       int64  `json:"i"`
	RoomID   int64  `json:"r"`
	Room     string `json:"s"`
	AuthorID int64  `json:"a"`
	Author   string `json:"u"`
	HTML     string `json:"h"`
	Nonce    string `json:"n,omitempty"`
	Created  int64  `json:"c"`
	Edited   int64  `json:"e,omitempty"`
}

type wireSession struct {
	UserID int64  `json:"u"`
	Key    string `json:"k,omitempty"`
	Reason string `json:"r"`
}

func toWire(m *Message) *wireMsg {
	w := &wireMsg{ID: m.ID, RoomID: m.RoomID, Room: m.Room, AuthorID: m.AuthorID, Author: m.Author, HTML: m.HTML,
		Nonce: m.Nonce, Created: m.CreatedAt.Unix()}
	if !m.EditedAt.IsZero() {
		w.Edited = m.EditedAt.Unix()
	}
	return w
}

func (w *wireMsg) message() *Message {
	m := &Message{ID: w.ID, RoomID: w.RoomID, Room: w.Room, AuthorID: w.AuthorID, Author: w.Author, HTML: w.HTML,
		Nonce: w.Nonce, CreatedAt: time.Unix(w.Created, 0).UTC()}
	if w.Edited != 0 {
		m.EditedAt = time.Unix(w.Edited, 0).UTC()
	}
	return m
}

// tell publishes ev to the other nodes; with none it does nothing.
func (h *Hub) tell(ev wireEvent) {
	if !h.peers.Clustered() {
		return
	}
	data, err := json.Marshal(ev)
	if err != nil {
		h.log.Error("chat: encode event", "err", err)
		return
	}
	h.peers.Publish(subjectChat, data)
}

// listen subscribes the service to the other nodes' chat events and policy changes.
func (s *Service) listen() error {
	if !s.hub.peers.Clustered() {
		return nil
	}
	s.hub.peers.OnResync(s.hub.resync)
	if err := s.hub.peers.Subscribe(SubjectPolicy, func([]byte) { s.policyVersion.invalidate() }); err != nil {
		return err
	}
	return s.hub.peers.Subscribe(subjectChat, func(data []byte) {
		var ev wireEvent
		if err := json.Unmarshal(data, &ev); err != nil {
			s.log.Warn("chat: undecodable event from another node", "err", err)
			return
		}
		s.heard(ev)
	})
}

// heard applies an event from another node.
func (s *Service) heard(ev wireEvent) {
	h := s.hub
	switch ev.Kind {
	case wireMessage, wireEdited:
		if ev.Msg == nil {
			return
		}
		m := ev.Msg.message()
		if r := h.running(m.RoomID); r != nil {
			r.publish(roomEvent{kind: evMessage, m: m, nonce: m.Nonce, edited: ev.Kind == wireEdited, prev: ev.Prev})
		}
	case wireDeleted:
		if r := h.running(ev.Room); r != nil {
			r.publish(roomEvent{kind: evDeleted, id: ev.ID})
		}
	case wireTyping:
		if r := h.running(ev.Room); r != nil {
			r.publish(roomEvent{kind: evTyping, user: ev.User})
		}
	case wirePresence:
		if r := h.running(ev.Room); r != nil {
			r.publish(roomEvent{kind: evPresence, node: ev.Node, here: ev.Here})
		}
	case wireAsk:
		if r := h.running(ev.Room); r != nil {
			r.publish(roomEvent{kind: evAsked})
		}
	case wireSessions:
		if ev.End != nil {
			h.endSessions(account.SessionEnd{UserID: ev.End.UserID, Key: ev.End.Key, Reason: ev.End.Reason})
		}
	case wireRoom:
		s.rooms.invalidate(ev.Room)
	}
}

// resync makes every running room read what it may have missed from the database.
func (h *Hub) resync() {
	h.mu.Lock()
	rooms := make([]*room, 0, len(h.rooms))
	for _, r := range h.rooms {
		rooms = append(rooms, r)
	}
	h.mu.Unlock()
	for _, r := range rooms {
		r.publish(roomEvent{kind: evResync})
	}
}

// fillTimeout bounds a room's read of missed messages.
const fillTimeout = 10 * time.Second

// clusterBeat is how often a room, with several nodes, tells the others who is here and
// checks the database for a message it never heard of; presenceExpiry is how long a
// node's members stay listed without news from it, so a node that died loses its members.
const (
	clusterBeat    = 2 * time.Second
	presenceExpiry = 3*clusterBeat + time.Second
)

// remoteHere is who another node has in a room, and until when that holds.
type remoteHere struct {
	users   []string
	expires time.Time
}

// ctx returns a context for a room's database reads.
func (h *Hub) fillContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), fillTimeout)
}

// roomChanged drops a room from this node's cache and the other nodes'.
func (s *Service) roomChanged(id int64) {
	s.rooms.invalidate(id)
	s.hub.tell(wireEvent{Kind: wireRoom, Room: id})
}

// roomOrderKey is the storage.Tx.Order key of a room's writes.
func roomOrderKey(id int64) string { return "chat-room:" + strconv.FormatInt(id, 10) }
