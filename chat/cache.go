package chat

import (
	"context"
	"sync"
	"time"
)

// policyTTL is how long the privacy policy version is reused before it is asked for
// again. Privacy publishes a new version rarely (an admin's edit); for at most this long
// after one, a member's first message in a room is checked against the previous version.
// InvalidatePolicyVersion ends the wait at once.
const policyTTL = 5 * time.Second

// policyCache keeps the privacy policy version that acknowledgements record: asking
// privacy for it on every message measured 6.8 % of the server's CPU in chat ingest.
type policyCache struct {
	load PolicyVersion
	now  func() time.Time

	mu      sync.Mutex
	v       int
	expires time.Time
	gen     uint64 // bumped by invalidate, so a load begun before it is not kept
}

func (c *policyCache) get(ctx context.Context) int {
	c.mu.Lock()
	if now := c.now(); c.v != 0 && now.Before(c.expires) {
		v := c.v
		c.mu.Unlock()
		return v
	}
	gen := c.gen
	c.mu.Unlock()
	v := c.load(ctx)
	c.mu.Lock()
	if gen == c.gen && ctx.Err() == nil {
		c.v, c.expires = v, c.now().Add(policyTTL)
	}
	c.mu.Unlock()
	return v
}

func (c *policyCache) invalidate() {
	c.mu.Lock()
	c.v, c.gen = 0, c.gen+1
	c.mu.Unlock()
}

// InvalidatePolicyVersion makes the next message ask for the privacy policy version
// again; call it when a new version is published.
func (s *Service) InvalidatePolicyVersion() { s.policyVersion.invalidate() }

// roomCache keeps rooms by id for the WebSocket paths, which would otherwise load the
// room again for every frame (4.7 % of the server's CPU in chat ingest). Rooms change only
// through UpdateRoom, SetArchived and SetRoomMode, which drop the entry (on every node) once
// their write is durable.
type roomCache struct {
	mu    sync.Mutex
	rooms map[int64]*Room
	gen   uint64 // bumped by invalidate, so a load begun before it is not kept
}

// room returns a copy of room id, loading it through load when it is not cached.
func (c *roomCache) room(ctx context.Context, id int64, load func(context.Context, int64) (*Room, error)) (*Room, error) {
	c.mu.Lock()
	r := c.rooms[id]
	gen := c.gen
	c.mu.Unlock()
	if r == nil {
		var err error
		if r, err = load(ctx, id); err != nil {
			return nil, err
		}
		c.mu.Lock()
		if gen == c.gen {
			if c.rooms == nil {
				c.rooms = map[int64]*Room{}
			}
			c.rooms[id] = r
		}
		c.mu.Unlock()
	}
	cp := *r
	return &cp, nil
}

func (c *roomCache) invalidate(id int64) {
	c.mu.Lock()
	delete(c.rooms, id)
	c.gen++
	c.mu.Unlock()
}

// roomByID returns room id from the cache, or storage.ErrNotFound.
func (s *Service) roomByID(ctx context.Context, id int64) (*Room, error) {
	return s.rooms.room(ctx, id, s.store.roomByID)
}
