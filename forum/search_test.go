package forum_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"stoa/account"
	"stoa/forum"
	"stoa/internal/stoatest"
	"stoa/server"
)

func TestSearchFindsWordsAndPhrases(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	xThread(t, alice, "general", "Keeping a sourdough starter", "Feed the starter with rye flour every morning.")
	xThread(t, alice, "general", "Baking in a dutch oven", "The lid traps steam, so the crust stays thin.")

	reader := site.Anonymous(t)
	if got := hitTitles(xSearch(t, reader, url.Values{"q": {"rye"}})); len(got) != 1 || got[0] != "Keeping a sourdough starter" {
		t.Errorf("rye found %q", got)
	}
	if got := hitTitles(xSearch(t, reader, url.Values{"q": {`"starter with rye"`}})); len(got) != 1 {
		t.Errorf("phrase found %q, want the sourdough thread", got)
	}
	if got := hitTitles(xSearch(t, reader, url.Values{"q": {`"rye with starter"`}})); len(got) != 0 {
		t.Errorf("words in another order found %q, want nothing", got)
	}
	// Stemming: "ovens" finds "oven"; a prefix finds a longer word.
	if got := hitTitles(xSearch(t, reader, url.Values{"q": {"ovens"}})); len(got) != 1 {
		t.Errorf("ovens found %q", got)
	}
	if got := hitTitles(xSearch(t, reader, url.Values{"q": {"sourd*"}})); len(got) != 1 {
		t.Errorf("sourd* found %q", got)
	}
	if got := hitTitles(xSearch(t, reader, url.Values{"q": {"starter -rye"}})); len(got) != 0 {
		t.Errorf("starter -rye found %q, want nothing", got)
	}

	doc := xSearch(t, reader, url.Values{"q": {"rye"}})
	if mark := doc.Find(".search-hit .snippet mark").First().Text(); mark != "rye" {
		t.Errorf("snippet marks %q, want rye", mark)
	}
	if href, _ := doc.Find(".search-hit a.title").Attr("href"); !strings.HasPrefix(href, "/p/") {
		t.Errorf("result links to %q", href)
	}
	reader.Get(doc.Find(".search-hit a.title").AttrOr("href", ""))
	if !strings.Contains(reader.Body, "rye flour") {
		t.Errorf("the result's link does not lead to the post (%s)", reader.Path())
	}
}

func TestSearchRanksTheBetterMatchFirst(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	// bm25 weighs a word by how rare it is, so the word must be rare in the forum.
	for _, topic := range []string{"Tea", "Coffee", "Cocoa", "Juice", "Water"} {
		xThread(t, alice, "general", topic, "All about "+topic+".")
	}
	xThread(t, alice, "general", "Kombucha basics", "Notes on fermentation at home.")
	// Posted later, so without ranking it would come first.
	xThread(t, alice, "general", "Kitchen odds and ends", "Pickles, jam, vinegar, yoghurt, bread, cheese, "+
		"cider and, once, kombucha; mostly the pickles though, and some more jam and bread.")
	xThread(t, alice, "general", "Brewing log", "Kombucha again. Second batch of kombucha, third kombucha.")

	got := hitTitles(xSearch(t, site.Anonymous(t), url.Values{"q": {"kombucha"}}))
	if len(got) != 3 || got[0] != "Kombucha basics" || got[1] != "Brewing log" {
		t.Errorf("kombucha ranked %q: want the title match, then the post that says it most", got)
	}
}

func TestSearchExcludesHiddenAndDeletedAndFollowsEdits(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	mod := site.Member(t, "mia", account.RoleModerator)
	thread := xThread(t, alice, "general", "Visible thread", "Nothing unusual here.")
	deleted := xReply(t, alice, thread, "a zebracorn was here")
	hidden := xReply(t, alice, thread, "a quokkafish was here")
	edited := xReply(t, alice, thread, "a narwhalrus was here")
	hiddenThread := xThread(t, alice, "general", "Pangolinbat sightings", "Seen twice.")

	alice.PostForm(fmt.Sprintf("/p/%d/delete", deleted), nil)
	xExec(t, site, "update posts set hidden_at = ? where id = ?", time.Now().Unix(), hidden)
	xExec(t, site, "update threads set hidden_at = ? where id = ?", time.Now().Unix(), hiddenThread)
	alice.PostForm(fmt.Sprintf("/p/%d/edit", edited), url.Values{"body": {"a walrus was here"}})

	for _, c := range []*stoatest.Client{site.Anonymous(t), alice, mod} {
		for _, q := range []string{"zebracorn", "quokkafish", "pangolinbat", "narwhalrus"} {
			if got := hitTitles(xSearch(t, c, url.Values{"q": {q}})); len(got) != 0 {
				t.Errorf("%q found %q: hidden, deleted and edited-away text must not be found", q, got)
			}
		}
	}
	if got := hitTitles(xSearch(t, alice, url.Values{"q": {"walrus"}})); len(got) != 1 {
		t.Errorf("walrus (the edited text) found %q", got)
	}
	// Shown again by a moderator, the post is found again.
	xExec(t, site, "update posts set hidden_at = null where id = ?", hidden)
	if got := hitTitles(xSearch(t, alice, url.Values{"q": {"quokkafish"}})); len(got) != 1 {
		t.Errorf("quokkafish after unhiding found %q", got)
	}
}

func TestSearchSurvivesMarkdownAndOperatorsInTheQuery(t *testing.T) {
	site := stoatest.Start(t, func(c *server.Config) { c.NoRateLimits = true }) // many searches from one reader
	alice := site.Member(t, "alice", account.RoleMember)
	xThread(t, alice, "general", "Escaping", "`<script>alert(1)</script>` is what an attack looks like; **bold** words & <b>tags</b>.")

	reader := site.Anonymous(t)
	// Markdown and FTS5 syntax around words that the post has: it is found.
	for _, q := range []string{"**bold**", "`alert`", "[bold]", "(bold)", "bold AND tags", "OR bold", "bold OR nothing",
		`"bold`, `bold"`, "bold*", "*bold", "^bold", "bold:", "bold)", "(bold", "bold -", "-- bold", "bold\x00",
		"{bold}", "+bold", "# bold", "> bold", "bold\\", "_bold_", "~~bold~~", "BOLD", "bôld"} {
		if got := hitTitles(xSearch(t, reader, url.Values{"q": {q}})); len(got) != 1 {
			t.Errorf("%q found %q, want the one thread", q, got)
		}
	}
	// Syntax that would break a raw FTS5 query, around words the post lacks: no error.
	for _, q := range []string{"NEAR(bold", "title:bold", "'; drop table posts; --", "bold ~ 2", "bold NOT tags",
		"[bold](http://x)", "a\" OR \"b", "col:* AND (", `"unterminated`} {
		doc := xSearch(t, reader, url.Values{"q": {q}})
		if doc.Find(".search-count, .empty").Length() == 0 {
			t.Errorf("%q: neither results nor a message", q)
		}
	}
	for _, q := range []string{"***", `""`, "- -", "(", "*", "NOT bold", "OR AND"} {
		doc := xSearch(t, reader, url.Values{"q": {q}})
		if doc.Find(".search-hit").Length() != 0 || !strings.Contains(doc.Find(".empty").Text(), "Type a word") {
			t.Errorf("%q: want a request to type a word", q)
		}
	}

	doc := xSearch(t, reader, url.Values{"q": {"alert"}})
	if doc.Find("main script").Length() != 0 {
		t.Fatal("a post's text became a script element in the results")
	}
	snippet, _ := doc.Find(".search-hit .snippet").Html()
	if !strings.Contains(snippet, "&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt;") {
		t.Errorf("snippet is %q: want the text escaped with the match marked", snippet)
	}
}

func TestSearchFiltersByCategoryAndAuthorAndPages(t *testing.T) {
	site := stoatest.Start(t, func(c *server.Config) { c.NoRateLimits = true }) // many posts from one member
	admin := site.Member(t, "ada", account.RoleAdmin)
	admin.PostForm("/admin/categories", url.Values{"name": {"Recipes"}, "slug": {"recipes"}})
	alice := site.Member(t, "alice", account.RoleMember)
	bob := site.Member(t, "bob", account.RoleMember)
	xThread(t, alice, "general", "Alice on lentils", "Lentils are great.")
	thread := xThread(t, bob, "recipes", "Bob on lentils", "Lentil soup recipe.")

	reader := site.Anonymous(t)
	if got := hitTitles(xSearch(t, reader, url.Values{"q": {"lentils"}, "category": {"recipes"}})); len(got) != 1 || got[0] != "Bob on lentils" {
		t.Errorf("in recipes found %q", got)
	}
	if got := hitTitles(xSearch(t, reader, url.Values{"q": {"lentils"}, "author": {"Alice"}})); len(got) != 1 || got[0] != "Alice on lentils" {
		t.Errorf("by alice found %q", got)
	}
	doc := xSearch(t, reader, url.Values{"q": {"lentils"}, "author": {"nobody"}})
	if !strings.Contains(doc.Find(".empty").Text(), "No member is called “nobody”") {
		t.Errorf("unknown author: %q", doc.Find(".empty").Text())
	}

	for i := range 21 {
		xReply(t, bob, thread, fmt.Sprintf("Lentil variation number %d.", i))
	}
	doc = xSearch(t, reader, url.Values{"q": {"lentil"}, "category": {"recipes"}})
	if n := doc.Find(".search-hit").Length(); n != 20 {
		t.Fatalf("page 1 has %d hits, want 20", n)
	}
	if !strings.Contains(doc.Find(".search-count").Text(), "22 results") {
		t.Errorf("count reads %q", doc.Find(".search-count").Text())
	}
	next, ok := doc.Find(`.pager a[rel="next"]`).Attr("href")
	if !ok || !strings.Contains(next, "category=recipes") || !strings.Contains(next, "page=2") {
		t.Fatalf("next page link %q keeps the filters?", next)
	}
	doc = reader.Doc(next, http.StatusOK)
	if n := doc.Find(".search-hit").Length(); n != 2 {
		t.Errorf("page 2 has %d hits, want 2", n)
	}
}

// A passage quoted in a reply is found once, in the post that wrote it: a post's quotes
// are not searched as its own text (issue 16, point 7). The reply is still found by what
// it says itself, and edited quotes follow.
func TestSearchShowsAQuotedPassageOnce(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	bob := site.Member(t, "bob", account.RoleMember)
	text := "The zeppelin lands at noon on the old airfield."
	thread := xThread(t, alice, "general", "Arrivals", text)
	xReply(t, bob, thread, forum.Quote("alice", text)+"Then I will bring the periscope.")
	reader := site.Anonymous(t)
	doc := xSearch(t, reader, url.Values{"q": {"zeppelin"}})
	if n := doc.Find(".search-hit").Length(); n != 1 {
		t.Errorf("the quoted passage is found %d times, want once", n)
	}
	if n := xSearch(t, reader, url.Values{"q": {"periscope"}}).Find(".search-hit").Length(); n != 1 {
		t.Errorf("the reply's own words are found %d times, want once", n)
	}
}
