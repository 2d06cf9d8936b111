package crashtest

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// scrape reads the named gauges from the server's Prometheus endpoint.
func scrape(t *testing.T, metricsAddr string, names ...string) map[string]float64 {
	t.Helper()
	resp, err := http.Get("http://" + metricsAddr + "/metrics")
	if err != nil {
		t.Fatalf("scrape: %v", err)
	}
	defer resp.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		for _, n := range names {
			if rest, ok := strings.CutPrefix(sc.Text(), n+" "); ok {
				out[n], _ = strconv.ParseFloat(rest, 64)
			}
		}
	}
	return out
}

// TestSoak runs mixed load for STOA_SOAK (e.g. "10m"; make soak) and checks that memory
// and goroutines return to their baseline once the clients leave.
func TestSoak(t *testing.T) {
	d, err := time.ParseDuration(os.Getenv("STOA_SOAK"))
	if err != nil || d <= 0 {
		t.Skip("set STOA_SOAK=10m (make soak) to run the soak test")
	}
	s := &server{t: t, bin: buildStoa(t), data: t.TempDir(), addr: freeAddr(t)}
	metricsAddr := freeAddr(t)
	s.run("user", "add", "--data", s.data, "--role", "admin", "soak-admin")
	const posters = 8
	for i := range posters {
		s.run("user", "add", "--data", s.data, "--role", "member", fmt.Sprintf("soak-%d", i))
	}
	s.startWith("--metrics-addr", metricsAddr)
	defer s.stop()
	gauges := []string{"go_goroutines", "process_resident_memory_bytes"}
	time.Sleep(time.Second)
	base := scrape(t, metricsAddr, gauges...)

	var members []*http.Client
	for i := range posters {
		members = append(members, s.member(fmt.Sprintf("soak-%d", i)))
	}
	resp, err := post(members[0], "http://"+s.addr+"/c/general/new", url.Values{"title": {"Soak"}, "body": {"start"}, "token": {"soak"}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create thread: %v", err)
	}
	thread := resp.Header.Get("Location")
	threadID := thread[:strings.LastIndex(thread, "/")]

	var posts, reads, chats, failures atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i, c := range members {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				case <-time.After(time.Duration(20+rand.IntN(60)) * time.Millisecond):
				}
				body := fmt.Sprintf("soak %d-%d", i, n)
				if r, err := post(c, "http://"+s.addr+threadID+"/reply", url.Values{"body": {body}, "token": {body}}); err == nil && r.StatusCode == http.StatusSeeOther {
					posts.Add(1)
				} else {
					failures.Add(1)
				}
			}
		}()
	}
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				for _, p := range []string{"/", "/c/general", thread, threadID + "/" + "x", "/search?q=soak"} {
					r, err := http.Get("http://" + s.addr + p)
					if err != nil {
						failures.Add(1)
						continue
					}
					io.Copy(io.Discard, r.Body)
					r.Body.Close()
					reads.Add(1)
				}
			}
		}()
	}
	// Chat: watchers connect and leave in turns while two members talk.
	for w := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				conn, _, err := websocket.DefaultDialer.Dial("ws://"+s.addr+"/chat/general/ws", http.Header{"Origin": {"http://" + s.addr}})
				if err != nil {
					failures.Add(1)
					return
				}
				go func() {
					for {
						if _, _, err := conn.ReadMessage(); err != nil {
							return
						}
					}
				}()
				select {
				case <-stop:
					conn.Close()
					return
				case <-time.After(time.Duration(2+w%5) * time.Second):
					conn.Close()
				}
			}
		}()
	}
	talkStop := make(chan struct{})
	chatDone := make(chan error, 1)
	go func() {
		acked, err := s.chatLoad(members[:2], talkStop)
		chats.Store(int64(len(acked)))
		chatDone <- err
	}()
	peak := map[string]float64{}
	for k, v := range base {
		peak[k] = v
	}
	for end := time.Now().Add(d); time.Now().Before(end); {
		time.Sleep(min(10*time.Second, time.Until(end)+time.Millisecond))
		m := scrape(t, metricsAddr, gauges...)
		for _, g := range gauges {
			peak[g] = max(peak[g], m[g])
		}
		t.Logf("%s: %d posts, %d reads, %d failures, %0.f goroutines, %.1f MiB RSS",
			time.Until(end).Round(time.Second), posts.Load(), reads.Load(), failures.Load(), m["go_goroutines"], m["process_resident_memory_bytes"]/(1<<20))
	}
	close(stop)
	close(talkStop)
	if err := <-chatDone; err != nil {
		t.Errorf("chat during the soak: %v", err)
	}
	wg.Wait()
	http.DefaultClient.CloseIdleConnections()
	for _, c := range members {
		c.CloseIdleConnections()
	}
	time.Sleep(3 * time.Second)
	after := scrape(t, metricsAddr, gauges...)
	t.Logf("%d chat messages acknowledged", chats.Load())
	t.Logf("baseline %.0f goroutines %.1f MiB; peak %.0f goroutines %.1f MiB; after %.0f goroutines %.1f MiB",
		base["go_goroutines"], base["process_resident_memory_bytes"]/(1<<20), peak["go_goroutines"], peak["process_resident_memory_bytes"]/(1<<20),
		after["go_goroutines"], after["process_resident_memory_bytes"]/(1<<20))
	if after["go_goroutines"] > base["go_goroutines"]+5 {
		t.Errorf("goroutines did not return to baseline: %.0f before, %.0f after the clients left", base["go_goroutines"], after["go_goroutines"])
	}
	if failures.Load() > 0 {
		t.Errorf("%d requests failed during the soak", failures.Load())
	}
}
