package clustertest

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

var setupLink = regexp.MustCompile(`setup: open (http://\S+/setup/\S+) `)

func TestTheSetupLinkWorksOnOneNodeOnlyAndOnce(t *testing.T) {
	c := newClusterWith(t, 3, "", false)
	var links []string
	var owner *node
	for _, nd := range c.nodes {
		if m := setupLink.FindStringSubmatch(nd.logs.String()); m != nil {
			links = append(links, m[1])
			owner = nd
		}
	}
	if len(links) != 1 {
		t.Fatalf("%d nodes printed a setup link, want exactly one: %v", len(links), links)
	}
	path := strings.TrimPrefix(links[0], "http://"+owner.addr)
	anon := &http.Client{Timeout: 20 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, nd := range c.nodes {
		code, _ := get(anon, nd.url(path))
		if nd == owner && code != http.StatusOK {
			t.Fatalf("the link does not open on the node that printed it: %d", code)
		}
		if nd != owner && code != http.StatusNotFound {
			t.Fatalf("the link opens on %s too (%d): it must work on one node only", nd.name, code)
		}
	}
	form := url.Values{"username": {"founder"}, "password": {"founder-password-1"}}
	resp, err := post(anon, owner.url(path), form)
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create the first admin: %v %v", err, resp)
	}
	for _, nd := range c.nodes {
		resp, err := post(anon, nd.url(path), url.Values{"username": {"second"}, "password": {"second-password-1"}})
		if err != nil || resp.StatusCode == http.StatusSeeOther {
			t.Fatalf("the used link created another admin on %s: %v %v", nd.name, err, resp)
		}
	}
	var admins int
	if err := c.sql.QueryRow("select count(*) from users where role = 'admin'").Scan(&admins); err != nil || admins != 1 {
		t.Fatalf("%d admins (%v), want 1", admins, err)
	}
}
