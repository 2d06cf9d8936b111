// Command loadtest measures a built Stoa binary: it starts the binary on a temporary data
// folder and a free loopback port, seeds it, runs each scenario of issue 8 for a bounded
// time, stops the server with SIGTERM, checks that every acknowledged write is in the
// database, and prints one table.
//
//	make bench                                        # make build, then the full run (about a minute)
//	go run -tags sqlite_fts5 ./loadtest -bin ./stoa -quick   # a few seconds, small numbers
//
// BENCHMARKS.md describes the scenarios and records the figures.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// config is one run's sizes and durations; zero fields take the mode's defaults.
type config struct {
	Binary        string
	Quick         bool
	Only          map[string]bool
	KeepData      bool
	ProfileDir    string        // save the server's pprof profiles here (-profile)
	Duration      time.Duration // each measured phase
	Warmup        time.Duration
	StepDuration  time.Duration // each fan-out rate
	Settle        time.Duration // pause before reading memory
	Readers       int
	Posters       int
	FanoutClients int
	Publishers    int
	FanoutRates   []float64
	IdleClients   int
	Senders       int
	IngestRooms   int
	MaxOps        int64 // cap on operations in one phase, whatever its duration
	Deadline      time.Duration
	// Nodes > 1 runs that many nodes on Database and NATS, and the fan-out's clients
	// spread over them (publishers on the first).
	Nodes    int
	Database string // postgres://… of an empty database; empty: SQLite in the data folder
	NATS     string
}

// scenarioNames are what -only accepts; the ceiling runs with the thread page.
var scenarioNames = []string{"thread", "posting", "fanout", "idle", "ingest"}

func (c *config) fill() {
	full := config{Duration: 5 * time.Second, Warmup: time.Second, StepDuration: 2 * time.Second, Settle: 2 * time.Second,
		Readers: 64, Posters: 64, FanoutClients: 1000, Publishers: 8, IdleClients: 10000, Senders: 128, IngestRooms: 16,
		MaxOps: 2_000_000, Deadline: 15 * time.Minute,
		FanoutRates: []float64{50, 100, 150, 200, 250, 300, 400, 500, 700, 1000, 1500, 2000}}
	quick := config{Duration: 500 * time.Millisecond, Warmup: 100 * time.Millisecond, StepDuration: 400 * time.Millisecond,
		Settle: 300 * time.Millisecond, Readers: 8, Posters: 4, FanoutClients: 50, Publishers: 2, IdleClients: 200,
		Senders: 8, IngestRooms: 2, MaxOps: 20_000, Deadline: 3 * time.Minute, FanoutRates: []float64{20, 40}}
	d := &full
	if c.Quick {
		d = &quick
	}
	dur := func(v *time.Duration, def time.Duration) {
		if *v <= 0 {
			*v = def
		}
	}
	num := func(v *int, def int) {
		if *v <= 0 {
			*v = def
		}
	}
	dur(&c.Duration, d.Duration)
	dur(&c.Warmup, d.Warmup)
	dur(&c.StepDuration, d.StepDuration)
	dur(&c.Settle, d.Settle)
	dur(&c.Deadline, d.Deadline)
	num(&c.Readers, d.Readers)
	num(&c.Posters, d.Posters)
	num(&c.FanoutClients, d.FanoutClients)
	num(&c.Publishers, d.Publishers)
	num(&c.IdleClients, d.IdleClients)
	num(&c.Senders, d.Senders)
	num(&c.IngestRooms, d.IngestRooms)
	if c.MaxOps <= 0 {
		c.MaxOps = d.MaxOps
	}
	if len(c.FanoutRates) == 0 {
		c.FanoutRates = d.FanoutRates
	}
	if len(c.Only) == 0 {
		c.Only = map[string]bool{}
		for _, n := range scenarioNames {
			c.Only[n] = true
		}
	}
}

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.Binary, "bin", "./stoa", "the Stoa binary to measure (make build writes ./stoa)")
	fs.BoolVar(&c.Quick, "quick", false, "a few seconds with small numbers: checks that every scenario works, measures nothing")
	only := fs.String("only", "", "comma-separated scenarios to run: "+strings.Join(scenarioNames, ", ")+" (default all)")
	fs.BoolVar(&c.KeepData, "keep", false, "keep the temporary data folder (its path is printed)")
	fs.StringVar(&c.ProfileDir, "profile", "", "save the server's CPU profile of each scenario (and a heap profile with the idle clients) in this folder; starts the server with --metrics-addr")
	fs.DurationVar(&c.Duration, "duration", 0, "length of each measured phase (default 5s; quick 500ms)")
	fs.DurationVar(&c.StepDuration, "step", 0, "length of each fan-out rate step (default 2s)")
	fs.IntVar(&c.Readers, "readers", 0, "concurrent anonymous readers of the thread page (default 64)")
	fs.IntVar(&c.Posters, "posters", 0, "members replying at once (default 64)")
	fs.IntVar(&c.FanoutClients, "clients", 0, "WebSocket clients in the fan-out room (default 1000)")
	fs.IntVar(&c.Publishers, "publishers", 0, "publisher connections in the fan-out room (default 8)")
	rates := fs.String("rates", "", "fan-out message rates to try, comma-separated msg/s (default 50,100,…,2000)")
	fs.IntVar(&c.IdleClients, "idle", 0, "idle WebSocket clients (default 10000)")
	fs.IntVar(&c.Senders, "senders", 0, "chat connections sending at once (default 128)")
	fs.IntVar(&c.IngestRooms, "rooms", 0, "rooms the senders are spread over (default 16)")
	fs.IntVar(&c.Nodes, "nodes", 1, "run this many stoa nodes on -database and -nats; the fan-out clients spread over them (only fanout runs)")
	fs.StringVar(&c.Database, "database", "", "postgres://… URL of an empty database for the server(s); default SQLite in a temporary folder")
	fs.StringVar(&c.NATS, "nats", "", "NATS URL for -nodes above 1, e.g. nats://127.0.0.1:4222")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("loadtest: unexpected argument %q", fs.Arg(0))
	}
	if *only != "" {
		c.Only = map[string]bool{}
		for _, n := range strings.Split(*only, ",") {
			n = strings.TrimSpace(n)
			if n == "ceiling" {
				n = "thread"
			}
			if !slices.Contains(scenarioNames, n) {
				return nil, fmt.Errorf("loadtest: unknown scenario %q: use %s", n, strings.Join(scenarioNames, ", "))
			}
			c.Only[n] = true
		}
	}
	if *rates != "" {
		for _, r := range strings.Split(*rates, ",") {
			v, err := strconv.ParseFloat(strings.TrimSpace(r), 64)
			if err != nil || v <= 0 {
				return nil, fmt.Errorf("loadtest: -rates: %q is not a positive number", r)
			}
			c.FanoutRates = append(c.FanoutRates, v)
		}
	}
	if c.Nodes > 1 {
		if c.Database == "" || c.NATS == "" {
			return nil, fmt.Errorf("loadtest: -nodes %d needs -database postgres://… and -nats nats://…", c.Nodes)
		}
		if *only == "" {
			c.Only = map[string]bool{"fanout": true}
		}
		for n := range c.Only {
			if n != "fanout" {
				return nil, fmt.Errorf("loadtest: with -nodes only the fanout scenario runs, not %q", n)
			}
		}
	}
	c.fill()
	return c, nil
}

func main() {
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.Deadline)
	defer cancel()
	rep := run(ctx, cfg, os.Stderr)
	rep.print(os.Stdout, strings.Join(os.Args, " "))
	if !rep.OK() {
		os.Exit(1)
	}
}
