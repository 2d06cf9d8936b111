package forum_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"stoa/account"
	"stoa/forum"
	"stoa/internal/stoatest"
	"stoa/storage"
)

// forumOn returns the site's forum service, for calls the pages do not make.
func forumOn(t *testing.T, site *stoatest.Site) *forum.Service {
	t.Helper()
	return site.App.Forum().Service
}

func startThread(t *testing.T, c *stoatest.Client, title, body string) string {
	t.Helper()
	tok := c.FormToken("/c/general/new")
	c.PostForm("/c/general/new", url.Values{"title": {title}, "body": {body}, "token": {tok}})
	if !strings.HasPrefix(c.Path(), "/t/") {
		t.Fatalf("post %q: %d at %s", title, c.Last.StatusCode, c.Path())
	}
	return c.Path()
}

// P3: a deleted post keeps its text only for the retention period, for moderators to
// review; then its text and earlier versions are purged, and search forgets it.
func TestP3_DeletedPostsArePurgedAfterRetention(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	thread := startThread(t, alice, "Keep this thread", "The opening post stays.")
	id := strings.Split(thread, "/")[2]
	alice.PostForm("/t/"+id+"/reply", url.Values{"body": {"Quartzite regret, first draft."}, "token": {account.NewToken()}})
	postID := fmt.Sprint(queryInt(t, site, "select id from posts where source like 'Quartzite%'"))
	alice.PostForm("/p/"+postID+"/edit", url.Values{"body": {"Quartzite regret, second draft."}})
	alice.PostForm("/p/"+postID+"/delete", nil)
	gone := startThread(t, alice, "Whole thread deleted", "Obsidian secrets.")
	firstID := fmt.Sprint(queryInt(t, site, "select id from posts where source like 'Obsidian%'"))
	alice.PostForm("/p/"+firstID+"/delete", nil)

	f := forumOn(t, site)
	ctx := context.Background()
	// Within the retention period nothing is purged: moderators may still review it.
	if err := f.PurgeDeleted(ctx, time.Now().Add(-30*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if kept := queryInt(t, site, "select count(*) from posts where source like 'Quartzite%' or source like 'Obsidian%'"); kept != 2 {
		t.Fatalf("%d deleted posts keep their text within the retention period, want 2", kept)
	}
	if err := f.PurgeDeleted(ctx, time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	texts := queryInt(t, site, "select count(*) from posts where source like '%Quartzite%' or html like '%Quartzite%' or source like '%Obsidian%'")
	revisions := queryInt(t, site, "select count(*) from post_revisions where source like '%Quartzite%'")
	titles := queryInt(t, site, "select count(*) from threads where title = 'Whole thread deleted'")
	inIndex := "select count(*) from post_search where post_search match 'quartzite OR obsidian'"
	if site.App.DB().Dialect() == storage.Postgres {
		inIndex = "select count(*) from post_search where document @@ to_tsquery('stoa_search', 'quartzite | obsidian')"
	}
	indexed := queryInt(t, site, inIndex)
	if texts+revisions+titles+indexed != 0 {
		t.Errorf("after the purge: %d texts, %d revisions, %d titles, %d search entries remain", texts, revisions, titles, indexed)
	}
	if !strings.Contains(alice.Doc(thread, http.StatusOK).Text(), "The opening post stays.") {
		t.Error("the purge touched a post that was not deleted")
	}
	if site.Anonymous(t).Get(gone).StatusCode != http.StatusNotFound {
		t.Error("the deleted thread shows again")
	}
}

// The forum's share of the export holds the member's threads and posts with their earlier
// versions, and erasing empties them.
func TestForumDataSource(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	startThread(t, alice, "Alice's thread", "Version one.")
	postID := fmt.Sprint(queryInt(t, site, "select id from posts where source = 'Version one.'"))
	alice.PostForm("/p/"+postID+"/edit", url.Values{"body": {"Version two."}})
	files := map[string]string{}
	u := queryInt(t, site, "select id from users where username = 'alice'")
	ds := forumOn(t, site).DataSource()
	err := ds.ExportUser(context.Background(), u, func(name string, v any) error {
		files[name] = strings.ReplaceAll(strings.TrimSpace(toJSON(t, v)), "\n", "")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(files["threads.json"], "Alice's thread") || !strings.Contains(files["posts.json"], "Version two.") ||
		!strings.Contains(files["posts.json"], "Version one.") {
		t.Errorf("export = %v", files)
	}
}

func toJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The export says a member watches what the thread page says they watch: the threads
// they started, unless they stopped, as well as those they chose (issue 16, point 7).
func TestExportWatchesMatchTheThreadPage(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	bob := site.Member(t, "bob", account.RoleMember)
	own := startThread(t, alice, "Alice asks", "A question.")
	stopped := startThread(t, alice, "Alice muted", "Another question.")
	other := startThread(t, bob, "Bob asks", "Bob's question.")
	id := func(path string) string { return strings.Split(path, "/")[2] }
	alice.PostForm("/t/"+id(stopped)+"/watch", url.Values{"watch": {"0"}})
	alice.PostForm("/t/"+id(other)+"/watch", url.Values{"watch": {"1"}})

	u := queryInt(t, site, "select id from users where username = 'alice'")
	var watches []struct {
		Thread   string `json:"thread"`
		Watching bool   `json:"watching"`
	}
	err := forumOn(t, site).DataSource().ExportUser(context.Background(), u, func(name string, v any) error {
		if name == "watched_threads.json" {
			return json.Unmarshal([]byte(toJSON(t, v)), &watches)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, w := range watches {
		got[w.Thread[strings.LastIndex(w.Thread, "/")+1:]] = w.Watching
	}
	for _, c := range []struct {
		path string
	}{{own}, {stopped}, {other}} {
		page := alice.Doc(c.path, http.StatusOK).Find(`form[action$="/watch"] button`).Text()
		pageWatching := strings.Contains(page, "Stop watching")
		exported, listed := got[id(c.path)]
		if !listed || exported != pageWatching {
			t.Errorf("%s: the thread page offers %q, the export says watching=%v (listed %v)", c.path, page, exported, listed)
		}
	}
}
