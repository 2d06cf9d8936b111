package clustertest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

type frame struct {
	Type   string   `json:"type"`
	ID     int64    `json:"id"`
	Nonce  string   `json:"nonce"`
	Author string   `json:"author"`
	HTML   string   `json:"html"`
	Edited bool     `json:"edited"`
	Users  []string `json:"users"`
	User   string   `json:"user"`
	Code   string   `json:"code"`
}

// watcher is one chat client on one node: it records every new message's id in the
// order they arrive, and the other frames.
type watcher struct {
	node *node
	conn *websocket.Conn

	mu       sync.Mutex
	ids      []int64
	frames   []frame
	closed   bool
	closeErr error
	changed  chan struct{}
}

// watch opens /chat/general/ws on nd, as the member whose cookies c holds (nil: an
// anonymous reader), resuming after id when after >= 0.
func watch(t *testing.T, nd *node, c *http.Client, after int64) *watcher {
	t.Helper()
	w, err := dial(nd, c, after)
	if err != nil {
		t.Fatalf("open chat on %s: %v", nd.name, err)
	}
	t.Cleanup(func() { w.conn.Close() })
	return w
}

func dial(nd *node, c *http.Client, after int64) (*watcher, error) {
	u := "ws://" + nd.addr + "/chat/general/ws"
	if after >= 0 {
		u += fmt.Sprintf("?after=%d", after)
	}
	h := http.Header{"Origin": {"http://" + nd.addr}}
	if c != nil {
		for _, ck := range c.Jar.Cookies(&url.URL{Scheme: "http", Host: nd.addr, Path: "/"}) {
			h.Add("Cookie", ck.Name+"="+ck.Value)
		}
	}
	conn, _, err := websocket.DefaultDialer.Dial(u, h)
	if err != nil {
		return nil, err
	}
	w := &watcher{node: nd, conn: conn, changed: make(chan struct{}, 1)}
	go w.read()
	return w, nil
}

func (w *watcher) read() {
	for {
		_, data, err := w.conn.ReadMessage()
		w.mu.Lock()
		if err != nil {
			w.closed, w.closeErr = true, err
			w.mu.Unlock()
			w.poke()
			return
		}
		var f frame
		if json.Unmarshal(data, &f) == nil {
			w.frames = append(w.frames, f)
			if f.Type == "message" && !f.Edited {
				w.ids = append(w.ids, f.ID)
			}
		}
		w.mu.Unlock()
		w.poke()
	}
}

func (w *watcher) poke() {
	select {
	case w.changed <- struct{}{}:
	default:
	}
}

func (w *watcher) seen() []int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]int64(nil), w.ids...)
}

// has reports whether a frame matching ok arrived.
func (w *watcher) has(ok func(frame) bool) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, f := range w.frames {
		if ok(f) {
			return true
		}
	}
	return false
}

func (w *watcher) isClosed() (bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.closed, w.closeErr
}

// send writes a chat message (confirmed: the test members know the room is public).
func (w *watcher) send(body, nonce string) error {
	return w.conn.WriteJSON(map[string]any{"type": "send", "body": body, "nonce": nonce, "confirm": true})
}

// acked waits for the acknowledgement of nonce (the sender's own copy) and returns its id.
func (w *watcher) acked(nonce string, d time.Duration) (int64, bool) {
	var id int64
	_, ok := eventually(d, func() bool {
		w.mu.Lock()
		defer w.mu.Unlock()
		for _, f := range w.frames {
			if f.Type == "message" && f.Nonce == nonce {
				id = f.ID
				return true
			}
		}
		return false
	})
	return id, ok
}

// committed returns the ids of the visible messages of room general, in order.
func (c *cluster) committed(t *testing.T) []int64 {
	t.Helper()
	rows, err := c.sql.Query(`select m.id from chat_messages m join chat_rooms r on r.id = m.room_id
		where r.slug = 'general' and m.deleted_at is null and m.hidden_at is null order by m.id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	return ids
}

// lastID is the newest message of room general (0: none).
func (c *cluster) lastID(t *testing.T) int64 {
	ids := c.committed(t)
	if len(ids) == 0 {
		return 0
	}
	return ids[len(ids)-1]
}

// checkExactlyOnce fails unless got is want: every message once, in id order.
func checkExactlyOnce(t *testing.T, who string, got, want []int64) {
	t.Helper()
	seen := map[int64]int{}
	for i, id := range got {
		seen[id]++
		if seen[id] == 2 {
			t.Errorf("%s got message %d twice", who, id)
		}
		if i > 0 && id <= got[i-1] {
			t.Errorf("%s got message %d after %d: out of order", who, id, got[i-1])
		}
	}
	var missing []int64
	for _, id := range want {
		if seen[id] == 0 {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		t.Errorf("%s is missing %d of %d messages, e.g. %v", who, len(missing), len(want), missing[:min(5, len(missing))])
	}
	if t.Failed() {
		t.FailNow()
	}
}

// waitFor waits until w has seen every id in want (or d passes).
func waitFor(w *watcher, want []int64, d time.Duration) bool {
	_, ok := eventually(d, func() bool {
		seen := map[int64]bool{}
		for _, id := range w.seen() {
			seen[id] = true
		}
		for _, id := range want {
			if !seen[id] {
				return false
			}
		}
		return true
	})
	return ok
}

func TestChatMessageFromNode1ReachesNodes2And3(t *testing.T) {
	c := newCluster(t, 3, "", "ann", "ben")
	ann := c.member("ann")
	ben := c.member("ben")
	start := c.lastID(t)
	sender := watch(t, c.nodes[0], ann, start)
	on2 := watch(t, c.nodes[1], ben, start)
	on3 := watch(t, c.nodes[2], nil, start)
	// Each room learns where it starts when its first client joins; give every node's
	// room its presence frame before sending, so that all three are serving the room.
	for _, w := range []*watcher{sender, on2, on3} {
		if _, ok := eventually(20*time.Second, func() bool { return w.has(func(f frame) bool { return f.Type == "presence" }) }); !ok {
			t.Fatalf("no presence frame on %s", w.node.name)
		}
	}
	if err := sender.send("hello from node 1", "n1"); err != nil {
		t.Fatal(err)
	}
	id, ok := sender.acked("n1", 20*time.Second)
	if !ok {
		t.Fatal("node 1 never acknowledged the message")
	}
	sent := time.Now()
	for _, w := range []*watcher{on2, on3} {
		if !waitFor(w, []int64{id}, 20*time.Second) {
			t.Fatalf("the message never reached the watcher on %s", w.node.name)
		}
		if !w.has(func(f frame) bool {
			return f.ID == id && strings.Contains(f.HTML, "hello from node 1") && f.Author == "ann"
		}) {
			t.Fatalf("the watcher on %s got message %d without its text or author", w.node.name, id)
		}
	}
	t.Logf("message %d reached nodes 2 and 3 %v after node 1 acknowledged it", id, time.Since(sent))

	// Presence spans nodes: ben, on node 2, is listed on node 1 and node 3.
	for _, w := range []*watcher{sender, on3} {
		if _, ok := eventually(20*time.Second, func() bool {
			return w.has(func(f frame) bool {
				return f.Type == "presence" && contains(f.Users, "ben") && (w != on3 || contains(f.Users, "ann"))
			})
		}); !ok {
			t.Fatalf("%s never listed the members connected to the other nodes", w.node.name)
		}
	}
	// Typing spans nodes too.
	if err := on2.conn.WriteJSON(map[string]string{"type": "typing"}); err != nil {
		t.Fatal(err)
	}
	if _, ok := eventually(20*time.Second, func() bool {
		return sender.has(func(f frame) bool { return f.Type == "typing" && f.User == "ben" })
	}); !ok {
		t.Fatal("node 1 never heard that ben, on node 2, is typing")
	}
	// An edit and a deletion on node 1 reach node 3.
	if err := sender.conn.WriteJSON(map[string]any{"type": "edit", "id": id, "body": "edited on node 1", "nonce": "e1"}); err != nil {
		t.Fatal(err)
	}
	if _, ok := eventually(20*time.Second, func() bool {
		return on3.has(func(f frame) bool { return f.ID == id && f.Edited && strings.Contains(f.HTML, "edited on node 1") })
	}); !ok {
		t.Fatal("the edit never reached node 3")
	}
	if err := sender.conn.WriteJSON(map[string]any{"type": "delete", "id": id}); err != nil {
		t.Fatal(err)
	}
	if _, ok := eventually(20*time.Second, func() bool {
		return on3.has(func(f frame) bool { return f.Type == "deleted" && f.ID == id })
	}); !ok {
		t.Fatal("the deletion never reached node 3")
	}
	// A member who leaves node 2 leaves the others' lists.
	on2.conn.Close()
	if _, ok := eventually(20*time.Second, func() bool {
		return on3.lastPresenceWithout("ben")
	}); !ok {
		t.Fatal("ben left node 2 but node 3 still lists him")
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// lastPresenceWithout reports whether the newest presence frame does not list name.
func (w *watcher) lastPresenceWithout(name string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i := len(w.frames) - 1; i >= 0; i-- {
		if w.frames[i].Type == "presence" {
			return !contains(w.frames[i].Users, name)
		}
	}
	return false
}

func TestThreeHundredMessagesThroughThreeNodesArriveOnceInOrder(t *testing.T) {
	senders := []string{"snd1", "snd2", "snd3", "snd4", "snd5", "snd6"}
	c := newCluster(t, 3, "", append(senders, "watch1", "watch2", "watch3")...)
	start := c.lastID(t)
	var watchers []*watcher
	for i, name := range []string{"watch1", "watch2", "watch3"} {
		for _, who := range []*http.Client{c.member(name), nil} {
			watchers = append(watchers, watch(t, c.nodes[i], who, start))
		}
	}
	var conns []*watcher
	for i, name := range senders {
		conns = append(conns, watch(t, c.nodes[i%3], c.member(name), start))
	}
	for _, w := range append(watchers, conns...) {
		if _, ok := eventually(20*time.Second, func() bool { return w.has(func(f frame) bool { return f.Type == "presence" }) }); !ok {
			t.Fatalf("no presence frame on %s", w.node.name)
		}
	}
	// 300 messages at once: 50 from each of six members, two on each node.
	var wg sync.WaitGroup
	for i, s := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range 50 {
				if err := s.send(fmt.Sprintf("burst %d-%d", i, n), fmt.Sprintf("b%d-%d", i, n)); err != nil {
					t.Errorf("send: %v", err)
					return
				}
			}
		}()
	}
	wg.Wait()
	for i, s := range conns {
		if _, ok := s.acked(fmt.Sprintf("b%d-49", i), 60*time.Second); !ok {
			t.Fatalf("sender %d's last message was never acknowledged", i)
		}
	}
	want := c.committed(t)
	if len(want) != 300 {
		t.Fatalf("%d messages committed, want 300", len(want))
	}
	for _, w := range append(watchers, conns...) {
		if !waitFor(w, want, 30*time.Second) {
			t.Logf("watcher on %s saw %d of 300", w.node.name, len(w.seen()))
		}
		checkExactlyOnce(t, "a watcher on "+w.node.name, w.seen(), want)
	}
}

// sendAnswered sends body and waits for node's answer: true when the message was
// published (its acknowledgement came), false when it was refused with code.
func (w *watcher) sendAnswered(t *testing.T, body, nonce, code string) bool {
	t.Helper()
	if err := w.send(body, nonce); err != nil {
		t.Fatal(err)
	}
	var published bool
	if _, ok := eventually(20*time.Second, func() bool {
		return w.has(func(f frame) bool {
			switch {
			case f.Type == "message" && f.Nonce == nonce:
				published = true
				return true
			case f.Type == "error" && f.Nonce == nonce:
				if f.Code != code {
					t.Fatalf("%s refused %q with %q, want %q", w.node.name, body, f.Code, code)
				}
				return true
			}
			return false
		})
	}); !ok {
		t.Fatalf("%s never answered %q", w.node.name, body)
	}
	return published
}

// A moderator freezes the room on node 1: a member on node 2 or node 3, whose node has
// the room loaded from the member's earlier messages, is refused from then on, and may
// write again once the room thaws.
func TestRoomFrozenOnOneNodeIsFrozenOnTheOthers(t *testing.T) {
	c := newCluster(t, 3, "", "eve")
	eve, admin := c.member("eve"), c.member("admin")
	others := []*watcher{watch(t, c.nodes[1], eve, -1), watch(t, c.nodes[2], eve, -1)}
	for i, w := range others {
		if !w.sendAnswered(t, fmt.Sprintf("before the freeze, on %s", w.node.name), fmt.Sprintf("before%d", i), "") {
			t.Fatalf("%s refused eve's message before the freeze", w.node.name)
		}
	}
	setMode := func(frozen string) time.Time {
		t.Helper()
		resp, err := post(admin, c.nodes[0].url("/chat/general/mode"), url.Values{"slow": {"0"}, "frozen": {frozen}})
		if err != nil || resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("set frozen=%s on node 1: %v %v", frozen, err, resp)
		}
		return time.Now()
	}
	// Node 1 tells the others after its write commits, and the member's next message may
	// overtake that news by a moment: each node must follow within two seconds (a loaded machine delays NATS too).
	within := func(w *watcher, what string, since time.Time, want bool, code string) {
		t.Helper()
		for i := 0; ; i++ {
			got := w.sendAnswered(t, fmt.Sprintf("%s, on %s, try %d", what, w.node.name, i), fmt.Sprintf("%s-%s-%d", what, w.node.name, i), code)
			if got == want {
				t.Logf("%s: %s answered as expected %v after node 1's change", what, w.node.name, time.Since(since))
				return
			}
			if time.Since(since) > 2*time.Second {
				t.Fatalf("%s: %s still answers published=%v %v after node 1's change", what, w.node.name, got, time.Since(since))
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	froze := setMode("1")
	for _, w := range others {
		within(w, "frozen", froze, false, "frozen")
	}
	thawed := setMode("0")
	for _, w := range others {
		within(w, "thawed", thawed, true, "frozen")
	}
}
