package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"
)

// ingestResult is what scenario 6 measured.
type ingestResult struct {
	Senders int
	Rooms   int
	Stats   stats
	// Confirms counts confirm_required answered: each sender's first message in a room
	// must be held for the public-room acknowledgement.
	Confirms int64
	Acked    []ackedMessage
}

// createRooms has the admin create n rooms over the admin form and returns their slugs.
func createRooms(ctx context.Context, s *site, admin *member, n int) ([]string, error) {
	var slugs []string
	for i := range n {
		slug := fmt.Sprintf("load-%d", i+1)
		status, loc, err := s.postForm(ctx, admin, "/chat/admin/rooms",
			formValues("slug", slug, "name", fmt.Sprintf("Load room %d", i+1), "topic", "Created by the load test."))
		if err != nil {
			return nil, fmt.Errorf("loadtest: create room %s: %w", slug, err)
		}
		if status != http.StatusSeeOther {
			return nil, fmt.Errorf("loadtest: create room %s: status %d to %q, want 303", slug, status, loc)
		}
		slugs = append(slugs, slug)
	}
	return slugs, nil
}

// runIngest has many members' connections, spread over several rooms, each send a
// message, wait for its acknowledgement and send the next, for cfg.Duration: messages
// committed per second is how many acknowledgements came back.
func runIngest(ctx context.Context, cfg *config, s *site, admin *member, members []*member) (ingestResult, error) {
	res := ingestResult{Senders: cfg.Senders, Rooms: cfg.IngestRooms}
	rooms, err := createRooms(ctx, s, admin, cfg.IngestRooms)
	if err != nil {
		return res, err
	}
	senders := make([]*chatConn, cfg.Senders)
	for i := range senders {
		c, err := dialChat(ctx, s, rooms[i%len(rooms)], members[i%len(members)], largeReadBuffer)
		if err != nil {
			return res, err
		}
		defer c.Close()
		senders[i] = newChatConn(c, fmt.Sprintf("i%d-", i))
	}
	// Each sender's first message confirms that its room is public (the answer to
	// confirm_required), outside the measurement.
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make([]error, len(senders))
	for i, c := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a, err := c.sendAndWait(ctx, 0, fmt.Sprintf("hello, this is load test sender %d", i))
			if err != nil {
				errs[i] = err
				return
			}
			mu.Lock()
			res.Acked = append(res.Acked, a)
			mu.Unlock()
		}()
	}
	wg.Wait()
	for _, c := range senders {
		res.Confirms += c.confirm.Load()
	}
	for _, err := range errs {
		if err != nil {
			return res, err
		}
	}
	seq := make([]int, len(senders))
	send := func(ctx context.Context, w int) error {
		seq[w]++
		a, err := senders[w].sendAndWait(ctx, seq[w], fmt.Sprintf("a short chat message, as people send them (%d.%d)", w, seq[w]))
		if err != nil {
			return err
		}
		mu.Lock()
		res.Acked = append(res.Acked, a)
		mu.Unlock()
		return nil
	}
	stop, cpu := s.prof.cpu(ctx, "6-ingest", cfg.Duration), meterCPU(s.srv)
	res.Stats = closedLoop(ctx, len(senders), cfg.Duration, cfg.MaxOps, send)
	res.Stats.CPU = cpu()
	stop()
	return res, nil
}
