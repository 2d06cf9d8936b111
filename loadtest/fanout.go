package main

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// fanoutStep is one publishing rate of scenario 4.
type fanoutStep struct {
	Rate      float64       // messages per second asked of the publishers
	Sent      int           // messages published
	Acked     int           // acknowledged to their publisher
	Expected  int           // Acked × clients open
	Delivered int           // probe frames that reached a client
	Elapsed   time.Duration // how long publishing took
	P50, P99  time.Duration // from publishing to a client reading the frame
	Dropped   int           // clients the server disconnected during the step
	OK        bool          // p99 under 50 ms, every delivery made, nobody dropped, rate kept
	Problem   string
	CPU       cpuUse
}

// DeliveriesPerSec is the step's delivery rate.
func (s fanoutStep) DeliveriesPerSec() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Delivered) / s.Elapsed.Seconds()
}

// fanoutResult is what scenario 4 measured.
type fanoutResult struct {
	Clients int
	Steps   []fanoutStep
	Best    int // index of the highest passing step, -1 if none
	Acked   []ackedMessage
}

// p99Budget is the delivery latency the issue allows at the reported rate.
const p99Budget = 50 * time.Millisecond

// watcher is an anonymous reader in the room. It records, per step, how long each probe
// took from the publisher's send to here.
type watcher struct {
	mu     sync.Mutex
	lat    [][]time.Duration
	closed atomic.Bool
}

var probeWord = []byte("probe ")

// probe encodes a step and a send time as letters (a–j for 0–9): digits could look like
// a phone or card number to the personal-information detector, letters never do.
func probe(step int, stamp time.Duration) string {
	return "probe " + letters(int64(step)) + " " + letters(int64(stamp))
}

func letters(n int64) string {
	s := []byte(fmt.Sprint(n))
	for i := range s {
		s[i] = 'a' + (s[i] - '0')
	}
	return string(s)
}

// parseLetters reads a letters-number from b and returns it and the rest.
func parseLetters(b []byte) (int64, []byte, bool) {
	var n int64
	i := 0
	for ; i < len(b) && b[i] >= 'a' && b[i] <= 'j'; i++ {
		n = n*10 + int64(b[i]-'a')
	}
	return n, b[i:], i > 0
}

func (w *watcher) run(conn *websocket.Conn, base time.Time, steps int) {
	w.lat = make([][]time.Duration, steps)
	var buf bytes.Buffer
	for {
		_, r, err := conn.NextReader()
		if err != nil {
			w.closed.Store(true)
			return
		}
		buf.Reset()
		if _, err := buf.ReadFrom(r); err != nil {
			w.closed.Store(true)
			return
		}
		now := time.Since(base)
		b := buf.Bytes()
		i := bytes.Index(b, probeWord)
		if i < 0 {
			continue
		}
		step, rest, ok := parseLetters(b[i+len(probeWord):])
		if !ok || len(rest) == 0 || rest[0] != ' ' || step >= int64(steps) {
			continue
		}
		stamp, _, ok := parseLetters(rest[1:])
		if !ok {
			continue
		}
		w.mu.Lock()
		w.lat[step] = append(w.lat[step], now-time.Duration(stamp))
		w.mu.Unlock()
	}
}

func (w *watcher) delivered(step int) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.lat[step])
}

// runFanout connects clients anonymous readers to one room and has publishers (one
// member's connections) raise the message rate step by step until p99 delivery latency
// reaches 50 ms or a client falls behind.
func runFanout(ctx context.Context, cfg *config, s *site, publisher *member) (fanoutResult, error) {
	res := fanoutResult{Clients: cfg.FanoutClients, Best: -1}
	conns, err := dialMany(ctx, s, "general", cfg.FanoutClients, largeReadBuffer)
	if err != nil {
		return res, err
	}
	defer closeAll(conns)
	base := time.Now()
	watchers := make([]*watcher, len(conns))
	for i, c := range conns {
		watchers[i] = &watcher{}
		go watchers[i].run(c, base, len(cfg.FanoutRates))
	}
	pubs := make([]*chatConn, cfg.Publishers)
	for i := range pubs {
		c, err := dialChat(ctx, s, "general", publisher, largeReadBuffer)
		if err != nil {
			return res, err
		}
		defer c.Close()
		pubs[i] = newChatConn(c, fmt.Sprintf("f%d-", i))
		// The first message asks the member to confirm that the room is public; this also
		// warms the server up before anything is measured.
		a, err := pubs[i].sendAndWait(ctx, 0, fmt.Sprintf("hello from publisher %d", i))
		if err != nil {
			return res, err
		}
		res.Acked = append(res.Acked, a)
	}
	// One profile over the first steps: the hot path is the same at every rate, and a
	// profile cannot be cut short once asked for.
	defer s.prof.cpu(ctx, "4-fanout", min(10*time.Second, time.Duration(len(cfg.FanoutRates))*cfg.StepDuration))()
	for step, rate := range cfg.FanoutRates {
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		cpu := meterCPU(s.servers()...)
		st := publishStep(ctx, cfg, step, rate, pubs, watchers, base, &res)
		st.CPU = cpu()
		res.Steps = append(res.Steps, st)
		if !st.OK {
			break
		}
		res.Best = step
	}
	return res, nil
}

// publishStep publishes at rate for cfg.StepDuration and waits for the deliveries.
func publishStep(ctx context.Context, cfg *config, step int, rate float64, pubs []*chatConn, watchers []*watcher, base time.Time, res *fanoutResult) fanoutStep {
	st := fanoutStep{Rate: rate}
	open := 0
	for _, w := range watchers {
		if !w.closed.Load() {
			open++
		}
	}
	total := int(rate * cfg.StepDuration.Seconds())
	interval := time.Duration(float64(time.Second) / rate)
	type sent struct {
		nonce string
		ch    chan frame
	}
	out := make([][]sent, len(pubs))
	var wg sync.WaitGroup
	var mu sync.Mutex
	var sendErr error
	start := time.Now()
	for k, p := range pubs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := k; i < total && ctx.Err() == nil; i += len(pubs) {
				if wait := time.Until(start.Add(time.Duration(i) * interval)); wait > 0 {
					time.Sleep(wait)
				}
				nonce, ch, err := p.send(1+step*1_000_000+i, probe(step, time.Since(base)))
				if err != nil {
					mu.Lock()
					sendErr = err
					mu.Unlock()
					return
				}
				out[k] = append(out[k], sent{nonce, ch})
			}
		}()
	}
	wg.Wait()
	// The last message is due one interval before the step ends: the step's length is
	// the nominal one unless publishing overran it.
	st.Elapsed = max(time.Since(start), cfg.StepDuration)
	for _, o := range out {
		for _, sm := range o {
			st.Sent++
			a, err := await(ctx, sm.nonce, sm.ch)
			if err != nil {
				if st.Problem == "" {
					st.Problem = err.Error()
				}
				continue
			}
			st.Acked++
			res.Acked = append(res.Acked, a)
		}
	}
	if sendErr != nil && st.Problem == "" {
		st.Problem = sendErr.Error()
	}
	// Wait for the last deliveries: a client either has them all, or was dropped, or the
	// wait runs out and the step fails.
	st.Expected = st.Acked * open
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		n := 0
		for _, w := range watchers {
			n += w.delivered(step)
		}
		if st.Delivered = n; n >= st.Expected {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	var lat []time.Duration
	for _, w := range watchers {
		w.mu.Lock()
		lat = append(lat, w.lat[step]...)
		w.lat[step] = nil // frees memory; the count is taken
		w.mu.Unlock()
		if w.closed.Load() {
			st.Dropped++
		}
	}
	st.Delivered = len(lat)
	st.P50, st.P99, _ = percentiles(lat)
	st.Dropped -= len(watchers) - open
	switch {
	case st.Problem != "":
	case st.Dropped > 0:
		st.Problem = fmt.Sprintf("%d clients were disconnected for falling behind", st.Dropped)
	case st.Delivered < st.Expected:
		st.Problem = fmt.Sprintf("%d of %d deliveries missing after 3 s", st.Expected-st.Delivered, st.Expected)
	case st.P99 >= p99Budget:
		st.Problem = "p99 " + ms(st.P99) + " over 50 ms"
	case float64(st.Sent) < 0.95*float64(total) || st.Elapsed > cfg.StepDuration*11/10:
		st.Problem = fmt.Sprintf("publishers reached only %.0f msg/s", float64(st.Sent)/st.Elapsed.Seconds())
	default:
		st.OK = true
	}
	return st
}
