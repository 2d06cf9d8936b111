package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// profiler fetches the server's pprof profiles from its private metrics address while
// scenarios run (-profile DIR), one file per scenario.
type profiler struct {
	base  string // http://127.0.0.1:PORT of --metrics-addr
	dir   string
	wg    sync.WaitGroup
	mu    sync.Mutex
	errs  []error
	saved []string
}

// cpu starts a CPU profile of about d named name.pprof; call the returned function when
// the phase ends to wait for it. A nil profiler does nothing.
func (p *profiler) cpu(ctx context.Context, name string, d time.Duration) func() {
	if p == nil {
		return func() {}
	}
	// pprof wants whole seconds, and the metrics server's write timeout bounds them.
	secs := min(50, max(1, int(math.Round(d.Seconds()))))
	done := make(chan struct{})
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		defer close(done)
		p.fetch(ctx, fmt.Sprintf("/debug/pprof/profile?seconds=%d", secs), name+".cpu.pprof", time.Duration(secs+30)*time.Second)
	}()
	// Halfway through, where every goroutine waits: a server that is slow without using
	// its CPU is waiting on something, and this shows on what.
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		select {
		case <-time.After(time.Duration(secs) * time.Second / 2):
			p.fetch(ctx, "/debug/pprof/goroutine?debug=1", name+".goroutines.txt", 30*time.Second)
		case <-ctx.Done():
		}
	}()
	return func() { <-done }
}

// heap saves the server's heap profile now, named name.heap.pprof.
func (p *profiler) heap(ctx context.Context, name string) {
	if p == nil {
		return
	}
	p.fetch(ctx, "/debug/pprof/heap", name+".heap.pprof", 30*time.Second)
}

func (p *profiler) fetch(ctx context.Context, path, file string, timeout time.Duration) {
	err := func() error {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.base+path, nil)
		if err != nil {
			return err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
			return fmt.Errorf("status %d: %s", resp.StatusCode, b)
		}
		out := filepath.Join(p.dir, file)
		f, err := os.Create(out)
		if err != nil {
			return err
		}
		if _, err := io.Copy(f, resp.Body); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		p.mu.Lock()
		p.saved = append(p.saved, out)
		p.mu.Unlock()
		return nil
	}()
	if err != nil {
		p.mu.Lock()
		p.errs = append(p.errs, fmt.Errorf("loadtest: profile %s: %w", file, err))
		p.mu.Unlock()
	}
}

// wait waits for every profile still being taken.
func (p *profiler) wait() {
	if p != nil {
		p.wg.Wait()
	}
}
