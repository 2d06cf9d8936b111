package clustertest

import (
	"errors"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// closedWith waits until w's connection closes and returns the close code.
func closedWith(t *testing.T, w *watcher, d time.Duration) (int, time.Duration) {
	t.Helper()
	took, ok := eventually(d, func() bool { closed, _ := w.isClosed(); return closed })
	if !ok {
		t.Fatalf("the chat socket on %s stayed open for %v", w.node.name, d)
	}
	_, err := w.isClosed()
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		return ce.Code, took
	}
	return 0, took
}

// copyOf returns a client holding the same cookies as c, for a browser tab that still
// has the old session after another one logged out.
func copyOf(c *http.Client, nd *node) *http.Client {
	jar, _ := cookiejar.New(nil)
	u := &url.URL{Scheme: "http", Host: nd.addr, Path: "/"}
	jar.SetCookies(u, c.Jar.Cookies(u))
	return &http.Client{Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func TestLogoutAndSanctionOnOneNodeTakeEffectOnTheOthers(t *testing.T) {
	c := newCluster(t, 3, "", "cat", "dan")
	node1, node2, node3 := c.nodes[0], c.nodes[1], c.nodes[2]

	// Logout: cat's sockets on nodes 2 and 3 close, and the old cookie is refused on
	// node 3.
	cat := c.member("cat")
	oldTab := copyOf(cat, node3)
	on2, on3 := watch(t, node2, cat, -1), watch(t, node3, cat, -1)
	for _, w := range []*watcher{on2, on3} {
		if _, ok := eventually(20*time.Second, func() bool { return w.has(func(f frame) bool { return f.Type == "presence" }) }); !ok {
			t.Fatalf("no presence frame on %s", w.node.name)
		}
	}
	if code, _ := get(oldTab, node3.url("/me")); code != http.StatusOK {
		t.Fatalf("cat's session does not work on node 3 before logging out: %d", code)
	}
	resp, err := post(cat, node1.url("/logout"), nil)
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("log out on node 1: %v %v", err, resp)
	}
	for _, w := range []*watcher{on2, on3} {
		code, took := closedWith(t, w, 5*time.Second)
		if code != websocket.ClosePolicyViolation {
			t.Fatalf("cat's socket on %s closed with %d, want 1008 (session ended)", w.node.name, code)
		}
		if took > time.Second {
			t.Errorf("cat's socket on %s closed %v after the logout, more than a second", w.node.name, took)
		}
	}
	if code, _ := get(oldTab, node3.url("/me")); code == http.StatusOK {
		t.Fatal("node 3 still accepts the session cat logged out of on node 1")
	}

	// A sanction: dan is silenced on node 1. His socket on node 2 closes, and node 3,
	// which has just let him chat (and keeps what it read about his sanctions for a
	// while), refuses his next message at once.
	dan := c.member("dan")
	admin := c.member("admin")
	danOn2, danOn3 := watch(t, node2, dan, -1), watch(t, node3, dan, -1)
	for _, w := range []*watcher{danOn2, danOn3} {
		if _, ok := eventually(20*time.Second, func() bool { return w.has(func(f frame) bool { return f.Type == "presence" }) }); !ok {
			t.Fatalf("no presence frame for dan on %s", w.node.name)
		}
	}
	if err := danOn3.send("before the silence", "before"); err != nil {
		t.Fatal(err)
	}
	if _, ok := danOn3.acked("before", 20*time.Second); !ok {
		t.Fatal("node 3 did not take dan's message before the silence")
	}
	resp, err = post(admin, node1.url("/mod/users/dan"), url.Values{"do": {"apply"}, "sanction": {"silence"}, "silence_for": {"24"}, "reason": {"Spam"}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("silence dan on node 1: %v %v", err, resp)
	}
	sanctioned := time.Now()
	for _, w := range []*watcher{danOn2, danOn3} {
		if code, took := closedWith(t, w, 5*time.Second); code != websocket.ClosePolicyViolation || took > time.Second {
			t.Fatalf("dan's socket on %s closed with %d after %v; want 1008 within a second", w.node.name, code, took)
		}
	}
	// His page reconnects as a reader; what he sends there is refused.
	again := watch(t, node3, dan, -1)
	if err := again.send("after the silence", "after"); err != nil {
		t.Fatal(err)
	}
	if _, ok := eventually(20*time.Second, func() bool {
		return again.has(func(f frame) bool { return f.Type == "error" && f.Code == "silenced" })
	}); !ok {
		t.Fatal("node 3 did not refuse silenced dan's message")
	}
	if again.has(func(f frame) bool { return f.Type == "message" && f.Nonce == "after" }) {
		t.Fatal("node 3 published silenced dan's message")
	}
	// Node 3 trusts what it read about a member's sanctions for 2 s; the refusal came
	// sooner because node 1 told it of the change.
	t.Logf("node 3 refused dan's message %v after node 1 silenced him", time.Since(sanctioned))
}

func splitPath(p string) []string {
	var parts []string
	start := 0
	for i := 0; i <= len(p); i++ {
		if i == len(p) || p[i] == '/' {
			parts = append(parts, p[start:i])
			start = i + 1
		}
	}
	return parts
}
