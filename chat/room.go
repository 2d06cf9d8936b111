package chat

import (
	"slices"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"stoa/account"
)

type eventKind int

const (
	evJoin eventKind = iota
	evLeave
	evMessage
	evDeleted
	evTyping
	evCount
	evSessionEnded
	evPresence // who another node has in the room
	evAsked    // a node started serving the room and asks who is here
	evResync   // this node may have missed events: read the database
)

type roomEvent struct {
	kind   eventKind
	c      *client
	m      *Message
	nonce  string
	edited bool
	id     int64
	joined chan struct{}
	count  chan int
	end    account.SessionEnd
	prev   int64    // evMessage from a node: the room's message before m
	user   string   // evTyping from another node: who types
	node   string   // evPresence: the node
	here   []string // evPresence: its members in the room
}

// room is one room's goroutine and the clients it serves; only run touches clients.
type room struct {
	hub   *Hub
	id    int64
	slug  string
	inbox chan roomEvent // joins, leaves, typing and counts, from connections that may wait
	quit  chan struct{}
	done  chan struct{}

	// committed holds the events of committed writes (new, edited and deleted messages)
	// in commit order. The database writer adds to it and must never wait, so it is a
	// list rather than a channel; wake tells run that it has something.
	mu        sync.Mutex
	committed []roomEvent
	wake      chan struct{}
	spare     []roomEvent // run's: the list it handled last, reused for the next

	clients  map[*client]struct{}
	users    map[string]int // connected members, by username, with their connection count
	presence bool           // users changed since the last presence broadcast
	starts   []*client      // clients whose flush goroutine starts once the waiting events are queued

	// With several nodes (cluster): last is the id of the newest message delivered (-1:
	// not known yet); remote is who the other nodes have here; announce says this node's
	// members changed since it last told the others.
	cluster   bool
	last      int64
	remote    map[string]remoteHere
	announce  bool
	announced bool // the others were told of members here, so they must hear when none are left
}

// maxDrain bounds the events the room queues before it starts the clients' writes.
const maxDrain = 64

// maxKeptEvents bounds the list of committed events a room keeps for reuse, so that one
// burst does not hold its memory for good.
const maxKeptEvents = 1024

// enqueue queues it for c; c's writes start when the room has queued every event
// already waiting (start), so that a burst reaches each client in one write.
func (r *room) enqueue(c *client, it outItem) {
	if c.push(it) {
		r.starts = append(r.starts, c)
	}
}

// start begins the writes of the clients that got frames.
func (r *room) start() {
	for i, c := range r.starts {
		go c.flush()
		r.starts[i] = nil
	}
	r.starts = r.starts[:0]
}

// publish hands the room the event of a committed write, without waiting.
func (r *room) publish(ev roomEvent) {
	r.mu.Lock()
	r.committed = append(r.committed, ev)
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default: // run has been woken already and takes this event with the others
	}
}

// takeCommitted returns the events published since the last call, oldest first.
func (r *room) takeCommitted() []roomEvent {
	r.mu.Lock()
	evs := r.committed
	r.committed = r.spare[:0]
	r.mu.Unlock()
	return evs
}

// send hands ev to the room, or reports false when the room has stopped.
func (r *room) send(ev roomEvent) bool {
	select {
	case r.inbox <- ev:
		return true
	case <-r.done:
		return false
	}
}

// join adds c and returns once the room counts it: every event published after join
// returns reaches c. It reports false when the room has stopped.
func (r *room) join(c *client) bool {
	joined := make(chan struct{})
	if !r.send(roomEvent{kind: evJoin, c: c, joined: joined}) {
		return false
	}
	select {
	case <-joined:
		return true
	case <-r.done:
		return false
	}
}

func (r *room) leave(c *client) { r.send(roomEvent{kind: evLeave, c: c}) }

// typing passes on that c's member is typing; under load it is dropped, never waited for.
func (r *room) typing(c *client) {
	select {
	case r.inbox <- roomEvent{kind: evTyping, c: c}:
	default:
	}
}

func (r *room) run() {
	defer r.hub.rwg.Done()
	defer close(r.done)
	ping := time.NewTicker(r.hub.limits.PingEvery)
	defer ping.Stop()
	var presence <-chan time.Time
	var beat <-chan time.Time
	if r.cluster {
		r.joinCluster()
		t := time.NewTicker(clusterBeat)
		defer t.Stop()
		beat = t.C
	}
	for {
		select {
		case ev := <-r.inbox:
			r.handle(ev)
			for n := 1; n < maxDrain; n++ {
				select {
				case ev := <-r.inbox:
					r.handle(ev)
					continue
				default:
				}
				break
			}
			r.start()
		case <-r.wake:
			evs := r.takeCommitted()
			for i := range evs {
				r.handle(evs[i])
			}
			clear(evs) // the messages they point to are not kept alive until the next batch
			if cap(evs) <= maxKeptEvents {
				r.spare = evs[:0]
			}
			r.start()
		case <-ping.C:
			it := outItem{frame: pingFrame(), ping: true, droppable: true}
			for c := range r.clients {
				c.enqueue(it)
			}
		case <-presence:
			presence = nil
			r.presence = false
			r.broadcast(outItem{frame: textFrame(r.presenceFrame()), droppable: true})
			r.start()
			if r.announce {
				r.tellPresence()
			}
		case <-beat:
			r.heartbeat()
			r.start()
		case <-r.quit:
			if r.cluster && r.announced {
				// The other nodes drop this node's members now rather than at expiry.
				clear(r.users)
				r.tellPresence()
			}
			for c := range r.clients {
				r.hub.closing.Add(1)
				go func() {
					defer r.hub.closing.Done()
					c.shut(websocket.CloseGoingAway, "The server is restarting. Reconnect in a moment.")
				}()
			}
			return
		}
		if r.presence && presence == nil {
			presence = time.After(r.hub.limits.PresenceEvery)
		}
	}
}

func (r *room) handle(ev roomEvent) {
	switch ev.kind {
	case evJoin:
		if r.cluster && r.last < 0 && len(r.clients) == 0 {
			r.learnLast()
		}
		r.clients[ev.c] = struct{}{}
		if name := ev.c.name(); name != "" {
			r.users[name]++
			r.presence = r.presence || r.users[name] == 1
			r.announce = r.announce || r.users[name] == 1
		}
		r.enqueue(ev.c, outItem{frame: textFrame(r.presenceFrame()), droppable: true})
		close(ev.joined)
	case evLeave:
		if _, ok := r.clients[ev.c]; !ok {
			return
		}
		delete(r.clients, ev.c)
		if name := ev.c.name(); name != "" {
			if r.users[name]--; r.users[name] <= 0 {
				delete(r.users, name)
				r.presence, r.announce = true, true
			}
		}
	case evMessage:
		if r.cluster && !r.inSequence(ev) {
			return
		}
		r.deliver(ev)
	case evDeleted:
		r.broadcast(outItem{frame: textFrame(encode(outDeleted{Type: "deleted", ID: ev.id}))})
	case evTyping:
		name := ev.user
		if ev.c != nil {
			name = ev.c.name()
			if r.cluster {
				r.hub.tell(wireEvent{Kind: wireTyping, Room: r.id, User: name})
			}
		}
		it := outItem{frame: textFrame(encode(outTyping{Type: "typing", User: name})), droppable: true}
		for c := range r.clients {
			if c.name() != name {
				r.enqueue(c, it)
			}
		}
	case evCount:
		ev.count <- len(r.clients)
	case evSessionEnded:
		r.endSessions(ev.end)
	case evPresence:
		r.heardPresence(ev.node, ev.here)
	case evAsked:
		if len(r.users) > 0 {
			r.tellPresence()
		}
	case evResync:
		r.catchUp()
	}
}

// deliver queues a new or edited message for every client.
func (r *room) deliver(ev roomEvent) {
	// The author's own connections get the copy with the nonce: it acknowledges the
	// message to the one that sent it, and tells the others (or the same tab after a
	// reconnect) that a message they may still show as pending arrived.
	it := outItem{frame: textFrame(messageFrame(ev.m, "", ev.edited)), id: ev.m.ID, fresh: !ev.edited}
	var own outItem
	if ev.nonce != "" {
		own = outItem{frame: textFrame(messageFrame(ev.m, ev.nonce, ev.edited)), id: ev.m.ID, fresh: !ev.edited}
	}
	for c := range r.clients {
		if ev.nonce != "" && (c == ev.c || c.user != nil && c.user.ID == ev.m.AuthorID) {
			r.enqueue(c, own)
		} else {
			r.enqueue(c, it)
		}
	}
}

func (r *room) broadcast(it outItem) {
	for c := range r.clients {
		r.enqueue(c, it)
	}
}

// maxPresence bounds the names in a presence frame: in a crowded room everyone would
// otherwise get a list of thousands every time someone comes or goes.
const maxPresence = 100

func (r *room) presenceFrame() []byte {
	users := make([]string, 0, len(r.users))
	for u := range r.users {
		users = append(users, u)
	}
	for _, h := range r.remote {
		for _, u := range h.users {
			if r.users[u] == 0 {
				users = append(users, u)
			}
		}
	}
	slices.Sort(users)
	users = slices.Compact(users)
	others := 0
	if len(users) > maxPresence {
		users, others = users[:maxPresence], len(users)-maxPresence
	}
	return encode(outPresence{Type: "presence", Users: users, Others: others})
}
