package forum_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"stoa/account"
	"stoa/internal/stoatest"
	"stoa/storage"
)

var threadPath = regexp.MustCompile(`^/t/(\d+)/`)

// newThread starts a thread in category as c and returns its id.
func xThread(t *testing.T, c *stoatest.Client, category, title, body string) int64 {
	t.Helper()
	c.PostForm("/c/"+category+"/new", url.Values{"title": {title}, "body": {body}, "token": {account.NewToken()}})
	m := threadPath.FindStringSubmatch(c.Path())
	if c.Last.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("new thread %q: status %d at %s", title, c.Last.StatusCode, c.Path())
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

// reply posts body to a thread as c and returns the new post's id.
func xReply(t *testing.T, c *stoatest.Client, thread int64, body string) int64 {
	t.Helper()
	c.PostForm("/t/"+strconv.FormatInt(thread, 10)+"/reply", url.Values{"body": {body}, "token": {account.NewToken()}})
	frag := c.Last.Request.URL.Fragment
	if c.Last.StatusCode != http.StatusOK || !strings.HasPrefix(frag, "p") {
		t.Fatalf("reply to %d: status %d at %s", thread, c.Last.StatusCode, c.Last.Request.URL)
	}
	id, _ := strconv.ParseInt(frag[1:], 10, 64)
	return id
}

// firstPost is the id of a thread's opening post.
func xFirstPost(t *testing.T, site *stoatest.Site, thread int64) int64 {
	t.Helper()
	return queryInt(t, site, "select id from posts where thread_id = ? and number = 1", thread)
}

// queryInt runs a query of one number, such as a count or an id, on the site's database;
// a query that fails or finds no row fails the test.
func queryInt(t *testing.T, site *stoatest.Site, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := site.App.DB().QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// exec changes the database directly, as another part of Stoa (moderation) would.
func xExec(t *testing.T, site *stoatest.Site, query string, args ...any) {
	t.Helper()
	err := site.App.DB().Write(context.Background(), func(tx *storage.Tx) error {
		_, err := tx.Exec(query, args...)
		return err
	})
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// search runs a search as c and returns the result page.
func xSearch(t *testing.T, c *stoatest.Client, params url.Values) *goquery.Document {
	t.Helper()
	return c.Doc("/search?"+params.Encode(), http.StatusOK)
}

// hitTitles lists the titles of the results on a search page, in order.
func hitTitles(doc *goquery.Document) []string {
	var out []string
	doc.Find(".search-hit .title").Each(func(_ int, s *goquery.Selection) {
		out = append(out, strings.TrimSpace(s.Text()))
	})
	return out
}
