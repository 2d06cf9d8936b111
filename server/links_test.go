package server_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"stoa/account"
	"stoa/internal/stoatest"
)

// Every link on every page a reader or an admin can reach leads somewhere: no page links
// to a 404 or a server error.
func TestEveryLinkResolves(t *testing.T) {
	site := stoatest.Start(t)
	admin := site.Member(t, "ada", account.RoleAdmin)
	admin.PostForm("/c/general/new", url.Values{"title": {"Links everywhere"}, "body": {"Hello @ada, see /search."}, "token": {"l1"}})
	for _, c := range []struct {
		name   string
		client *stoatest.Client
	}{{"anonymous", site.Anonymous(t)}, {"admin", admin}} {
		t.Run(c.name, func(t *testing.T) {
			seen := map[string]bool{}
			queue := []string{"/"}
			for len(queue) > 0 && len(seen) < 300 {
				path := queue[0]
				queue = queue[1:]
				if seen[path] {
					continue
				}
				seen[path] = true
				resp := c.client.Get(path)
				if resp.StatusCode >= 400 {
					t.Errorf("GET %s: status %d", path, resp.StatusCode)
					continue
				}
				if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
					continue
				}
				c.client.Parse().Find("a[href]").Each(func(_ int, a *goquery.Selection) {
					href, _ := a.Attr("href")
					u, err := url.Parse(href)
					if err != nil || u.Host != "" || u.Scheme != "" || !strings.HasPrefix(u.Path, "/") {
						return // external, mailto: or fragment-only links
					}
					// Logging out from a link would end the crawl's session; it is a form anyway.
					if u.Path == "/logout" || strings.HasPrefix(u.Path, "/unsubscribe/") {
						return
					}
					u.Fragment = ""
					if !seen[u.String()] {
						queue = append(queue, u.String())
					}
				})
			}
			if len(seen) < 15 {
				t.Fatalf("crawled only %d pages", len(seen))
			}
			t.Logf("%d pages crawled", len(seen))
		})
	}
}
