package privacy

import (
	"context"
	"fmt"
	"time"
)

// DeletedContentRetention is how long deleted posts and messages keep their text, so that
// moderators can still review what was removed; after it, the text is purged (P3).
const DeletedContentRetention = 30 * 24 * time.Hour

// Purger removes what one package keeps past its retention period, as of now.
type Purger func(ctx context.Context, now time.Time) error

// Purge is one package's purge, named for the log.
type Purge struct {
	Name string
	Run  Purger
}

// Retention runs every package's purge periodically: expired sessions, and deleted content
// older than its retention period (P3: store personal information only while needed).
type Retention struct {
	purges []Purge
	now    func() time.Time
	log    func(name string, err error)
	stop   chan struct{}
	done   chan struct{}
}

// NewRetention returns the schedule of purges; log hears about purges that fail.
func NewRetention(log func(name string, err error), purges ...Purge) *Retention {
	need("NewRetention", log != nil, "a log")
	return &Retention{purges: purges, now: time.Now, log: log}
}

// RunOnce runs every purge now and returns the first failure; the others still run.
func (r *Retention) RunOnce(ctx context.Context) error {
	var first error
	now := r.now()
	for _, p := range r.purges {
		if err := p.Run(ctx, now); err != nil {
			err = fmt.Errorf("privacy: purge %s: %w", p.Name, err)
			r.log(p.Name, err)
			if first == nil {
				first = err
			}
		}
	}
	return first
}

// Start runs the purges at once and then every interval until Stop.
func (r *Retention) Start(interval time.Duration) {
	r.stop, r.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(r.done)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() {
			<-r.stop
			cancel()
		}()
		r.RunOnce(ctx)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				r.RunOnce(ctx)
			case <-r.stop:
				return
			}
		}
	}()
}

// Stop ends the schedule and waits for a purge in progress.
func (r *Retention) Stop() {
	if r.stop == nil {
		return
	}
	select {
	case <-r.stop:
	default:
		close(r.stop)
	}
	<-r.done
}
