package chat

import (
	"slices"
	"time"
)

// fillPage is how many missed messages a room reads from the database at a time.
const fillPage = 200

// joinCluster starts a room's life on a node of several: it learns the newest message,
// so that it can tell when one is missing, and asks the other nodes who is here.
func (r *room) joinCluster() {
	r.learnLast()
	r.remote = map[string]remoteHere{}
	r.hub.tell(wireEvent{Kind: wireAsk, Room: r.id})
}

// learnLast reads the room's newest message: what is delivered from now on follows it.
// Clients that join replay what they missed from the database themselves.
func (r *room) learnLast() {
	ctx, cancel := r.hub.fillContext()
	defer cancel()
	if last, err := r.hub.store.roomLastMessageID(ctx, r.id); err == nil {
		r.last = last
	} else {
		r.last = -1
		r.hub.log.Warn("chat: newest message unknown; the room starts with the next one", "room", r.slug, "err", err)
	}
}

// inSequence decides, with several nodes, whether a message event is delivered as it is.
// A new message is delivered when it follows the last one delivered; one already
// delivered is dropped; one that leaves a gap makes the room read everything it missed
// from the database (which holds every committed message, so the gap is filled and the
// message itself comes with them). An edit of a message not delivered yet is preceded by
// the same read.
func (r *room) inSequence(ev roomEvent) bool {
	id := ev.m.ID
	if r.last < 0 {
		if !ev.edited {
			r.last = id
		}
		return true
	}
	if ev.edited {
		if id > r.last {
			r.fill(ev)
			return false
		}
		return true
	}
	if id <= r.last {
		return false // delivered already, from the database or by an earlier event
	}
	if ev.prev == r.last {
		r.last = id
		return true
	}
	r.fill(ev)
	return false
}

// fill delivers, in id order, every visible message newer than the last one delivered,
// reading them from the database; ev (when it carries a message) is the event that showed
// the gap, and is delivered as it is if the database cannot be read.
func (r *room) fill(ev roomEvent) {
	ctx, cancel := r.hub.fillContext()
	defer cancel()
	for {
		msgs, err := r.hub.store.After(ctx, r.id, r.last, fillPage)
		if err != nil {
			r.hub.log.Error("chat: reading missed messages failed", "room", r.slug, "err", err)
			if ev.m != nil && ev.m.ID > r.last {
				r.last = ev.m.ID
				r.deliver(ev)
			}
			return
		}
		for _, m := range msgs {
			r.deliver(roomEvent{kind: evMessage, m: m, nonce: m.Nonce, edited: !m.EditedAt.IsZero()})
			r.last = m.ID
		}
		if len(msgs) < fillPage {
			break
		}
	}
	if ev.m != nil && ev.m.ID > r.last {
		r.last = ev.m.ID // hidden or deleted since: nothing to deliver
	}
}

// catchUp reads what the room missed when the database holds a newer message than the
// last one delivered: an event lost while NATS was away, with nothing after it to show
// the gap.
func (r *room) catchUp() {
	ctx, cancel := r.hub.fillContext()
	last, err := r.hub.store.roomLastMessageID(ctx, r.id)
	cancel()
	if err != nil {
		r.hub.log.Warn("chat: checking for missed messages failed", "room", r.slug, "err", err)
		return
	}
	if r.last < 0 {
		r.last = last
		return
	}
	if last > r.last {
		r.fill(roomEvent{})
		if r.last < last {
			r.last = last
		}
	}
}

// heartbeat, every clusterBeat: catch up on missed messages, tell the other nodes who
// is here, and forget the members of nodes not heard from.
func (r *room) heartbeat() {
	if len(r.clients) == 0 {
		// Nobody to deliver to: stop following the room's messages (no reads every
		// beat); the next client to join makes it read where the room stands.
		r.last = -1
	} else {
		r.catchUp()
	}
	if len(r.users) > 0 || r.announced {
		r.tellPresence()
	}
	now := time.Now()
	for node, h := range r.remote {
		if now.After(h.expires) {
			delete(r.remote, node)
			r.presence = true
		}
	}
	if r.presence {
		r.presence = false
		r.broadcast(outItem{frame: textFrame(r.presenceFrame()), droppable: true})
	}
}

// tellPresence tells the other nodes who this node has in the room.
func (r *room) tellPresence() {
	users := make([]string, 0, len(r.users))
	for u := range r.users {
		users = append(users, u)
	}
	slices.Sort(users)
	r.hub.tell(wireEvent{Kind: wirePresence, Room: r.id, Node: r.hub.peers.Node(), Here: users})
	r.announce, r.announced = false, len(users) > 0
}

// heardPresence records who another node has in the room.
func (r *room) heardPresence(node string, users []string) {
	old, had := r.remote[node]
	if len(users) == 0 {
		if had {
			delete(r.remote, node)
			r.presence = true
		}
		return
	}
	r.remote[node] = remoteHere{users: users, expires: time.Now().Add(presenceExpiry)}
	if !had || !slices.Equal(old.users, users) {
		r.presence = true
	}
}
