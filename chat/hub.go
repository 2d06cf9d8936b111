package chat

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"

	"stoa/bus"
)

// Hub fans chat events out to the connected clients: one goroutine per room, which never
// waits on the network (each client has a bounded queue and its own writes), so a slow
// client can never delay a room.
type Hub struct {
	limits Limits
	log    *slog.Logger
	// peers are the other nodes (none in the embedded shape); with some, rooms also
	// read what they missed through store.
	peers *bus.Bus
	store *Store

	mu      sync.Mutex
	rooms   map[int64]*room
	addrs   map[string]int // open connections per client address, in memory only (P3)
	closed  bool
	rwg     sync.WaitGroup // room goroutines
	readers sync.WaitGroup // connections' reader goroutines
	closing sync.WaitGroup // clients being sent their 1001 close at shutdown

	conns     atomic.Int64 // open WebSocket connections, for metrics
	delivered atomic.Int64 // message frames written to clients, for metrics

	// frameLists are the lists of frames that clients' writes hand to writev, kept
	// between writes so that an idle client holds none.
	frameLists sync.Pool
}

// frameList returns an empty list of frames to write.
func (h *Hub) frameList() *[][]byte {
	if l, ok := h.frameLists.Get().(*[][]byte); ok {
		return l
	}
	return new([][]byte)
}

// releaseFrameList takes back a list from frameList; the frames it points to are
// dropped, since they may be large.
func (h *Hub) releaseFrameList(l *[][]byte) {
	clear(*l)
	*l = (*l)[:0]
	h.frameLists.Put(l)
}

// Connections returns how many WebSocket clients are connected to all rooms.
func (h *Hub) Connections() int64 { return h.conns.Load() }

// Delivered returns how many frames have been written to clients since start.
func (h *Hub) Delivered() int64 { return h.delivered.Load() }

func newHub(l Limits, log *slog.Logger, peers *bus.Bus, store *Store) *Hub {
	return &Hub{limits: l, log: log, peers: peers, store: store, rooms: map[int64]*room{}, addrs: map[string]int{}}
}

// room returns the running room, starting its goroutine on first use.
func (h *Hub) room(id int64, slug string) (*room, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, ErrClosed
	}
	r := h.rooms[id]
	if r == nil {
		r = &room{hub: h, id: id, slug: slug, inbox: make(chan roomEvent, 1024), wake: make(chan struct{}, 1),
			quit: make(chan struct{}), done: make(chan struct{}), clients: map[*client]struct{}{}, users: map[string]int{},
			cluster: h.peers.Clustered(), last: -1}
		h.rooms[id] = r
		h.rwg.Add(1)
		go r.run()
	}
	return r, nil
}

// running returns the room's goroutine when one runs: with nobody connected there is no
// one to tell.
func (h *Hub) running(id int64) *room {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.rooms[id]
}

// publishMessage tells the room's clients, and the other nodes, of a new or edited
// message; the database writer calls it after the commit (storage.Tx.AfterCommit), in
// commit order, so it never waits. prev is the room's message before a new one (with
// several nodes only).
func (h *Hub) publishMessage(m *Message, origin *client, nonce string, edited bool, prev int64) {
	if r := h.running(m.RoomID); r != nil {
		r.publish(roomEvent{kind: evMessage, m: m, c: origin, nonce: nonce, edited: edited, prev: prev})
	}
	if h.peers.Clustered() {
		w := toWire(m)
		w.Nonce = nonce
		kind := wireMessage
		if edited {
			kind = wireEdited
		}
		h.tell(wireEvent{Kind: kind, Msg: w, Prev: prev})
	}
}

// publishDeleted tells the room's clients, and the other nodes, to drop a message; like
// publishMessage, it is called after the commit and never waits.
func (h *Hub) publishDeleted(roomID, id int64) {
	if r := h.running(roomID); r != nil {
		r.publish(roomEvent{kind: evDeleted, id: id})
	}
	h.tell(wireEvent{Kind: wireDeleted, Room: roomID, ID: id})
}

// acquire counts a new connection from addr, refusing it over the per-address cap. No
// address is exempt, loopback included: behind a reverse proxy without --trust-proxy
// every reader arrives from the proxy's address, and a forwarded "127.0.0.1" is as easily
// written as any other, so an exemption would be no cap at all (the server logs when it
// sees forwarded requests it does not trust).
func (h *Hub) acquire(addr string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.addrs[addr] >= h.limits.MaxConnsPerAddr {
		return false
	}
	h.addrs[addr]++
	return true
}

// startReader counts a reader goroutine about to start, unless the hub is shutting down.
func (h *Hub) startReader() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.readers.Add(1)
	h.conns.Add(1)
	return true
}

func (h *Hub) release(addr string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if n, ok := h.addrs[addr]; ok {
		if n <= 1 {
			delete(h.addrs, addr)
		} else {
			h.addrs[addr] = n - 1
		}
	}
}

// Clients returns how many WebSocket clients are connected to a room, for tests and
// metrics.
func (h *Hub) Clients(roomID int64) int {
	r := h.running(roomID)
	if r == nil {
		return 0
	}
	reply := make(chan int, 1)
	if !r.send(roomEvent{kind: evCount, count: reply}) {
		return 0
	}
	select {
	case n := <-reply:
		return n
	case <-r.done:
		return 0
	}
}

// shutdown closes every client with 1001 (going away) and stops the rooms; it returns
// when they are closed or ctx ends.
func (h *Hub) shutdown(ctx context.Context) {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return
	}
	h.closed = true
	for _, r := range h.rooms {
		close(r.quit)
	}
	h.mu.Unlock()
	done := make(chan struct{})
	go func() {
		h.rwg.Wait()
		h.closing.Wait()
		h.readers.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
	}
}
