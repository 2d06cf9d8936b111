package bus

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// claimTTL is how long a claim lasts in NATS: long enough for an admin to open the setup
// link, short enough that a claim of a node that is gone does not hold for good.
const claimTTL = 24 * time.Hour

// Claim reports whether this node holds key among all nodes: the first node to claim it
// holds it until claimTTL passes, and claiming it again from the same node (a restart)
// still holds. The claims live in a NATS key-value bucket in memory, never on disk. In the
// embedded shape the one node always holds every key.
func (b *Bus) Claim(ctx context.Context, key string) (bool, error) {
	if !b.Clustered() {
		return true, nil
	}
	kv, err := b.bucket(ctx)
	if err != nil {
		return false, err
	}
	_, err = kv.Create(ctx, key, []byte(b.node))
	if err == nil {
		return true, nil
	}
	if !errors.Is(err, jetstream.ErrKeyExists) {
		return false, fmt.Errorf("bus: claim %s: %w", key, err)
	}
	e, err := kv.Get(ctx, key)
	if err != nil {
		return false, fmt.Errorf("bus: claim %s: %w", key, err)
	}
	return string(e.Value()) == b.node, nil
}

// bucket opens (creating it on first use) the cluster's key-value bucket, in memory.
func (b *Bus) bucket(ctx context.Context) (jetstream.KeyValue, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.kv != nil {
		return b.kv, nil
	}
	js, err := jetstream.New(b.nc)
	if err != nil {
		return nil, fmt.Errorf("bus: JetStream: %w", err)
	}
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:  "stoa_" + b.cluster,
		TTL:     claimTTL,
		Storage: jetstream.MemoryStorage,
	})
	if err != nil {
		return nil, fmt.Errorf("bus: key-value bucket (is JetStream on? start nats-server with -js): %w", err)
	}
	b.kv = kv
	return kv, nil
}
