package mail

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"
)

// batchSize is how many mails one delivery round claims and sends over one connection.
const batchSize = 50

// keepFailed is how long failed mail stays for admins to retry before it is deleted (P3).
const keepFailed = 30 * 24 * time.Hour

// Start begins delivering queued mail in the background until Close. With no SMTP URL it
// does nothing and mail stays queued; a malformed URL is an error, so that a typo stops
// the server at start instead of silently keeping every mail.
func (o *Outbox) Start(ctx context.Context) error {
	if !o.Configured() {
		return nil
	}
	d, err := parseSMTPURL(o.cfg.SMTPURL, o.cfg.TLS)
	if err != nil {
		return err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.stop != nil {
		return fmt.Errorf("mail: outbox already started")
	}
	// The worker outlives the start-up context; Close is what ends it.
	ctx, o.stop = context.WithCancel(context.WithoutCancel(ctx))
	o.stopped = make(chan struct{})
	go o.run(ctx, d)
	return nil
}

// Close stops the worker, waiting for a delivery in progress to be recorded.
func (o *Outbox) Close() {
	o.mu.Lock()
	stop, stopped := o.stop, o.stopped
	o.mu.Unlock()
	if stop == nil {
		return
	}
	stop()
	<-stopped
}

func (o *Outbox) run(ctx context.Context, d *dialer) {
	defer close(o.stopped)
	var lastSweep time.Time
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		o.deliverDue(ctx, d)
		if now := o.cfg.Now(); now.Sub(lastSweep) > time.Hour {
			o.sweep(ctx, now)
			lastSweep = now
		}
		wait := o.cfg.PollEvery
		if next, ok, err := o.store.nextDue(ctx); err == nil && ok {
			wait = min(wait, max(next.Sub(o.cfg.Now()), 10*time.Millisecond))
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return
		case <-o.wake:
		case <-timer.C:
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
	}
}

// deliverDue sends every mail that is due, in rounds of batchSize over one connection each.
func (o *Outbox) deliverDue(ctx context.Context, d *dialer) {
	for ctx.Err() == nil {
		claimed, err := o.claim(ctx, batchSize)
		if err != nil {
			if ctx.Err() == nil {
				o.cfg.Log.Error("mail: pick up queued mail", "err", err)
			}
			return
		}
		if len(claimed) == 0 {
			return
		}
		results := o.deliver(ctx, d, claimed)
		// Recorded even when stopping: a delivered mail must not be sent again.
		if err := o.store.record(context.WithoutCancel(ctx), results); err != nil {
			o.cfg.Log.Error("mail: record delivery", "err", err)
			return
		}
		if len(claimed) < batchSize {
			return
		}
	}
}

// deliver sends claimed mail over one SMTP connection and says what became of each.
// It stops sending once half the lease has gone by, so that a slow mail server never
// keeps a mail past its lease (when another node may claim it); the rest is released.
func (o *Outbox) deliver(ctx context.Context, d *dialer, claimed []*Queued) []outcome {
	results := make([]outcome, len(claimed))
	start := time.Now()
	s, dialErr := d.dial(ctx)
	if s != nil {
		defer s.close()
	}
	for i, q := range claimed {
		results[i] = outcome{q: q}
		if i > 0 && time.Since(start) > o.cfg.Lease/2 { // the first is always tried: progress
			results[i].released, results[i].releasedAt = true, o.cfg.Now()
			continue
		}
		var permanent bool
		var err error
		switch {
		case dialErr != nil:
			err = dialErr
		default:
			var m *gomailMsg
			if m, err = o.build(q); err != nil {
				permanent = true
			} else {
				permanent, err = s.send(m)
			}
		}
		if err == nil {
			continue
		}
		results[i].err = err
		results[i].fail = permanent || q.Attempts >= o.cfg.MaxAttempts
		if results[i].fail {
			o.cfg.Log.Error("mail: delivery failed for good", "id", q.ID, "kind", q.Kind, "attempts", q.Attempts, "err", err)
		} else {
			o.cfg.Log.Warn("mail: delivery failed, will retry", "id", q.ID, "kind", q.Kind,
				"attempts", q.Attempts, "retry_at", q.NextAttempt, "err", err)
		}
	}
	return results
}

// backoff is the wait before the attempt after attempt n: RetryBase doubled n-1 times,
// capped at RetryMax, then spread by ±50% so that many mails failing together do not
// all come back at the same moment.
func (o *Outbox) backoff(n int) time.Duration {
	d := o.cfg.RetryBase
	for i := 1; i < n && d < o.cfg.RetryMax; i++ {
		d *= 2
	}
	d = min(d, o.cfg.RetryMax)
	return d/2 + rand.N(d)
}

// claim picks up to limit due mails for one delivery round. Each counts an attempt and
// is leased to this worker for cfg.Lease, in the same durable write, so a crash while
// sending leaves it queued for a retry once the lease ends: it may be sent twice, never
// lost. A failed attempt is retried after its backoff instead (record).
func (o *Outbox) claim(ctx context.Context, limit int) ([]*Queued, error) {
	now := o.cfg.Now()
	return o.store.claim(ctx, now, now.Add(o.cfg.Lease), limit, func(attempts int) time.Time { return now.Add(o.backoff(attempts)) })
}

// outcome is what happened to one claimed mail.
type outcome struct {
	q    *Queued
	err  error
	fail bool // give up: no more attempts
	// released: not attempted (the round ran out of lease); due again at releasedAt.
	released   bool
	releasedAt time.Time
}

// sweep deletes failed mail that admins left alone for keepFailed.
func (o *Outbox) sweep(ctx context.Context, now time.Time) {
	if err := o.store.deleteFailedBefore(ctx, now.Add(-keepFailed)); err != nil && ctx.Err() == nil {
		o.cfg.Log.Error("mail: delete old failed mail", "err", err)
	}
}
