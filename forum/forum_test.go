package forum_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"stoa/account"
	"stoa/forum"
	"stoa/internal/stoatest"
	"stoa/server"
	"stoa/storage"
)

// newThread posts a thread through the composer and returns its path.
func newThread(t *testing.T, c *stoatest.Client, title, body string) string {
	t.Helper()
	tok := c.FormToken("/c/general/new")
	resp := c.PostForm("/c/general/new", url.Values{"title": {title}, "body": {body}, "token": {tok}})
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(c.Path(), "/t/") {
		t.Fatalf("posting thread %q: status %d at %s", title, resp.StatusCode, c.Path())
	}
	return c.Path()
}

// reply answers a thread through its reply form and returns the final response status.
func reply(t *testing.T, c *stoatest.Client, thread, body string, extra ...string) int {
	t.Helper()
	doc := c.Doc(thread, http.StatusOK)
	action, ok := doc.Find("form#reply").Attr("action")
	if !ok {
		t.Fatalf("%s has no reply form", thread)
	}
	tok, _ := doc.Find(`form#reply input[name="token"]`).Attr("value")
	form := url.Values{"body": {body}, "token": {tok}}
	for i := 0; i+1 < len(extra); i += 2 {
		form.Set(extra[i], extra[i+1])
	}
	return c.PostForm(action, form).StatusCode
}

func TestThreadAndRepliesAreShownInOrder(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	bob := site.Member(t, "bob", account.RoleMember)
	thread := newThread(t, alice, "Favourite editors", "Mine is **vim**.")
	if got := reply(t, bob, thread, "I like _helix_."); got != http.StatusOK {
		t.Fatalf("reply status %d", got)
	}
	doc := site.Anonymous(t).Doc(thread, http.StatusOK)
	posts := doc.Find("li.post")
	if posts.Length() != 2 {
		t.Fatalf("thread shows %d posts, want 2", posts.Length())
	}
	if a := posts.Eq(0).Find(".author").Text(); a != "alice" {
		t.Errorf("first post by %q", a)
	}
	if html, _ := posts.Eq(0).Find(".prose").Html(); !strings.Contains(html, "<strong>vim</strong>") {
		t.Errorf("first post HTML %q lacks bold", html)
	}
	if html, _ := posts.Eq(1).Find(".prose").Html(); !strings.Contains(html, "<em>helix</em>") {
		t.Errorf("reply HTML %q lacks emphasis", html)
	}
	home := site.Anonymous(t).Doc("/", http.StatusOK)
	if !strings.Contains(home.Find(".threads").Text(), "Favourite editors") {
		t.Error("the home page does not list the new thread")
	}
}

func TestEmptyAndOversizedPostsKeepWhatWasTyped(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	tok := alice.FormToken("/c/general/new")

	resp := alice.PostForm("/c/general/new", url.Values{"title": {"   "}, "body": {"my carefully written text"}, "token": {tok}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("empty title: status %d, want 422", resp.StatusCode)
	}
	doc := alice.Parse()
	if got := doc.Find("textarea[name=body]").Text(); got != "my carefully written text" {
		t.Errorf("the message was lost: textarea holds %q", got)
	}
	if msg := doc.Find("#e-f-title").Text(); !strings.Contains(msg, "title") {
		t.Errorf("no clear message for the empty title, got %q", msg)
	}

	huge := strings.Repeat("word ", 14000) // 70 KB, over the 64 KiB limit
	resp = alice.PostForm("/c/general/new", url.Values{"title": {"Long one"}, "body": {huge}, "token": {tok}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("oversized post: status %d, want 422", resp.StatusCode)
	}
	doc = alice.Parse()
	if got := doc.Find("textarea[name=body]").Text(); got != huge {
		t.Errorf("the oversized text was not kept (%d of %d bytes)", len(got), len(huge))
	}
	if v, _ := doc.Find("input[name=title]").Attr("value"); v != "Long one" {
		t.Errorf("title not kept: %q", v)
	}
	if msg := doc.Find("#e-f-body").Text(); !strings.Contains(msg, "KiB") {
		t.Errorf("no size message, got %q", msg)
	}
}

func TestInvalidUTF8IsAClearError(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	tok := alice.FormToken("/c/general/new")
	resp := alice.PostForm("/c/general/new", url.Values{"title": {"ok"}, "body": {"bad \xff\xfe bytes"}, "token": {tok}})
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("invalid UTF-8: status %d, want 400", resp.StatusCode)
	}
	if !strings.Contains(alice.Body, "not valid text") {
		t.Error("the error page does not explain the invalid characters")
	}
}

func TestDoubleSubmitCreatesOneThread(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	tok := alice.FormToken("/c/general/new")
	form := url.Values{"title": {"Only once"}, "body": {"Clicked twice."}, "token": {tok}}
	alice.PostForm("/c/general/new", form)
	first := alice.Path()
	alice.PostForm("/c/general/new", form)
	if second := alice.Path(); second != first {
		t.Fatalf("second submit landed on %s, first on %s", second, first)
	}
	if n := queryInt(t, site, "select count(*) from threads where title = 'Only once'"); n != 1 {
		t.Fatalf("%d threads created by a double submit, want 1", n)
	}

	// Replies too, even when both submits race.
	doc := alice.Doc(first, http.StatusOK)
	action, _ := doc.Find("form#reply").Attr("action")
	rtok, _ := doc.Find(`form#reply input[name="token"]`).Attr("value")
	done := make(chan int, 2)
	for range 2 {
		go func() {
			done <- alice.PostForm(action, url.Values{"body": {"racing reply"}, "token": {rtok}}).StatusCode
		}()
	}
	<-done
	<-done
	if n := queryInt(t, site, "select count(*) from posts where source = 'racing reply'"); n != 1 {
		t.Fatalf("%d replies from one double submit, want 1", n)
	}
}

func TestUnknownPagesAre404(t *testing.T) {
	site := stoatest.Start(t)
	c := site.Anonymous(t)
	for _, path := range []string{"/t/999", "/t/abc", "/c/nope", "/c/nope/new", "/p/5/edit", "/u/nobody", "/nothing/here"} {
		c.Get(path)
		if c.Last.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", path, c.Last.StatusCode)
		}
		if !strings.Contains(c.Body, "Page not found") {
			t.Errorf("GET %s: not the 404 page", path)
		}
	}
}

func TestCrossSitePostIsRefused(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	tok := alice.FormToken("/c/general/new")
	req, _ := http.NewRequest(http.MethodPost, site.URL+"/c/general/new",
		strings.NewReader(url.Values{"title": {"csrf"}, "body": {"forged"}, "token": {tok}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := alice.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site POST: status %d, want 403", resp.StatusCode)
	}
	if n := queryInt(t, site, "select count(*) from threads"); n != 0 {
		t.Fatal("a cross-site POST created a thread")
	}
}

func TestAnonymousComposerAsksToLogIn(t *testing.T) {
	site := stoatest.Start(t)
	c := site.Anonymous(t)
	c.Get("/c/general/new")
	if !strings.HasPrefix(c.Path(), "/login") {
		t.Fatalf("anonymous composer went to %s, want the login page", c.Path())
	}
	doc := c.Parse()
	if next, _ := doc.Find("input[name=next]").Attr("value"); next != "/c/general/new" {
		t.Errorf("login would return to %q", next)
	}
}

func TestDetectorHoldsUntilConfirmed(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	tok := alice.FormToken("/c/general/new")
	body := "Write to me at alice.private@example.com any time."
	resp := alice.PostForm("/c/general/new", url.Values{"title": {"Contact"}, "body": {body}, "token": {tok}})
	if resp.StatusCode != http.StatusOK || alice.Path() != "/c/general/new" {
		t.Fatalf("held post: status %d at %s", resp.StatusCode, alice.Path())
	}
	doc := alice.Parse()
	if !strings.Contains(doc.Find("[data-hold]").Text(), "email address") {
		t.Fatalf("hold warning does not name the email address: %q", doc.Find("[data-hold]").Text())
	}
	if got := doc.Find("textarea[name=body]").Text(); got != body {
		t.Errorf("held text not kept: %q", got)
	}
	if n := queryInt(t, site, "select count(*) from posts"); n != 0 {
		t.Fatal("a held post was published")
	}
	alice.PostForm("/c/general/new", url.Values{"title": {"Contact"}, "body": {body}, "token": {tok}, "confirm": {"1"}})
	if !strings.HasPrefix(alice.Path(), "/t/") {
		t.Fatalf("confirmed post went to %s", alice.Path())
	}
	if !strings.Contains(alice.Body, "alice.private@example.com") {
		t.Error("confirmed post not shown")
	}
}

func TestEditKeepsRevisionsForStaffOnly(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	bob := site.Member(t, "bob", account.RoleMember)
	mod := site.Member(t, "mod1", account.RoleModerator)
	thread := newThread(t, alice, "Typos", "teh first version")
	postID := queryInt(t, site, "select id from posts where source = 'teh first version'")
	edit := fmt.Sprintf("/p/%d/edit", postID)

	if bob.Get(edit); bob.Last.StatusCode != http.StatusForbidden {
		t.Fatalf("another member opened the edit form: %d", bob.Last.StatusCode)
	}
	if bob.PostForm(edit, url.Values{"body": {"vandalised"}}); bob.Last.StatusCode != http.StatusForbidden {
		t.Fatalf("another member edited the post: %d", bob.Last.StatusCode)
	}
	alice.PostForm(edit, url.Values{"body": {"the second version"}})
	if !strings.Contains(alice.Body, "the second version") || !strings.Contains(alice.Body, "edited") {
		t.Fatal("edited post not shown as edited")
	}
	revs := fmt.Sprintf("/p/%d/revisions", postID)
	if doc := mod.Doc(thread, http.StatusOK); doc.Find(fmt.Sprintf(`a[href="%s"]`, revs)).Length() != 1 {
		t.Error("staff see no link to earlier versions")
	}
	if doc := bob.Doc(thread, http.StatusOK); doc.Find(fmt.Sprintf(`a[href="%s"]`, revs)).Length() != 0 {
		t.Error("members see a link to earlier versions")
	}
	if !strings.Contains(mod.Doc(revs, http.StatusOK).Text(), "teh first version") {
		t.Error("the earlier version is not shown to staff")
	}
	if bob.Get(revs); bob.Last.StatusCode != http.StatusForbidden {
		t.Errorf("a member read earlier versions: %d", bob.Last.StatusCode)
	}
}

func TestDeleteOwnPost(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	bob := site.Member(t, "bob", account.RoleMember)
	thread := newThread(t, alice, "Keep or delete", "first")
	reply(t, bob, thread, "a reply I regret")
	replyID := queryInt(t, site, "select id from posts where source = 'a reply I regret'")
	firstID := queryInt(t, site, "select id from posts where source = 'first'")

	if alice.PostForm(fmt.Sprintf("/p/%d/delete", replyID), nil); alice.Last.StatusCode != http.StatusForbidden {
		t.Fatalf("a member deleted someone else's post: %d", alice.Last.StatusCode)
	}
	bob.PostForm(fmt.Sprintf("/p/%d/delete", replyID), nil)
	doc := site.Anonymous(t).Doc(thread, http.StatusOK)
	if strings.Contains(doc.Text(), "a reply I regret") || !strings.Contains(doc.Text(), "This post was deleted.") {
		t.Fatal("deleted reply still shown, or no placeholder")
	}
	alice.PostForm(fmt.Sprintf("/p/%d/delete", firstID), nil)
	if alice.Path() != "/c/general" {
		t.Errorf("deleting the first post went to %s, want the category", alice.Path())
	}
	c := site.Anonymous(t)
	if c.Get(thread); c.Last.StatusCode != http.StatusNotFound {
		t.Errorf("deleted thread: status %d, want 404", c.Last.StatusCode)
	}
}

func TestQuoteReplyPrefillsTheForm(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	bob := site.Member(t, "bob", account.RoleMember)
	thread := newThread(t, alice, "Quotes", "line one\nline two")
	doc := bob.Doc(thread, http.StatusOK)
	href, ok := doc.Find(".post-actions a:contains('Quote')").Attr("href")
	if !ok {
		t.Fatal("no Quote link")
	}
	got := bob.Doc(href, http.StatusOK).Find("form#reply textarea").Text()
	if want := "@alice wrote:\n> line one\n> line two\n\n"; got != want {
		t.Fatalf("quote-reply prefill %q, want %q", got, want)
	}
}

func TestLongThreadsArePaginated(t *testing.T) {
	site := stoatest.Start(t, func(c *server.Config) { c.NoRateLimits = true })
	alice := site.Member(t, "alice", account.RoleMember)
	thread := newThread(t, alice, "Counting", "post 1")
	for i := 2; i <= 25; i++ {
		if s := reply(t, alice, thread, fmt.Sprintf("post %d", i)); s != http.StatusOK {
			t.Fatalf("reply %d: %d", i, s)
		}
	}
	// After the 25th post the member lands on page 2, anchored at their post.
	if !strings.Contains(alice.Path(), "page=2") {
		t.Errorf("after replying, landed on %s, want page 2", alice.Path())
	}
	c := site.Anonymous(t)
	if n := c.Doc(thread, http.StatusOK).Find("li.post").Length(); n != 20 {
		t.Errorf("page 1 shows %d posts, want 20", n)
	}
	doc := c.Doc(thread+"?page=2", http.StatusOK)
	if n := doc.Find("li.post").Length(); n != 5 {
		t.Errorf("page 2 shows %d posts, want 5", n)
	}
	if !strings.Contains(doc.Find(".pager").Text(), "Page 2 of 2") {
		t.Errorf("pager reads %q", doc.Find(".pager").Text())
	}
}

func TestLockedThreadRefusesMemberReplies(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	admin := site.Member(t, "boss", account.RoleAdmin)
	thread := newThread(t, alice, "Closing soon", "last call")
	tokDoc := alice.Doc(thread, http.StatusOK)
	action, _ := tokDoc.Find("form#reply").Attr("action")
	if err := site.App.DB().Write(context.Background(), func(tx *storage.Tx) error {
		_, err := tx.Exec("update threads set locked = 1")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if doc := alice.Doc(thread, http.StatusOK); doc.Find("form#reply").Length() != 0 {
		t.Error("a closed thread still offers members the reply form")
	}
	alice.PostForm(action, url.Values{"body": {"sneaky"}})
	if alice.Last.StatusCode != http.StatusForbidden || !strings.Contains(alice.Body, "closed") {
		t.Errorf("reply to closed thread: status %d", alice.Last.StatusCode)
	}
	if s := reply(t, admin, thread, "staff may still answer"); s != http.StatusOK {
		t.Errorf("staff reply to closed thread: %d", s)
	}
}

func TestAdminsManageCategories(t *testing.T) {
	site := stoatest.Start(t)
	admin := site.Member(t, "boss", account.RoleAdmin)
	member := site.Member(t, "alice", account.RoleMember)
	form := url.Values{"name": {"Help & Support"}, "description": {"Ask anything."}, "position": {"2"}}
	if member.PostForm("/admin/categories", form); member.Last.StatusCode != http.StatusForbidden {
		t.Fatalf("member created a category: %d", member.Last.StatusCode)
	}
	admin.PostForm("/admin/categories", form)
	if admin.Last.StatusCode != http.StatusOK {
		t.Fatalf("create category: %d", admin.Last.StatusCode)
	}
	doc := site.Anonymous(t).Doc("/c/help-support", http.StatusOK)
	if h := doc.Find("h1").Text(); h != "Help & Support" {
		t.Errorf("new category page heading %q", h)
	}
	admin.PostForm("/admin/categories", url.Values{"name": {"Dup"}, "slug": {"help-support"}})
	if admin.Last.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(admin.Body, "already uses this address") {
		t.Errorf("duplicate address: status %d", admin.Last.StatusCode)
	}
}

func TestMembersPostingTooFastAreSlowedDownWithoutLosingText(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	thread := newThread(t, alice, "Rapid", "first")
	var last int
	for i := range forum.PostBurst {
		last = reply(t, alice, thread, fmt.Sprintf("quick reply %d", i))
	}
	if last != http.StatusTooManyRequests {
		t.Fatalf("post %d within seconds: status %d, want 429", forum.PostBurst+1, last)
	}
	doc := alice.Parse()
	if got := doc.Find("form#reply textarea").Text(); got != fmt.Sprintf("quick reply %d", forum.PostBurst-1) {
		t.Errorf("the refused text was not kept: %q", got)
	}
	if !strings.Contains(doc.Find(".form-error").Text(), "Wait a few seconds") {
		t.Errorf("no explanation: %q", doc.Find(".form-error").Text())
	}
	mod := site.Member(t, "mod1", account.RoleModerator)
	for i := range forum.PostBurst + 2 {
		if s := reply(t, mod, thread, fmt.Sprintf("staff reply %d", i)); s != http.StatusOK {
			t.Fatalf("staff reply %d refused: %d", i, s)
		}
	}
}

// A new category goes after the others unless the admin says otherwise: its position is
// the next one, both as the form suggests it and when the field is left empty (issue 16,
// point 7: it took General's position).
func TestNewCategoryTakesTheNextPosition(t *testing.T) {
	site := stoatest.Start(t)
	admin := site.Member(t, "boss", account.RoleAdmin)
	general := queryInt(t, site, "select position from categories where slug = 'general'")
	next := fmt.Sprint(general + 1)
	doc := admin.Doc("/admin/categories", http.StatusOK)
	if got, _ := doc.Find(`form:has(button:contains("Create category")) input[name=position]`).Attr("value"); got != next {
		t.Errorf("the new-category form suggests position %q, want %s (after General)", got, next)
	}
	admin.PostForm("/admin/categories", url.Values{"name": {"Announcements"}, "position": {""}})
	admin.PostForm("/admin/categories", url.Values{"name": {"Off topic"}})
	got := []int64{queryInt(t, site, "select position from categories where slug = 'announcements'"),
		queryInt(t, site, "select position from categories where slug = 'off-topic'")}
	if got[0] != general+1 || got[1] != general+2 {
		t.Errorf("new categories took positions %v, want %d and %d", got, general+1, general+2)
	}
	var names []string
	site.Anonymous(t).Doc("/", http.StatusOK).Find("li.category .title").Each(func(_ int, s *goquery.Selection) { names = append(names, s.Text()) })
	if strings.Join(names, ", ") != "General, Announcements, Off topic" {
		t.Errorf("the home page lists the categories as %v", names)
	}
}
