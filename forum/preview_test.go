package forum_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"stoa/account"
	"stoa/forum"
	"stoa/internal/stoatest"
)

type previewAnswer struct {
	HTML     string   `json:"html"`
	Findings []string `json:"findings"`
	Error    string   `json:"error"`
}

func preview(t *testing.T, c *stoatest.Client, body string) previewAnswer {
	t.Helper()
	c.PostForm("/preview", url.Values{"body": {body}})
	var a previewAnswer
	if ct := c.Last.Header.Get("Content-Type"); strings.HasPrefix(ct, "application/json") {
		if err := json.Unmarshal([]byte(c.Body), &a); err != nil {
			t.Fatalf("preview answer %q: %v", c.Body, err)
		}
	}
	return a
}

// The preview shows exactly the HTML a post is stored with: the same Markdown and the
// same sanitiser, scripts and all. It says what the detector would hold, and stores
// nothing.
func TestPreviewIsWhatIsStored(t *testing.T) {
	site := stoatest.Start(t)
	ann := site.Member(t, "ann", account.RoleMember)
	body := "**Hello** @ann, see [the docs](https://example.org) <script>alert(1)</script>\n\n| a | b |\n|--:|---|\n| 1 | 2 |\n\n![cat](https://example.org/cat.png)"
	got := preview(t, ann, body)
	if ann.Last.StatusCode != http.StatusOK {
		t.Fatalf("preview: status %d: %s", ann.Last.StatusCode, ann.Body)
	}
	if strings.Contains(got.HTML, "<script") || !strings.Contains(got.HTML, "<strong>Hello</strong>") {
		t.Errorf("preview HTML: %s", got.HTML)
	}
	if len(got.Findings) != 0 {
		t.Errorf("findings on ordinary text: %v", got.Findings)
	}
	var before int64
	if err := site.App.DB().QueryRow(context.Background(), "select count(*) from posts").Scan(&before); err != nil {
		t.Fatal(err)
	}
	if before != 0 {
		t.Errorf("the preview stored %d posts", before)
	}

	path := newThread(t, ann, "Previewed", body)
	var stored string
	if err := site.App.DB().QueryRow(context.Background(), "select html from posts where thread_id = (select max(id) from threads)").Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored != got.HTML {
		t.Errorf("stored HTML differs from the preview\nstored:  %s\npreview: %s", stored, got.HTML)
	}
	_ = path

	if held := preview(t, ann, "Write to me at ann@example.org"); len(held.Findings) != 1 || held.Findings[0] != "email address" {
		t.Errorf("findings for an address: %v", held.Findings)
	}
}

// The preview is for members, bounded in size and pace, and refused across sites.
func TestPreviewIsGuarded(t *testing.T) {
	site := stoatest.Start(t)
	anon := site.Anonymous(t)
	anon.PostForm("/preview", url.Values{"body": {"hi"}})
	if !strings.HasPrefix(anon.Path(), "/login") {
		t.Errorf("an anonymous preview ended at %s (status %d)", anon.Path(), anon.Last.StatusCode)
	}

	bea := site.Member(t, "bea", account.RoleMember)
	big := preview(t, bea, strings.Repeat("x", forum.MaxBodyBytes+1))
	if bea.Last.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(big.Error, "limit is 64 KiB") {
		t.Errorf("an oversized preview: status %d, %q", bea.Last.StatusCode, big.Error)
	}

	req, _ := http.NewRequest(http.MethodPost, site.URL+"/preview", strings.NewReader("body=hi"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := bea.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("a cross-site preview: status %d", resp.StatusCode)
	}

	var limited bool
	for range 60 {
		a := preview(t, bea, "quick")
		if bea.Last.StatusCode == http.StatusTooManyRequests {
			limited = a.Error != "" && bea.Last.Header.Get("Retry-After") != ""
			break
		}
	}
	if !limited {
		t.Error("sixty previews at once were never slowed down")
	}
}
