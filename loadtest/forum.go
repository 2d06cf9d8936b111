package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// bodies are the replies' Markdown: typical forum posts of 300 to 900 bytes with the
// formatting people use, and no personal information (the detector would hold them).
var bodies = []string{
	"Thanks for the **detailed** write-up! I tried the steps from [the guide](https://example.com/guide) and it mostly worked.\n\n" +
		"Two things I noticed:\n\n1. The config file lives in `~/.config/stoa`, not `/etc`.\n2. After the upgrade I had to restart *twice* before the cache cleared.\n\n" +
		"> Make sure you back up the database first.\n\nGood advice, and ~~the old flag~~ is gone now.",
	"Same here. The release notes at https://example.org/changelog explain it: the cache is now keyed by version, " +
		"so the first start after an upgrade rebuilds it. That takes a while on a slow disk but only happens once.",
	"I would go further and run the backup from a timer:\n\n```sh\nstoa backup --data /var/lib/stoa /backups/stoa.db\n```\n\n" +
		"Then copy the file somewhere else. Restoring is just putting it back while the server is stopped.",
	"- [x] backed up\n- [x] upgraded the staging box\n- [ ] upgraded production\n\nWill report back once production is done. " +
		"So far _everything_ looks fine, and the pages feel a bit faster than before.",
	"Has anyone tried this behind a reverse proxy? I set the base URL to the public address and the chat works, but I had to " +
		"allow the WebSocket upgrade in the proxy configuration. Without that the room page loads and messages never arrive.",
}

// forumResult is what the forum scenarios measured.
type forumResult struct {
	Thread   stats // anonymous readers, as many requests as the server answers
	Ceiling  stats // the same bytes from a bare net/http handler
	At70     stats // readers at 70 % of the thread page's peak, paced
	Posting  stats
	PageSize int
	Acked    []ackedPost // every reply the server acknowledged, to find in the database
	Threads  []ackedPost // every thread created (ID is the thread's id)
}

// seedThread creates a thread of n posts written by members in turn and returns its path.
func seedThread(ctx context.Context, s *site, members []*member, n int, res *forumResult) (int64, string, error) {
	tok := token()
	id, path, err := s.createThreadToken(ctx, members[0], "general", "How do you back up and upgrade your server?", bodies[0], tok)
	if err != nil {
		return 0, "", err
	}
	res.Threads = append(res.Threads, ackedPost{ID: id, Token: tok})
	for i := 1; i < n; i++ {
		p, err := s.reply(ctx, members[i%len(members)], id, unique(bodies[i%len(bodies)], "seed", i))
		if err != nil {
			return 0, "", fmt.Errorf("loadtest: seed reply %d: %w", i, err)
		}
		res.Acked = append(res.Acked, p)
	}
	return id, path, nil
}

// runThread runs scenarios 1 and 2: the thread page read by anonymous readers, the same
// bytes from a bare handler, and the thread page again at 70 % of its peak.
func runThread(ctx context.Context, cfg *config, s *site, members []*member, res *forumResult, note func(string)) error {
	_, path, err := seedThread(ctx, s, members, 50, res)
	if err != nil {
		return err
	}
	status, page, hdr, err := s.get(ctx, path)
	if err != nil || status != http.StatusOK {
		return fmt.Errorf("loadtest: read %s: status %d, %v", path, status, err)
	}
	res.PageSize = len(page)
	// Each reader keeps one connection, as a browser does; getters are per worker.
	readers := rawGetters(cfg.Readers, s.base, path)
	defer closeGetters(readers)
	read := func(ctx context.Context, w int) error { return readers[w].get(ctx) }
	closedLoop(ctx, cfg.Readers, cfg.Warmup, cfg.MaxOps, read)
	stop, cpu := s.prof.cpu(ctx, "1-thread", cfg.Duration), meterCPU(s.srv)
	res.Thread = closedLoop(ctx, cfg.Readers, cfg.Duration, cfg.MaxOps, read)
	res.Thread.CPU = cpu()
	stop()

	ceil, err := serveFromMemory(page, hdr.Get("Content-Type"))
	if err != nil {
		return err
	}
	ceilReaders := rawGetters(cfg.Readers, ceil.base, path)
	readCeil := func(ctx context.Context, w int) error { return ceilReaders[w].get(ctx) }
	closedLoop(ctx, cfg.Readers, cfg.Warmup, cfg.MaxOps, readCeil)
	cpu = meterCPU(nil) // the ceiling's server runs inside the tool
	res.Ceiling = closedLoop(ctx, cfg.Readers, cfg.Duration, cfg.MaxOps, readCeil)
	res.Ceiling.CPU = cpu()
	closeGetters(ceilReaders)
	ceil.close()

	if rate := 0.7 * res.Thread.Rate(); rate >= 1 {
		// Paced requests must never wait for a free connection on the client's side:
		// that would be the tool's latency, not the server's.
		paced := rawGetters(4*cfg.Readers, s.base, path)
		defer closeGetters(paced)
		cpu := meterCPU(s.srv)
		res.At70 = openLoop(ctx, rate, len(paced), cfg.Duration, func(ctx context.Context, w int) error { return paced[w].get(ctx) })
		res.At70.CPU = cpu()
	}
	note(fmt.Sprintf("thread page %s: %d bytes, the first 20 of its 50 posts", path, len(page)))
	return nil
}

// runPosting has every member reply as fast as the server acknowledges, spread over a
// few threads the way a busy forum's latest activity is.
func runPosting(ctx context.Context, cfg *config, s *site, members []*member, res *forumResult) error {
	var threads []int64
	for i := range min(8, len(members)) {
		tok := token()
		id, _, err := s.createThreadToken(ctx, members[i], "general", fmt.Sprintf("Busy thread %c", 'A'+i), bodies[1], tok)
		if err != nil {
			return err
		}
		threads = append(threads, id)
		res.Threads = append(res.Threads, ackedPost{ID: id, Token: tok})
	}
	ps := &site{base: s.base, client: httpClient(len(members))}
	var mu sync.Mutex
	var sent atomic.Int64
	post := func(ctx context.Context, w int) error {
		p, err := ps.reply(ctx, members[w], threads[w%len(threads)], unique(bodies[w%len(bodies)], "reply", int(sent.Add(1))))
		if err != nil {
			return err
		}
		mu.Lock()
		res.Acked = append(res.Acked, p)
		mu.Unlock()
		return nil
	}
	// Replies cut off when the phase ends may still have been acknowledged; the ones the
	// tool saw are what it checks, so none of them may be missing afterwards.
	stop, cpu := s.prof.cpu(ctx, "3-posting", cfg.Duration), meterCPU(s.srv)
	res.Posting = closedLoop(ctx, len(members), cfg.Duration, cfg.MaxOps, post)
	res.Posting.CPU = cpu()
	stop()
	return nil
}

// createThreadToken is createThread with a caller-chosen token, so the thread's first
// post can be found in the database afterwards.
func (s *site) createThreadToken(ctx context.Context, m *member, slug, title, body, tok string) (int64, string, error) {
	status, loc, err := s.postForm(ctx, m, "/c/"+slug+"/new", formValues("title", title, "body", body, "token", tok))
	if err != nil {
		return 0, "", fmt.Errorf("loadtest: new thread: %w", err)
	}
	mt := threadPath.FindStringSubmatch(loc)
	if status != http.StatusSeeOther || mt == nil {
		return 0, "", fmt.Errorf("loadtest: new thread: status %d to %q, want 303 to /t/ID/SLUG", status, loc)
	}
	id, _ := strconv.ParseInt(mt[1], 10, 64)
	return id, loc, nil
}

// memoryServer serves one response from memory: the ceiling a Go HTTP server reaches on
// this machine for this page, with no application work at all.
type memoryServer struct {
	base string
	srv  *http.Server
}

func serveFromMemory(body []byte, contentType string) (*memoryServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("loadtest: ceiling listener: %w", err)
	}
	length := strconv.Itoa(len(body))
	srv := &http.Server{
		ReadHeaderTimeout: 10 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", contentType)
			w.Header().Set("Content-Length", length)
			w.Write(body)
		}),
	}
	go srv.Serve(ln)
	return &memoryServer{base: "http://" + ln.Addr().String(), srv: srv}, nil
}

func (m *memoryServer) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	m.srv.Shutdown(ctx)
}

// unique makes body the n-th of its kind: members do not post the same text twice, and the
// server refuses a duplicate within minutes.
func unique(body, kind string, n int) string {
	return fmt.Sprintf("%s\n\n(%s %d)", body, kind, n)
}
