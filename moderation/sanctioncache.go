package moderation

import (
	"sync"
	"time"
)

// sanctionTTL is how long this instance trusts what it read about a member's sanctions.
// Writes on this instance invalidate at once; the TTL only bounds how long a change made
// by another node that this node did not hear of (NATS away) takes to be seen here; the
// nodes tell each other of changes on the bus.
const sanctionTTL = 2 * time.Second

// maxSanctionEntries bounds the cache; past it, expired entries are swept, and if that
// is not enough the cache starts over.
const maxSanctionEntries = 100_000

// sanctionCache keeps, per member, the sanctions that were not lifted and had not ended
// when they were read. Whether one is in force is decided at each check by comparing
// with now, so sanctions still end by themselves while cached. An entry is trusted for
// sanctionTTL; every write to a member's sanctions on this instance invalidates it after
// the write committed, and a generation counter keeps a read that raced with a write from
// storing what it saw before the write.
type sanctionCache struct {
	mu      sync.RWMutex
	gen     uint64
	entries map[int64]*sanctionEntry
}

type sanctionEntry struct {
	loaded time.Time
	list   []Sanction // not lifted, not ended at loaded; possibly none
}

func newSanctionCache() *sanctionCache {
	return &sanctionCache{entries: map[int64]*sanctionEntry{}}
}

// lookup returns the member's cached list if it is fresh at now.
func (c *sanctionCache) lookup(userID int64, now time.Time) ([]Sanction, bool) {
	c.mu.RLock()
	e := c.entries[userID]
	c.mu.RUnlock()
	if e == nil || now.Before(e.loaded) || now.Sub(e.loaded) >= sanctionTTL {
		return nil, false
	}
	return e.list, true
}

// generation is read before loading from the database; store keeps the result only if no
// invalidation happened meanwhile.
func (c *sanctionCache) generation() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.gen
}

func (c *sanctionCache) store(userID int64, gen uint64, loaded time.Time, list []Sanction) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if len(c.entries) >= maxSanctionEntries {
		for id, e := range c.entries {
			if loaded.Sub(e.loaded) >= sanctionTTL || loaded.Before(e.loaded) {
				delete(c.entries, id)
			}
		}
		if len(c.entries) >= maxSanctionEntries {
			c.entries = map[int64]*sanctionEntry{}
		}
	}
	c.entries[userID] = &sanctionEntry{loaded: loaded, list: list}
}

// invalidate forgets what is known about a member's sanctions and makes every load that
// started before it discard its result.
func (c *sanctionCache) invalidate(userID int64) {
	c.mu.Lock()
	c.gen++
	delete(c.entries, userID)
	c.mu.Unlock()
}

// invalidateAll forgets every member's sanctions.
func (c *sanctionCache) invalidateAll() {
	c.mu.Lock()
	c.gen++
	clear(c.entries)
	c.mu.Unlock()
}

// kindRank orders sanctions from hardest to mildest.
func kindRank(k SanctionKind) int {
	switch k {
	case Ban:
		return 0
	case Suspend:
		return 1
	case Silence:
		return 2
	}
	return 3
}

// harder reports whether a takes precedence over b: the harder kind, then no end, then
// the later end, then the earlier sanction.
func harder(a, b *Sanction) bool {
	if ra, rb := kindRank(a.Kind), kindRank(b.Kind); ra != rb {
		return ra < rb
	}
	if a.EndsAt.IsZero() != b.EndsAt.IsZero() {
		return a.EndsAt.IsZero()
	}
	if !a.EndsAt.Equal(b.EndsAt) {
		return a.EndsAt.After(b.EndsAt)
	}
	return a.ID < b.ID
}
