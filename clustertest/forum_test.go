package clustertest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// thread creates a thread through nd as c and returns its path (/t/ID/slug).
func thread(t *testing.T, nd *node, c *http.Client, title, body string) string {
	t.Helper()
	resp, err := post(c, nd.url("/c/general/new"), url.Values{"title": {title}, "body": {body}, "token": {title}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("post thread on %s: %v %v", nd.name, err, resp)
	}
	return resp.Header.Get("Location")
}

func TestThreadPostedOnNode1IsOnNode3WithinASecond(t *testing.T) {
	c := newCluster(t, 3, "", "ann")
	ann := c.member("ann")
	anon := &http.Client{Timeout: 20 * time.Second}
	node1, node3 := c.nodes[0], c.nodes[2]

	// Node 3 serves the home page and keeps anonymous thread pages; a thread posted on
	// node 1 shows on node 3 within a second.
	get(anon, node3.url("/"))
	path := thread(t, node1, ann, "Posted on node one", "Hello from the first node.")
	took, ok := eventually(time.Second, func() bool {
		code, body := get(anon, node3.url(path))
		return code == http.StatusOK && strings.Contains(body, "Hello from the first node.")
	})
	if !ok {
		t.Fatalf("the thread posted on node 1 was not on node 3 within a second")
	}
	if _, body := get(anon, node3.url("/c/general")); !strings.Contains(body, "Posted on node one") {
		t.Fatal("node 3's category page does not list the thread")
	}
	t.Logf("thread on node 3 %v after node 1 answered", took)

	// Node 3 now keeps the anonymous page; a reply on node 1 replaces it within a second
	// (the page cache follows every node's commits, not only node 3's).
	for range 3 {
		get(anon, node3.url(path))
	}
	resp, err := post(ann, node1.url("/t/"+strings.Split(path, "/")[2]+"/reply"), url.Values{"body": {"A reply from node one."}, "token": {"r1"}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reply on node 1: %v %v", err, resp)
	}
	if took, ok = eventually(time.Second, func() bool {
		_, body := get(anon, node3.url(path))
		return strings.Contains(body, "A reply from node one.")
	}); !ok {
		t.Fatal("node 3 kept serving its cached page without the reply made on node 1 for over a second")
	}
	t.Logf("reply on node 3's anonymous page %v after node 1 answered", took)

	// Site settings saved on node 1 show on node 2 within a second.
	admin := c.member("admin")
	resp, err = post(admin, node1.url("/admin/site"), url.Values{"name": {"Cluster Commons"}, "description": {"Three nodes"}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save site settings: %v %v", err, resp)
	}
	if _, ok := eventually(time.Second, func() bool {
		_, body := get(anon, c.nodes[1].url("/"))
		return strings.Contains(body, "Cluster Commons")
	}); !ok {
		t.Fatal("node 2 still shows the old site name a second after node 1 saved the new one")
	}
}
