// Package bus carries events between Stoa nodes: what one node committed that the others
// must hear of (a chat message for their sockets, a cache to drop, a session that ended).
// In the embedded shape (no --nats) there are no other nodes, so every method does
// nothing and costs nothing; in the cluster shape it is NATS.
//
// Events are hints after a commit, never the record: a node that misses some (NATS
// restarting, a slow consumer) is told through OnResync and reads what it missed from the
// database, which every node shares.
package bus

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Options configure a bus.
type Options struct {
	// URL is the NATS server (nats://host:4222, or several separated by commas); empty
	// means the embedded shape, a bus with no other nodes.
	URL string
	// Node names this node in NATS's connection list and in logs.
	Node string
	// Cluster names the community: nodes that share a database share it, and it keeps
	// their subjects apart from any other community on the same NATS.
	Cluster string
	Log     *slog.Logger
}

// Bus sends events to the other nodes and hands this node theirs.
type Bus struct {
	nc      *nats.Conn
	prefix  string
	node    string
	cluster string
	log     *slog.Logger

	mu     sync.Mutex
	resync []func()
	kv     jetstream.KeyValue
}

// Open connects to NATS when o.URL is set; otherwise it returns the embedded bus.
func Open(o Options) (*Bus, error) {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	b := &Bus{node: o.Node, cluster: o.Cluster, log: o.Log, prefix: "stoa." + o.Cluster + "."}
	if o.URL == "" {
		return b, nil
	}
	if o.Cluster == "" {
		return nil, errors.New("bus: a cluster needs a name")
	}
	nc, err := nats.Connect(o.URL,
		nats.Name("stoa "+o.Node),
		// A node hears only the others: what it committed itself it has applied already.
		nats.NoEcho(),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(250*time.Millisecond),
		nats.ReconnectJitter(100*time.Millisecond, time.Second),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			b.log.Warn("bus: NATS disconnected; events from other nodes wait until it is back", "err", err)
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			b.log.Info("bus: NATS reconnected; reading what was missed from the database", "server", nc.ConnectedUrlRedacted())
			b.runResync()
		}),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			b.log.Warn("bus: NATS error", "err", err)
			if errors.Is(err, nats.ErrSlowConsumer) {
				// Events were dropped: read what they said from the database.
				b.runResync()
			}
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("bus: cannot reach NATS at %s: %w", redact(o.URL), err)
	}
	b.nc = nc
	return b, nil
}

// redact hides a password in a NATS URL for messages.
func redact(url string) string {
	if i := strings.LastIndexByte(url, '@'); i > 0 {
		return "nats://…" + url[i:]
	}
	return url
}

// Clustered reports whether there are other nodes (the bus is NATS).
func (b *Bus) Clustered() bool { return b != nil && b.nc != nil }

// Node is this node's name.
func (b *Bus) Node() string { return b.node }

// Publish sends data on subject to every other node. It never waits on the network, so
// it may run after a commit on the database writer; while NATS is away, nats.go keeps
// what is published and sends it once it is back (and the others fill any gap from the
// database).
func (b *Bus) Publish(subject string, data []byte) {
	if !b.Clustered() {
		return
	}
	if err := b.nc.Publish(b.prefix+subject, data); err != nil {
		b.log.Warn("bus: publish failed; the other nodes will read it from the database", "subject", subject, "err", err)
	}
}

// Subscribe calls fn with each event the other nodes publish on subject, one at a time,
// in the order each node published them.
func (b *Bus) Subscribe(subject string, fn func(data []byte)) error {
	if !b.Clustered() {
		return nil
	}
	sub, err := b.nc.Subscribe(b.prefix+subject, func(m *nats.Msg) { fn(m.Data) })
	if err != nil {
		return fmt.Errorf("bus: subscribe %s: %w", subject, err)
	}
	// A burst of chat may queue many events; past these, NATS reports a slow consumer
	// and the node resyncs from the database.
	return sub.SetPendingLimits(1<<20, 256<<20)
}

// OnResync calls fn whenever this node may have missed events: after NATS reconnects or
// dropped events for a slow consumer. fn reads the state it keeps from the database.
func (b *Bus) OnResync(fn func()) {
	if !b.Clustered() {
		return
	}
	b.mu.Lock()
	b.resync = append(b.resync, fn)
	b.mu.Unlock()
}

func (b *Bus) runResync() {
	b.mu.Lock()
	fns := append([]func(){}, b.resync...)
	b.mu.Unlock()
	for _, fn := range fns {
		go fn()
	}
}

// Flush waits until NATS has every event published so far, for tests and shutdown.
func (b *Bus) Flush() error {
	if !b.Clustered() {
		return nil
	}
	return b.nc.FlushTimeout(5 * time.Second)
}

// Check reports whether NATS is connected, for /healthz; nil in the embedded shape.
func (b *Bus) Check() error {
	if !b.Clustered() {
		return nil
	}
	if s := b.nc.Status(); s != nats.CONNECTED {
		return fmt.Errorf("NATS %s", s)
	}
	return nil
}

// Close drains the connection: events published so far are sent first.
func (b *Bus) Close() {
	if b.Clustered() {
		if err := b.nc.Drain(); err != nil {
			b.nc.Close()
		}
	}
}
