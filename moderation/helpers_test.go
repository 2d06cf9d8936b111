package moderation_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"stoa/internal/stoatest"
)

// newThread starts a thread in the default category and returns its first post's id.
func newThread(t *testing.T, c *stoatest.Client, title, body string) string {
	t.Helper()
	tok := c.FormToken("/c/general/new")
	c.PostForm("/c/general/new", url.Values{"title": {title}, "body": {body}, "token": {tok}})
	if c.Last.StatusCode != http.StatusOK || !strings.HasPrefix(c.Path(), "/t/") {
		t.Fatalf("new thread: status %d at %s", c.Last.StatusCode, c.Path())
	}
	id, ok := c.Parse().Find("li.post").First().Attr("id")
	if !ok {
		t.Fatal("new thread: no post on the thread page")
	}
	return strings.TrimPrefix(id, "p")
}

// replyTo replies in the thread at path and returns the new post's id.
func replyTo(t *testing.T, c *stoatest.Client, path, body string) string {
	t.Helper()
	tok := c.FormToken(path)
	c.PostForm("/t/"+threadID(path)+"/reply", url.Values{"body": {body}, "token": {tok}})
	if c.Last.StatusCode != http.StatusOK {
		t.Fatalf("reply: status %d\n%s", c.Last.StatusCode, text(c.Body))
	}
	id, _ := c.Parse().Find("li.post").Last().Attr("id")
	return strings.TrimPrefix(id, "p")
}

// threadID is the numeric id in a thread path /t/{id}/{slug}.
func threadID(path string) string {
	return strings.Split(strings.TrimPrefix(path, "/t/"), "/")[0]
}

// report files a report and fails unless it was accepted.
func report(t *testing.T, c *stoatest.Client, kind, id, reason, details string) {
	t.Helper()
	c.PostForm("/report", url.Values{"kind": {kind}, "id": {id}, "reason": {reason}, "details": {details}})
	if c.Last.StatusCode != http.StatusOK || !strings.Contains(c.Body, "Thank you for your report") {
		t.Fatalf("report %s %s: status %d\n%s", kind, id, c.Last.StatusCode, text(c.Body))
	}
}

var tags = regexp.MustCompile(`(?s)<script.*?</script>|<[^>]+>`)

// text is a page without its markup, for readable failures and plain-text checks.
func text(html string) string {
	return strings.Join(strings.Fields(tags.ReplaceAllString(html, " ")), " ")
}
