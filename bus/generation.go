package bus

import (
	"sync/atomic"
	"time"
)

// commitEvery is how often a node tells the others that it committed something. Caches
// of what any write may change (the anonymous page cache) drop their entries when they
// hear it, so a change is seen on every node within this and NATS's latency.
const commitEvery = 50 * time.Millisecond

// Generation counts committed writes on every node: this node's own, read from the
// database, plus one for each announcement from another node. A cache that keeps what it
// read under a generation stays valid while Value has not moved.
type Generation struct {
	local  func() uint64
	remote atomic.Uint64
	stop   chan struct{}
	done   chan struct{}
}

// Generation starts announcing this node's commits (local is the database's own
// generation) and counting the other nodes'. In the embedded shape it is local alone.
func (b *Bus) Generation(local func() uint64) (*Generation, error) {
	g := &Generation{local: local, stop: make(chan struct{}), done: make(chan struct{})}
	if !b.Clustered() {
		close(g.done)
		return g, nil
	}
	if err := b.Subscribe("commit", func([]byte) { g.remote.Add(1) }); err != nil {
		return nil, err
	}
	// A node that missed announcements cannot know what changed, so it assumes anything did.
	b.OnResync(func() { g.remote.Add(1) })
	// The count is read before the goroutine starts: a commit made between this call's
	// return and the goroutine's first tick is then announced, not taken for the start.
	last := local()
	go func() {
		defer close(g.done)
		t := time.NewTicker(commitEvery)
		defer t.Stop()
		for {
			select {
			case <-g.stop:
				return
			case <-t.C:
				// Polling the counter costs nothing when idle and, under load, sends at
				// most one announcement per tick however many commits there were.
				if now := local(); now != last {
					last = now
					b.Publish("commit", nil)
				}
			}
		}
	}()
	return g, nil
}

// Value is the generation now.
func (g *Generation) Value() uint64 { return g.local() + g.remote.Load() }

// Close stops the announcements.
func (g *Generation) Close() {
	select {
	case <-g.stop:
	default:
		close(g.stop)
	}
	<-g.done
}
