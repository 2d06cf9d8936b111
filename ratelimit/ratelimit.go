// Package ratelimit keeps token-bucket limiters per key (a member, a client address) in
// memory only: rate-limiting keys are never written to disk (P3).
package ratelimit

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Keyed is a set of token buckets, one per key, that forgets keys idle for a while.
type Keyed struct {
	mu      sync.Mutex
	every   rate.Limit
	burst   int
	idle    time.Duration
	buckets map[string]*bucket
	sweep   time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// New returns limiters that allow burst events at once and then one every interval.
func New(interval time.Duration, burst int) *Keyed {
	return &Keyed{every: rate.Every(interval), burst: burst, idle: max(10*time.Minute, time.Duration(burst)*interval*2),
		buckets: map[string]*bucket{}}
}

// Allow reports whether one more event for key is allowed now.
func (k *Keyed) Allow(key string) bool {
	now := time.Now()
	k.mu.Lock()
	defer k.mu.Unlock()
	if now.Sub(k.sweep) > k.idle {
		for key, b := range k.buckets {
			if now.Sub(b.seen) > k.idle {
				delete(k.buckets, key)
			}
		}
		k.sweep = now
	}
	b, ok := k.buckets[key]
	if !ok {
		b = &bucket{lim: rate.NewLimiter(k.every, k.burst)}
		k.buckets[key] = b
	}
	b.seen = now
	return b.lim.AllowN(now, 1)
}

// Len returns how many keys are being tracked, for tests and metrics.
func (k *Keyed) Len() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.buckets)
}

// Marks remembers keys for a while, in memory only, such as the addresses a member logged
// in from. It holds at most max keys: when full, it forgets expired keys and then, if it
// must, arbitrary ones, so that no flood of keys can grow it without end.
type Marks struct {
	mu   sync.Mutex
	ttl  time.Duration
	max  int
	keys map[string]time.Time // key → when it expires
}

// NewMarks returns marks that last ttl, at most max at a time.
func NewMarks(ttl time.Duration, max int) *Marks {
	return &Marks{ttl: ttl, max: max, keys: map[string]time.Time{}}
}

// Mark remembers key for the marks' lifetime from now.
func (m *Marks) Mark(key string) {
	now := time.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.keys[key]; !ok && len(m.keys) >= m.max {
		for k, exp := range m.keys {
			if !now.Before(exp) {
				delete(m.keys, k)
			}
		}
		for k := range m.keys {
			if len(m.keys) < m.max {
				break
			}
			delete(m.keys, k)
		}
	}
	m.keys[key] = now.Add(m.ttl)
}

// Has reports whether key was marked and has not expired.
func (m *Marks) Has(key string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	exp, ok := m.keys[key]
	return ok && time.Now().Before(exp)
}

// Len returns how many keys are remembered, for tests and metrics.
func (m *Marks) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.keys)
}
