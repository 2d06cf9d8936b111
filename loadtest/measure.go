package main

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// stats summarises one measured phase.
type stats struct {
	Ops      int           // operations that succeeded
	Errors   int           // operations that failed
	Elapsed  time.Duration // wall time of the phase
	P50      time.Duration
	P99      time.Duration
	Max      time.Duration
	FirstErr error
	CPU      cpuUse // cores used by the server and by the tool
}

// Rate is successful operations per second.
func (s stats) Rate() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Ops) / s.Elapsed.Seconds()
}

// percentiles sorts d in place and returns its 50th and 99th percentiles and maximum.
func percentiles(d []time.Duration) (p50, p99, maxd time.Duration) {
	if len(d) == 0 {
		return 0, 0, 0
	}
	slices.Sort(d)
	at := func(q float64) time.Duration {
		i := int(q*float64(len(d))+0.5) - 1
		return d[min(max(i, 0), len(d)-1)]
	}
	return at(0.50), at(0.99), d[len(d)-1]
}

// phase collects the latencies and errors of concurrent workers.
type phase struct {
	mu       sync.Mutex
	lat      []time.Duration
	errors   int
	firstErr error
}

// worker is one goroutine's private record, merged into the phase when it ends so that
// recording costs no lock on the hot path.
type worker struct {
	lat    []time.Duration
	errors int
	first  error
}

func (w *worker) record(d time.Duration, err error) {
	if err != nil {
		w.errors++
		if w.first == nil {
			w.first = err
		}
		return
	}
	w.lat = append(w.lat, d)
}

func (p *phase) merge(w *worker) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lat = append(p.lat, w.lat...)
	p.errors += w.errors
	if p.firstErr == nil {
		p.firstErr = w.first
	}
}

func (p *phase) stats(elapsed time.Duration) stats {
	s := stats{Ops: len(p.lat), Errors: p.errors, Elapsed: elapsed, FirstErr: p.firstErr}
	s.P50, s.P99, s.Max = percentiles(p.lat)
	return s
}

// op is one request of a load phase; worker is the goroutine's index.
type op func(ctx context.Context, worker int) error

// closedLoop runs workers goroutines that each repeat fn back to back until d has passed
// or maxOps operations have started: the highest throughput the system sustains.
func closedLoop(ctx context.Context, workers int, d time.Duration, maxOps int64, fn op) stats {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var p phase
	var started atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	end, _ := ctx.Deadline()
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var w worker
			defer p.merge(&w)
			for ctx.Err() == nil && time.Now().Before(end) && started.Add(1) <= maxOps {
				t0 := time.Now()
				err := fn(ctx, i)
				// A connection deadline may fire a moment before the context's timer.
				if err != nil && (ctx.Err() != nil || !time.Now().Before(end)) {
					return // cut off by the end of the phase: not a failure
				}
				w.record(time.Since(t0), err)
			}
		}()
	}
	wg.Wait()
	return p.stats(time.Since(start))
}

// openLoop starts operations at a fixed rate for d, whatever the latency, with up to
// workers in flight. Latency is measured from when each operation was due, so a server
// that falls behind shows it in the percentiles (no coordinated omission).
func openLoop(ctx context.Context, rate float64, workers int, d time.Duration, fn op) stats {
	total := int64(rate * d.Seconds())
	interval := time.Duration(float64(time.Second) / rate)
	// The phase may overrun d while late operations finish, but never by more than this.
	ctx, cancel := context.WithTimeout(ctx, d+5*time.Second)
	defer cancel()
	var p phase
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var w worker
			defer p.merge(&w)
			for ctx.Err() == nil {
				n := next.Add(1) - 1
				if n >= total {
					return
				}
				due := start.Add(time.Duration(n) * interval)
				if wait := time.Until(due); wait > 0 {
					select {
					case <-time.After(wait):
					case <-ctx.Done():
						return
					}
				}
				err := fn(ctx, i)
				w.record(time.Since(due), err)
			}
		}()
	}
	wg.Wait()
	return p.stats(time.Since(start))
}

// ms formats a duration in milliseconds with two significant decimals.
func ms(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	switch {
	case v < 10:
		return fmt.Sprintf("%.2f ms", v)
	case v < 100:
		return fmt.Sprintf("%.1f ms", v)
	}
	return fmt.Sprintf("%.0f ms", v)
}

// count formats n with thousands separators.
func count(n float64) string {
	s := fmt.Sprintf("%.0f", n)
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}
