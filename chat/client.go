package chat

import (
	"log/slog"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"stoa/account"
)

// outItem is one frame waiting for a client. A broadcast's frame is built once and shared
// by every client it goes to.
type outItem struct {
	frame     []byte
	ping      bool
	droppable bool  // typing, presence and pings go first when the client falls behind
	id        int64 // the message id of a new message, to drop duplicates after a replay
	fresh     bool  // a newly published message (not an edited copy)
}

// client is one WebSocket connection. Its reader goroutine is the only one that reads;
// writes happen in a goroutine that exists only while frames are queued, so an idle
// connection costs its reader and a few small buffers, nothing more.
type client struct {
	conn *websocket.Conn // reads; closing it closes the connection
	wire *wireConn       // writes
	room *room
	user *account.User // nil for an anonymous reader
	// session is the key of the login session the connection was opened with; a message
	// it sends is refused, and the connection closed, once that session has ended.
	session string
	addr    string
	limits  *Limits
	log     *slog.Logger

	mu      sync.Mutex
	queue   []outItem
	writing bool // a flush goroutine owns the connection's writes
	paused  bool // replaying history: the handler writes, live frames wait
	closed  bool
	// replayed is the last message id the replay sent. A message committed before the
	// replay read the database may still be on its way to the room after the replay, so
	// new messages up to this id are dropped whenever they arrive.
	replayed int64

	// Used by the reader goroutine only.
	lastTyping time.Time
	ackVersion int
	// readID and lastRead are the reading position this connection last recorded, and
	// when (reads.go).
	readID   int64
	lastRead time.Time
}

func (c *client) name() string {
	// A suspended member, signed in only to read and answer their notices, reads the
	// room as anyone does: they are not "here now".
	if c.user == nil || c.user.Restricted != "" {
		return ""
	}
	return c.user.Username
}

// enqueue queues a frame without ever blocking: a client whose queue is full is
// disconnected (1013, try again later) rather than waited for.
func (c *client) enqueue(it outItem) {
	if c.push(it) {
		go c.flush()
	}
}

// push queues a frame like enqueue and reports whether the caller must start the flush
// goroutine (go c.flush()): the room starts them once it has queued every event already
// waiting, so that a burst reaches each client in one write.
func (c *client) push(it outItem) bool {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return false
	}
	n := len(c.queue)
	if it.droppable && n >= c.limits.QueueLen/2 || it.fresh && it.id <= c.replayed {
		c.mu.Unlock()
		return false
	}
	if n >= c.limits.QueueLen {
		c.closed, c.queue = true, nil
		c.mu.Unlock()
		c.log.Info("chat: dropped a client that fell behind", "room", c.room.slug, "queued", n)
		go c.shut(websocket.CloseTryAgainLater, "You fell behind the conversation. Reconnect to catch up.")
		return false
	}
	c.queue = append(c.queue, it)
	start := !c.writing && !c.paused
	if start {
		c.writing = true
	}
	c.mu.Unlock()
	return start
}

// flush writes queued frames until the queue is empty, then lets its goroutine end.
// Whatever was queued while the last write was under way goes out in the next one.
func (c *client) flush() {
	for {
		c.mu.Lock()
		if c.closed || c.paused || len(c.queue) == 0 {
			c.writing = false
			c.queue = nil // an idle client keeps no buffer
			c.mu.Unlock()
			return
		}
		items := c.queue
		c.queue = nil
		c.mu.Unlock()
		if err := c.write(items); err != nil {
			c.log.Debug("chat: write failed", "room", c.room.slug, "err", err)
			c.fail()
			return
		}
	}
}

// write sends frames in one write with a deadline; only one goroutine writes at a time
// (the flush goroutine, or the handler while replaying).
func (c *client) write(items []outItem) error {
	frames := c.room.hub.frameList()
	messages := 0
	for i := range items {
		*frames = append(*frames, items[i].frame)
		if !items[i].ping {
			messages++
		}
	}
	err := c.wire.writeFrames(*frames, c.limits.WriteWait)
	c.room.hub.releaseFrameList(frames)
	if err == nil {
		c.room.hub.delivered.Add(int64(messages))
	}
	return err
}

// resume ends a replay: live frames for messages the replay already sent (id <= upTo),
// queued or still to come, are dropped; the rest are written.
func (c *client) resume(upTo int64) {
	c.mu.Lock()
	c.replayed = upTo
	kept := c.queue[:0]
	for _, it := range c.queue {
		if !(it.fresh && it.id <= upTo) {
			kept = append(kept, it)
		}
	}
	c.queue = kept
	c.paused = false
	start := !c.closed && !c.writing && len(c.queue) > 0
	if start {
		c.writing = true
	}
	c.mu.Unlock()
	if start {
		go c.flush()
	}
}

// fail drops the connection without a close frame (writing already failed).
func (c *client) fail() {
	c.mu.Lock()
	c.closed, c.queue = true, nil
	c.mu.Unlock()
	c.conn.Close()
}

// shut sends a close frame with code and reason, then closes the connection. A write in
// progress may hold the connection for up to WriteWait; after a second the connection is
// closed anyway, which ends that write, and the close frame is given up.
func (c *client) shut(code int, reason string) {
	c.mu.Lock()
	c.closed, c.queue = true, nil
	c.mu.Unlock()
	stop := time.AfterFunc(time.Second, func() { c.conn.Close() })
	c.wire.writeFrames([][]byte{closeFrame(code, reason)}, time.Second)
	stop.Stop()
	c.conn.Close()
}

// send queues a payload meant for this client alone, such as an error.
func (c *client) send(payload []byte) { c.enqueue(outItem{frame: textFrame(payload)}) }
