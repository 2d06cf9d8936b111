package chat_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"stoa/account"
	"stoa/chat"
)

// Run with: go test -tags sqlite_fts5 -run '^$' -bench . -benchtime 2000x ./chat/
// (BenchmarkIdleConnectionMemory takes STOA_BENCH_CONNS, default 2000.)

// BenchmarkPersist measures messages made durable per second when many members send at
// once: group commit lets them share fsyncs.
func BenchmarkPersist(b *testing.B) {
	s := newSite(b, func(o *siteOpts) { o.limits.SendBurst = 1 << 30 })
	u := s.member("alice", account.RoleMember).user
	b.SetParallelism(8) // 8 × GOMAXPROCS concurrent senders
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.chat.Send(context.Background(), u, s.general, chat.Input{Body: "persist me", Confirm: true}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
}

// BenchmarkPersistOneSender is the same with one sender waiting for each message: one
// fsync per message, the baseline that group commit improves on.
func BenchmarkPersistOneSender(b *testing.B) {
	s := newSite(b, func(o *siteOpts) { o.limits.SendBurst = 1 << 30 })
	u := s.member("alice", account.RoleMember).user
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		if _, err := s.chat.Send(context.Background(), u, s.general, chat.Input{Body: "persist me", Confirm: true}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
}

// BenchmarkBroadcast1000 sends messages into a room watched by 1,000 WebSocket clients
// (in this process, each reading every frame) and reports deliveries per second.
func BenchmarkBroadcast1000(b *testing.B) {
	const clients = 1000
	s := newSite(b, func(o *siteOpts) { o.limits.SendBurst, o.limits.MaxConnsPerAddr = 1<<30, 1<<30 })
	u := s.member("alice", account.RoleMember).user
	var delivered atomic.Int64
	for range clients {
		c := s.anonymous().connect("general")
		c.conn.SetReadDeadline(time.Time{})
		go func() {
			for {
				_, r, err := c.conn.NextReader()
				if err != nil {
					return
				}
				io.Copy(io.Discard, r)
				delivered.Add(1)
			}
		}()
	}
	for s.chat.Hub().Clients(s.general.ID) != clients {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // let the joins' presence frames drain
	base := delivered.Load()
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	senders := 4
	for i := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := i; j < b.N; j += senders {
				if _, err := s.chat.Send(context.Background(), u, s.general, chat.Input{Body: "hello, everyone", Confirm: true}); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	want := base + int64(b.N)*clients
	deadline := time.Now().Add(time.Minute)
	for delivered.Load() < want && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	if got := delivered.Load() - base; got != int64(b.N)*clients {
		b.Fatalf("%d deliveries, want %d", got, int64(b.N)*clients)
	}
	b.ReportMetric(float64(b.N)*clients/elapsed.Seconds(), "deliveries/s")
}

// BenchmarkIdleConnectionMemory opens STOA_BENCH_CONNS (default 2000) idle WebSockets
// from a separate process and reports the server's memory per connection (live heap
// plus goroutine stacks, after garbage collection).
func BenchmarkIdleConnectionMemory(b *testing.B) {
	n := 2000
	if v, err := strconv.Atoi(os.Getenv("STOA_BENCH_CONNS")); err == nil && v > 0 {
		n = v
	}
	s := newSite(b, func(o *siteOpts) { o.limits.PingEvery, o.limits.MaxConnsPerAddr = time.Hour, 1<<30 })
	before := liveBytes()
	cmd := exec.Command(os.Args[0], "-test.run=^TestIdleClientsHelper$", "-test.timeout=10m")
	cmd.Env = append(os.Environ(), "STOA_IDLE_CLIENTS="+strconv.Itoa(n), "STOA_IDLE_URL="+s.url)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		stdin.Close()
		cmd.Wait()
	}()
	ready := bufio.NewScanner(stdout)
	for ready.Scan() && !strings.HasPrefix(ready.Text(), "ready") {
	}
	for s.chat.Hub().Clients(s.general.ID) != n {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(1500 * time.Millisecond) // presence broadcasts drain, write goroutines end
	after := liveBytes()
	per := float64(after-before) / float64(n)
	b.ReportMetric(per, "B/conn")
	b.ReportMetric(float64(runtime.NumGoroutine())/float64(n), "goroutines/conn")
	b.Logf("%d idle connections: %.0f bytes each (%.1f KiB)", n, per, per/1024)
}

func liveBytes() uint64 {
	var ms runtime.MemStats
	for range 3 {
		runtime.GC()
	}
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc + ms.StackInuse
}

// TestIdleClientsHelper is the client side of BenchmarkIdleConnectionMemory, run in its
// own process so that the clients' memory is not counted as the server's.
func TestIdleClientsHelper(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("STOA_IDLE_CLIENTS"))
	base := os.Getenv("STOA_IDLE_URL")
	if n == 0 || base == "" {
		t.Skip("helper process for BenchmarkIdleConnectionMemory")
	}
	url := "ws" + strings.TrimPrefix(base, "http") + "/chat/general/ws"
	d := websocket.Dialer{ReadBufferSize: 256, WriteBufferSize: 256}
	var conns []*websocket.Conn
	for i := range n {
		c, _, err := d.Dial(url, nil)
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		conns = append(conns, c)
		// Read (and discard) in the background so that the server never waits on us.
		go func() {
			for {
				if _, _, err := c.ReadMessage(); err != nil {
					return
				}
			}
		}()
	}
	fmt.Println("ready")
	io.Copy(io.Discard, os.Stdin)
	for _, c := range conns {
		c.Close()
	}
}
