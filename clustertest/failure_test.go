package clustertest

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// chatLoad sends messages from each sender until stop closes or its connection ends,
// and returns the nonces acknowledged, by sender.
func chatLoad(senders []*watcher, stop <-chan struct{}) {
	var wg sync.WaitGroup
	for i, s := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				case <-time.After(5 * time.Millisecond):
				}
				if s.send(fmt.Sprintf("load %d-%d", i, n), fmt.Sprintf("l%d-%d", i, n)) != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
}

// ackedIDs returns the ids w's own messages were acknowledged with.
func (w *watcher) ackedIDs() []int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	var ids []int64
	for _, f := range w.frames {
		if f.Type == "message" && f.Nonce != "" && !f.Edited {
			ids = append(ids, f.ID)
		}
	}
	return ids
}

// privateNATS runs a nats-server with JetStream on a free port, for a test that restarts it.
type privateNATS struct {
	t    *testing.T
	port string
	dir  string
	cmd  *exec.Cmd
}

func startNATS(t *testing.T) *privateNATS {
	t.Helper()
	const path = "/usr/sbin/nats-server"
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing: %v", path, err)
		}
		t.Skipf("%s is missing (%v): this test restarts its own NATS", path, err)
	}
	_, port, _ := net.SplitHostPort(freeAddr(t))
	n := &privateNATS{t: t, port: port, dir: t.TempDir()}
	n.start()
	t.Cleanup(n.stop)
	return n
}

func (n *privateNATS) url() string { return "nats://127.0.0.1:" + n.port }

func (n *privateNATS) start() {
	n.t.Helper()
	n.cmd = exec.Command("/usr/sbin/nats-server", "-a", "127.0.0.1", "-p", n.port, "-js", "-sd", n.dir)
	if err := n.cmd.Start(); err != nil {
		n.t.Fatal(err)
	}
	if _, ok := eventually(20*time.Second, func() bool {
		c, err := net.Dial("tcp", "127.0.0.1:"+n.port)
		if err == nil {
			c.Close()
		}
		return err == nil
	}); !ok {
		n.t.Fatal("nats-server did not start")
	}
}

func (n *privateNATS) stop() {
	if n.cmd != nil && n.cmd.ProcessState == nil {
		n.cmd.Process.Signal(syscall.SIGKILL)
		n.cmd.Wait()
	}
}

func TestNATSRestartMidLoadLosesNothing(t *testing.T) {
	need(t, "NATS", "127.0.0.1:4222")
	nats := startNATS(t)
	senders := []string{"snd1", "snd2", "snd3"}
	c := newCluster(t, 3, nats.url(), append(senders, "watch1", "watch2", "watch3")...)
	start := c.lastID(t)
	var watchers, conns []*watcher
	for i, name := range []string{"watch1", "watch2", "watch3"} {
		watchers = append(watchers, watch(t, c.nodes[i], c.member(name), start))
	}
	for i, name := range senders {
		conns = append(conns, watch(t, c.nodes[i], c.member(name), start))
	}
	for _, w := range append(watchers, conns...) {
		if _, ok := eventually(20*time.Second, func() bool { return w.has(func(f frame) bool { return f.Type == "presence" }) }); !ok {
			t.Fatalf("no presence frame on %s", w.node.name)
		}
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { chatLoad(conns, stop); close(done) }()
	time.Sleep(700 * time.Millisecond)
	nats.stop() // NATS dies mid-load; nodes keep committing
	time.Sleep(700 * time.Millisecond)
	nats.start()
	// The nodes reconnect by themselves.
	for _, nd := range c.nodes {
		if _, ok := eventually(30*time.Second, func() bool {
			code, body := get(http.DefaultClient, nd.url("/healthz"))
			return code == http.StatusOK && strings.Contains(body, "nats: ok")
		}); !ok {
			t.Fatalf("%s never reconnected to NATS", nd.name)
		}
	}
	time.Sleep(700 * time.Millisecond)
	close(stop)
	<-done

	// Every acknowledged message is committed, and every watcher gets every committed
	// message once, in order. (The acknowledgements are taken first: one that arrives
	// later may be for a message committed after the database was read.)
	var ackedIDs []int64
	for _, s := range conns {
		ackedIDs = append(ackedIDs, s.ackedIDs()...)
	}
	want := c.committed(t)
	inDB := map[int64]bool{}
	for _, id := range want {
		inDB[id] = true
	}
	acked := 0
	{
		for _, id := range ackedIDs {
			acked++
			if !inDB[id] {
				t.Fatalf("acknowledged message %d is not in the database", id)
			}
		}
	}
	if acked < 30 {
		t.Fatalf("only %d messages acknowledged: the load did not run", acked)
	}
	for _, w := range append(watchers, conns...) {
		waitFor(w, want, 30*time.Second)
		checkExactlyOnce(t, "a watcher on "+w.node.name, w.seen(), want)
	}
	t.Logf("%d messages acknowledged across a NATS restart; every watcher got all %d once, in order", acked, len(want))
}

func TestKill9OfANodeUnderLoadLosesNothingAndClientsResumeElsewhere(t *testing.T) {
	senders := []string{"snd1", "snd2", "snd3", "poster"}
	c := newCluster(t, 3, "", append(senders, "watch1", "watch2")...)
	node1, node2 := c.nodes[0], c.nodes[1]
	start := c.lastID(t)
	// Watchers on node 2 (the one that dies) and node 1; senders on every node.
	onDying := watch(t, node2, c.member("watch2"), start)
	onLiving := watch(t, node1, c.member("watch1"), start)
	var conns []*watcher
	for i, name := range senders[:3] {
		conns = append(conns, watch(t, c.nodes[i], c.member(name), start))
	}
	for _, w := range append([]*watcher{onDying, onLiving}, conns...) {
		if _, ok := eventually(20*time.Second, func() bool { return w.has(func(f frame) bool { return f.Type == "presence" }) }); !ok {
			t.Fatalf("no presence frame on %s", w.node.name)
		}
	}
	// Posting load on node 2 as well.
	poster := c.member("poster")
	path := thread(t, node2, poster, "Under load", "The first post.")
	reply := "/t/" + splitPath(path)[2] + "/reply"
	var postsMu sync.Mutex
	var posted []string
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); chatLoad(conns, stop) }()
	go func() {
		defer wg.Done()
		for n := 0; ; n++ {
			select {
			case <-stop:
				return
			default:
			}
			body := fmt.Sprintf("post-marker-%d", n)
			resp, err := post(poster, node2.url(reply), url.Values{"body": {body}, "token": {body}})
			if err != nil {
				return // node 2 died: what was not answered was not acknowledged
			}
			if resp.StatusCode == http.StatusSeeOther {
				postsMu.Lock()
				posted = append(posted, body)
				postsMu.Unlock()
			}
		}
	}()
	if _, ok := eventually(20*time.Second, func() bool {
		return onLiving.has(func(f frame) bool { return f.Type == "presence" && contains(f.Users, "snd2") })
	}); !ok {
		t.Fatal("node 1 never listed snd2, who is connected to node 2")
	}
	time.Sleep(1500 * time.Millisecond)
	node2.kill()
	time.Sleep(500 * time.Millisecond)

	// snd2 was connected to node 2 only: node 1 stops listing them once node 2's
	// presence expires, though node 2 never said goodbye.
	if _, ok := eventually(20*time.Second, func() bool { return onLiving.lastPresenceWithout("snd2") }); !ok {
		t.Fatal("node 1 still lists snd2, connected only to the killed node 2")
	}

	// The client of node 2 resumes on node 1 from the last message it saw.
	seen := onDying.seen()
	last := start
	if len(seen) > 0 {
		last = seen[len(seen)-1]
	}
	resumed := watch(t, node1, c.member("watch2"), last)
	time.Sleep(500 * time.Millisecond)
	close(stop)
	wg.Wait()

	var ackedIDs []int64
	for _, s := range conns {
		ackedIDs = append(ackedIDs, s.ackedIDs()...)
	}
	want := c.committed(t)
	inDB := map[int64]bool{}
	for _, id := range want {
		inDB[id] = true
	}
	acked := 0
	{
		for _, id := range ackedIDs {
			acked++
			if !inDB[id] {
				t.Fatalf("acknowledged chat message %d was lost when node 2 was killed", id)
			}
		}
	}
	for _, body := range posted {
		var n int
		if err := c.sql.QueryRow("select count(*) from posts where source = $1", body).Scan(&n); err != nil || n != 1 {
			t.Fatalf("acknowledged post %q: %d in the database (%v)", body, n, err)
		}
	}
	if acked < 20 || len(posted) < 5 {
		t.Fatalf("only %d chat messages and %d posts acknowledged before the kill: the load did not run", acked, len(posted))
	}
	// The resumed client: what it saw on node 2, then what node 1 replayed and sent,
	// is every message once, in order.
	waitFor(resumed, want, 30*time.Second)
	checkExactlyOnce(t, "the client that moved from node 2 to node 1", append(seen, resumed.seen()...), want)
	waitFor(onLiving, want, 30*time.Second)
	checkExactlyOnce(t, "the watcher on node 1", onLiving.seen(), want)
	t.Logf("%d chat messages and %d posts acknowledged, none lost; the client resumed after %d on node 1", acked, len(posted), last)
}
