package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode/utf8"
)

// row is one line of the table.
type row struct{ scenario, result, latency, cpu, target, met string }

func verdict(ok bool) string {
	if ok {
		return "yes"
	}
	return "NO"
}

func failed(err error) string {
	s := strings.ReplaceAll(err.Error(), "\n", " ")
	if strings.Contains(s, "rate_limited") {
		s = "the server's chat send limit ignores --no-rate-limits (" + s + ")"
	}
	return "FAILED: " + shorten(s, 200)
}

// shorten cuts s to at most n bytes on a rune boundary.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func lat(s stats) string { return "p50 " + ms(s.P50) + ", p99 " + ms(s.P99) }

func errNote(s stats) string {
	if s.Errors == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d errors: %v)", s.Errors, s.FirstErr)
}

// rows turns the report into the table's lines; in quick mode no target is judged.
func (r *report) rows() []row {
	var out []row
	judge := func(ok bool) string {
		if r.cfg.Quick {
			return "-"
		}
		return verdict(ok)
	}
	fail := func(name string, err error) {
		out = append(out, row{scenario: name, result: failed(err), met: "NO"})
	}
	if f := r.forum; f != nil {
		if r.cfg.Only["thread"] && f.Thread.Ops > 0 {
			ratio := 0.0
			if f.Ceiling.Rate() > 0 {
				ratio = f.Thread.Rate() / f.Ceiling.Rate()
			}
			out = append(out,
				row{scenario: "1 thread page", result: fmt.Sprintf("%s req/s, %d readers%s", count(f.Thread.Rate()), r.cfg.Readers, errNote(f.Thread)),
					latency: lat(f.Thread), cpu: f.Thread.CPU.String(), target: "≥ 4,000 req/s", met: judge(f.Thread.Rate() >= 4000 && f.Thread.Errors == 0)},
				row{scenario: "1 … at 70 % of peak", result: fmt.Sprintf("%s req/s paced%s", count(f.At70.Rate()), errNote(f.At70)),
					latency: lat(f.At70), cpu: f.At70.CPU.String(), target: "p99 ≤ 15 ms", met: judge(f.At70.Ops > 0 && f.At70.P99 <= 15e6 && f.At70.Errors == 0)},
				row{scenario: "2 ceiling (bare net/http)", result: fmt.Sprintf("%s req/s, same bytes%s", count(f.Ceiling.Rate()), errNote(f.Ceiling)),
					latency: lat(f.Ceiling), cpu: f.Ceiling.CPU.String()},
				row{scenario: "2 thread page / ceiling", result: fmt.Sprintf("%.0f %%", 100*ratio), target: "≥ 50 %", met: judge(ratio >= 0.5)})
		}
		if p := f.Posting; r.cfg.Only["posting"] && (p.Ops > 0 || p.Errors > 0) {
			out = append(out, row{scenario: "3 posting (HTTP replies)", result: fmt.Sprintf("%s durable posts/s, %d members%s", count(p.Rate()), r.cfg.Posters, errNote(p)),
				latency: lat(p), cpu: p.CPU.String(), target: "≥ 2,000/s, p99 ≤ 50 ms", met: judge(p.Rate() >= 2000 && p.P99 <= 50e6 && p.Errors == 0)})
		}
	}
	if r.forumErr != nil {
		fail("1–3 forum", r.forumErr)
	}
	if f := r.fanout; f != nil {
		for i, st := range f.Steps {
			res := fmt.Sprintf("%s msg/s → %s deliveries/s", count(float64(st.Sent)/max(st.Elapsed.Seconds(), 1e-9)), count(st.DeliveriesPerSec()))
			if st.Problem != "" {
				res += " (" + shorten(st.Problem, 120) + ")"
			}
			out = append(out, row{scenario: fmt.Sprintf("4   step %d: %s msg/s", i+1, count(st.Rate)), result: res,
				latency: lat(stats{P50: st.P50, P99: st.P99}), cpu: st.CPU.String()})
		}
		best := row{scenario: "4 chat fan-out (best step)", result: "no rate kept p99 under 50 ms", target: "≥ 250,000/s, p99 < 50 ms", met: judge(false)}
		if f.Best >= 0 {
			st := f.Steps[f.Best]
			best.result = fmt.Sprintf("%s deliveries/s to %s clients", count(st.DeliveriesPerSec()), count(float64(f.Clients)))
			best.latency, best.cpu = lat(stats{P50: st.P50, P99: st.P99}), st.CPU.String()
			best.met = judge(st.DeliveriesPerSec() >= 250000)
		}
		out = append(out, best)
	}
	if r.fanErr != nil {
		fail("4 chat fan-out", r.fanErr)
	}
	if i := r.idle; i != nil && r.idleErr == nil {
		out = append(out, row{scenario: "5 idle WebSockets", result: fmt.Sprintf("%.1f KiB per connection (%s clients, RSS %s → %s MiB)",
			i.PerConn/1024, count(float64(i.Clients)), count(float64(i.Before)/(1<<20)), count(float64(i.After)/(1<<20))),
			target: "≤ 12 KiB", met: judge(i.PerConn <= 12*1024)})
	}
	if r.idleErr != nil {
		fail("5 idle WebSockets", r.idleErr)
	}
	if g := r.ingest; g != nil && (g.Stats.Ops > 0 || g.Stats.Errors > 0) {
		out = append(out, row{scenario: "6 chat ingest", result: fmt.Sprintf("%s msg/s committed, %d senders in %d rooms%s", count(g.Stats.Rate()), g.Senders, g.Rooms, errNote(g.Stats)),
			latency: "ack " + lat(g.Stats), cpu: g.Stats.CPU.String(), target: "≥ 20,000/s", met: judge(g.Stats.Rate() >= 20000 && g.Stats.Errors == 0)})
	}
	if r.ingErr != nil {
		fail("6 chat ingest", r.ingErr)
	}
	if r.setupErr != nil {
		fail("setup", r.setupErr)
	}
	if r.stopErr != nil {
		fail("server stop (SIGTERM)", r.stopErr)
	}
	if r.verErr != nil {
		fail("acknowledged writes", r.verErr)
	} else if v := r.verified; v != nil {
		res := fmt.Sprintf("%s/%s replies, %s/%s threads, %s/%s chat messages found after stop",
			count(float64(v.PostsFound)), count(float64(v.Posts)), count(float64(v.ThreadsFound)), count(float64(v.Threads)),
			count(float64(v.MessagesFound)), count(float64(v.Messages)))
		if !v.OK() {
			res += "; missing: " + strings.Join(v.Missing, ", ")
		}
		out = append(out, row{scenario: "acknowledged writes", result: res, target: "all present", met: verdict(v.OK())})
	}
	return out
}

// print writes the header and the table.
func (r *report) print(w io.Writer, command string) {
	mode := "full"
	if r.cfg.Quick {
		mode = "quick (checks that every scenario works; the figures mean nothing)"
	}
	fmt.Fprintf(w, "Stoa load test, %s\n", r.started.Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(w, "machine: %s; load average %s at start, %s at end; open-file limit %d\n", r.machine, r.loadStart, r.loadEnd, r.fileLimit)
	fmt.Fprintf(w, "command: %s (mode %s; %s per phase)\n", command, mode, r.cfg.Duration)
	for _, n := range r.notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	if r.cfg.KeepData {
		fmt.Fprintf(w, "data folder kept: %s\n", r.dataDir)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "scenario\tresult\tlatency\tcores server/tool\ttarget\tmet")
	for _, rw := range r.rows() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", rw.scenario, rw.result, rw.latency, rw.cpu, rw.target, rw.met)
	}
	tw.Flush()
}
