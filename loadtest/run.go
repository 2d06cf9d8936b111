package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// report is everything one run found, printed as one table.
type report struct {
	cfg       *config
	started   time.Time
	machine   string
	loadStart string
	loadEnd   string
	fileLimit uint64
	dataDir   string
	notes     []string

	forum    *forumResult
	forumErr error
	idle     *idleResult
	idleErr  error
	fanout   *fanoutResult
	fanErr   error
	ingest   *ingestResult
	ingErr   error
	setupErr error
	stopErr  error
	verified *verification
	verErr   error
}

// OK reports whether every scenario ran and every acknowledged write was found.
func (r *report) OK() bool {
	return r.setupErr == nil && r.forumErr == nil && r.idleErr == nil && r.fanErr == nil && r.ingErr == nil &&
		r.stopErr == nil && r.verErr == nil && r.verified != nil && r.verified.OK() && r.fanoutOK()
}

// fanoutOK is false when fan-out ran but not even its first rate passed in a full run;
// in quick mode any completed step will do, since the machine may be busy.
func (r *report) fanoutOK() bool {
	if r.fanout == nil {
		return true
	}
	if r.cfg.Quick {
		return len(r.fanout.Steps) > 0 && r.fanout.Steps[0].Acked > 0 && r.fanout.Steps[0].Delivered > 0
	}
	return true
}

// run starts the server, runs the chosen scenarios, stops the server and verifies.
// Progress goes to log; the result is the report.
func run(ctx context.Context, cfg *config, log io.Writer) *report {
	rep := &report{cfg: cfg, started: time.Now(), machine: machine(), loadStart: loadAverage()}
	rep.fileLimit = raiseFileLimit()
	logf := func(format string, args ...any) {
		fmt.Fprintf(log, "loadtest: "+format+"\n", args...)
	}
	dir, err := os.MkdirTemp("", "stoa-loadtest-")
	if err != nil {
		rep.setupErr = err
		return rep
	}
	rep.dataDir = dir
	if !cfg.KeepData {
		defer os.RemoveAll(dir)
	}
	bin, err := filepath.Abs(cfg.Binary)
	if err != nil {
		rep.setupErr = err
		return rep
	}
	if _, err := os.Stat(bin); err != nil {
		rep.setupErr = fmt.Errorf("loadtest: no Stoa binary at %s: run make build first, or pass -bin", bin)
		return rep
	}

	names := make([]string, max(cfg.Posters, 2))
	for i := range names {
		names[i] = fmt.Sprintf("member%d", i+1)
	}
	where := []string{"--data", dir}
	if cfg.Database != "" {
		where = append(where, "--database", cfg.Database)
	}
	logf("seeding %d members in %s", len(names), dir)
	if err := seedUsers(ctx, bin, where, "admin", names); err != nil {
		rep.setupErr = err
		return rep
	}
	var prof *profiler
	metricsAddr := ""
	if cfg.ProfileDir != "" {
		if err := os.MkdirAll(cfg.ProfileDir, 0o755); err != nil {
			rep.setupErr = fmt.Errorf("loadtest: -profile: %w", err)
			return rep
		}
		if metricsAddr, err = freeLoopbackAddr(); err != nil {
			rep.setupErr = err
			return rep
		}
		prof = &profiler{base: "http://" + metricsAddr, dir: cfg.ProfileDir}
	}
	var cluster []string
	if cfg.Nodes > 1 {
		cluster = []string{"--nats", cfg.NATS, "--node-name", "node1"}
		rep.notes = append(rep.notes, fmt.Sprintf("%d nodes on one PostgreSQL database and NATS; fan-out clients spread over them in turn, publishers on node 1; server CPU is the nodes' sum", cfg.Nodes))
	}
	srv, err := startServer(ctx, bin, dir, metricsAddr, "server.log", append(where[2:], cluster...)...)
	if err != nil {
		rep.setupErr = err
		return rep
	}
	var peers []*site
	for i := 2; i <= cfg.Nodes; i++ {
		p, err := startServer(ctx, bin, dir, "", fmt.Sprintf("node%d.log", i), append(where[2:], "--nats", cfg.NATS, "--node-name", fmt.Sprintf("node%d", i))...)
		if err != nil {
			rep.setupErr = err
			return rep
		}
		defer func() {
			select {
			case <-p.exited:
			default:
				p.stop()
			}
		}()
		peers = append(peers, &site{base: p.base, client: httpClient(16), srv: p})
	}
	defer func() {
		// Stopped here if a scenario panicked or returned early; a second stop is harmless.
		select {
		case <-srv.exited:
		default:
			srv.stop()
		}
	}()
	s := &site{base: srv.base, client: httpClient(16), prof: prof, srv: srv, peers: peers}
	admin, err := s.login(ctx, "admin")
	if err != nil {
		rep.setupErr = err
		return rep
	}
	members := make([]*member, len(names))
	for i, n := range names {
		if members[i], err = s.login(ctx, n); err != nil {
			rep.setupErr = err
			return rep
		}
	}

	// Idle first, on a fresh server, so that memory freed by other scenarios is not
	// reused by idle connections and hidden from the delta.
	if cfg.Only["idle"] {
		need := uint64(cfg.IdleClients + 200)
		if rep.fileLimit < need {
			rep.idleErr = fmt.Errorf("loadtest: %d idle clients need an open-file limit of at least %d (now %d): raise ulimit -n", cfg.IdleClients, need, rep.fileLimit)
		} else {
			logf("idle: %d WebSocket clients", cfg.IdleClients)
			r, err := runIdle(ctx, s, srv, cfg.IdleClients, cfg.Settle)
			rep.idle, rep.idleErr = &r, err
			// Let the server see every close before the next scenario.
			time.Sleep(cfg.Settle)
		}
	}
	if cfg.Only["thread"] || cfg.Only["posting"] {
		logf("forum: thread page, ceiling, posting")
		rep.forum = &forumResult{}
		rep.forumErr = runForumChosen(ctx, cfg, s, members, rep.forum, func(n string) { rep.notes = append(rep.notes, n) })
	}
	if cfg.Only["fanout"] {
		logf("fan-out: %d clients, rates %v msg/s", cfg.FanoutClients, cfg.FanoutRates)
		r, err := runFanout(ctx, cfg, s, members[0])
		rep.fanout, rep.fanErr = &r, err
	}
	if cfg.Only["ingest"] {
		logf("ingest: %d senders in %d rooms", cfg.Senders, cfg.IngestRooms)
		r, err := runIngest(ctx, cfg, s, admin, members)
		rep.ingest, rep.ingErr = &r, err
	}

	prof.wait()
	if prof != nil {
		for _, f := range prof.saved {
			rep.notes = append(rep.notes, "profile saved: "+f)
		}
		for _, err := range prof.errs {
			rep.notes = append(rep.notes, err.Error())
		}
	}
	logf("stopping the server")
	rep.stopErr = srv.stop()
	for _, p := range peers {
		if err := p.srv.stop(); err != nil && rep.stopErr == nil {
			rep.stopErr = err
		}
	}
	rep.loadEnd = loadAverage()
	var posts, threads []ackedPost
	var msgs []ackedMessage
	if rep.forum != nil {
		posts, threads = rep.forum.Acked, rep.forum.Threads
	}
	if rep.fanout != nil {
		msgs = append(msgs, rep.fanout.Acked...)
	}
	if rep.ingest != nil {
		msgs = append(msgs, rep.ingest.Acked...)
	}
	v, err := verify(context.Background(), dir, cfg.Database, posts, threads, msgs)
	rep.verified, rep.verErr = &v, err
	return rep
}

// runForumChosen runs the thread page and posting scenarios that were asked for.
func runForumChosen(ctx context.Context, cfg *config, s *site, members []*member, res *forumResult, note func(string)) error {
	if cfg.Only["thread"] {
		if err := runThread(ctx, cfg, s, members, res, note); err != nil {
			return err
		}
	}
	if cfg.Only["posting"] {
		return runPosting(ctx, cfg, s, members, res)
	}
	return nil
}
