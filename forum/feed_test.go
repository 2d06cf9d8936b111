package forum_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"stoa/account"
	"stoa/internal/stoatest"
)

// The Atom 1.0 elements RFC 4287 requires, as a feed reader would read them. These are
// the test's own definitions, independent of the ones the feed is written with.
const atomNS = "http://www.w3.org/2005/Atom"

type readFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Base    string      `xml:"http://www.w3.org/XML/1998/namespace base,attr"`
	ID      string      `xml:"http://www.w3.org/2005/Atom id"`
	Title   string      `xml:"http://www.w3.org/2005/Atom title"`
	Updated string      `xml:"http://www.w3.org/2005/Atom updated"`
	Links   []readLink  `xml:"http://www.w3.org/2005/Atom link"`
	Authors []readName  `xml:"http://www.w3.org/2005/Atom author"`
	Entries []readEntry `xml:"http://www.w3.org/2005/Atom entry"`
}

type readLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
	Href string `xml:"href,attr"`
}

type readName struct {
	Name string `xml:"http://www.w3.org/2005/Atom name"`
	URI  string `xml:"http://www.w3.org/2005/Atom uri"`
}

type readEntry struct {
	ID        string     `xml:"http://www.w3.org/2005/Atom id"`
	Title     string     `xml:"http://www.w3.org/2005/Atom title"`
	Updated   string     `xml:"http://www.w3.org/2005/Atom updated"`
	Published string     `xml:"http://www.w3.org/2005/Atom published"`
	Links     []readLink `xml:"http://www.w3.org/2005/Atom link"`
	Authors   []readName `xml:"http://www.w3.org/2005/Atom author"`
	Content   struct {
		Type string `xml:"type,attr"`
		Body string `xml:",chardata"`
	} `xml:"http://www.w3.org/2005/Atom content"`
}

// fetchFeed gets path, checks it is a well-formed Atom 1.0 document with every element
// RFC 4287 requires, and returns it.
func fetchFeed(t *testing.T, c *stoatest.Client, site *stoatest.Site, path string) readFeed {
	t.Helper()
	resp := c.Get(path)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/atom+xml") {
		t.Fatalf("GET %s: status %d, type %q", path, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if !strings.HasPrefix(c.Body, `<?xml version="1.0" encoding="UTF-8"?>`) {
		t.Errorf("%s does not start with an XML declaration", path)
	}
	// Every element is in the Atom namespace: no stray, unnamespaced markup.
	dec := xml.NewDecoder(strings.NewReader(c.Body))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s is not well-formed XML: %v", path, err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Space != atomNS {
			t.Errorf("%s: element <%s> in namespace %q", path, se.Name.Local, se.Name.Space)
		}
	}
	var f readFeed
	if err := xml.NewDecoder(bytes.NewReader([]byte(c.Body))).Decode(&f); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	abs := func(what, u string) {
		if p, err := url.Parse(u); err != nil || !p.IsAbs() || !strings.HasPrefix(u, site.URL) {
			t.Errorf("%s: %s %q is not an absolute URL on the site", path, what, u)
		}
	}
	date := func(what, s string) {
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			t.Errorf("%s: %s %q is not an RFC 3339 date", path, what, s)
		}
	}
	abs("feed id", f.ID)
	abs("xml:base", f.Base)
	date("feed updated", f.Updated)
	if f.Title == "" {
		t.Errorf("%s: feed has no title", path)
	}
	self := false
	for _, l := range f.Links {
		abs("link", l.Href)
		self = self || l.Rel == "self" && strings.HasSuffix(l.Href, path)
	}
	if !self {
		t.Errorf("%s: no rel=self link to itself", path)
	}
	ids := map[string]bool{}
	for _, e := range f.Entries {
		abs("entry id", e.ID)
		date("entry updated", e.Updated)
		date("entry published", e.Published)
		if ids[e.ID] {
			t.Errorf("%s: entry id %s twice", path, e.ID)
		}
		ids[e.ID] = true
		if e.Title == "" || len(e.Links) == 0 || e.Content.Type != "html" {
			t.Errorf("%s: entry %s lacks a title, a link or html content", path, e.ID)
		}
		// RFC 4287: a feed without its own author needs one in every entry.
		if len(f.Authors) == 0 && (len(e.Authors) == 0 || e.Authors[0].Name == "") {
			t.Errorf("%s: entry %s has no author", path, e.ID)
		}
	}
	return f
}

func TestFeedsAreValidAtom(t *testing.T) {
	site := stoatest.Start(t)
	admin := site.Member(t, "ada", account.RoleAdmin)
	admin.PostForm("/admin/categories", url.Values{"name": {"Recipes"}, "slug": {"recipes"}})
	alice := site.Member(t, "alice", account.RoleMember)
	bob := site.Member(t, "bob", account.RoleMember)
	soup := xThread(t, alice, "recipes", "Soup & <bread>", "A **hearty** soup, by @bob. <script>alert(1)</script>")
	xReply(t, bob, soup, "Thanks, trying it tonight.")
	hiddenReply := xReply(t, bob, soup, "Secret hidden reply.")
	xExec(t, site, "update posts set hidden_at = 1 where id = ?", hiddenReply)
	general := xThread(t, bob, "general", "General chatter", "Hello.")
	hidden := xThread(t, bob, "general", "Hidden thread", "Moderated away.")
	xExec(t, site, "update threads set hidden_at = 1 where id = ?", hidden)

	reader := site.Anonymous(t)
	home := reader.Doc("/", http.StatusOK)
	for _, sel := range []string{`link[rel="alternate"][type="application/atom+xml"][href="/feed.atom"]`, `footer a[href="/feed.atom"]`} {
		if home.Find(sel).Length() == 0 {
			t.Errorf("the home page lacks %s", sel)
		}
	}

	latest := fetchFeed(t, reader, site, "/feed.atom")
	if len(latest.Entries) != 2 || latest.Entries[0].Title != "General chatter" || latest.Entries[1].Title != "Soup & <bread>" {
		var titles []string
		for _, e := range latest.Entries {
			titles = append(titles, e.Title)
		}
		t.Fatalf("latest feed has %q, want the two visible threads, newest first", titles)
	}
	e := latest.Entries[1]
	if !strings.Contains(e.Content.Body, "<strong>hearty</strong>") || strings.Contains(e.Content.Body, "<script") {
		t.Errorf("entry content is %q: want the sanitised post HTML", e.Content.Body)
	}
	if e.Authors[0].Name != "alice" || e.Authors[0].URI != site.URL+"/u/alice" {
		t.Errorf("entry author %+v", e.Authors[0])
	}
	if e.Links[0].Href != fmt.Sprintf("%s/t/%d/soup-bread", site.URL, soup) {
		t.Errorf("entry links to %s", e.Links[0].Href)
	}

	cat := fetchFeed(t, reader, site, "/c/recipes/feed.atom")
	if len(cat.Entries) != 1 || cat.Entries[0].Title != "Soup & <bread>" {
		t.Errorf("recipes feed has %d entries", len(cat.Entries))
	}
	if reader.Get("/c/nope/feed.atom").StatusCode != http.StatusNotFound {
		t.Error("a missing category's feed is not 404")
	}

	thread := fetchFeed(t, reader, site, fmt.Sprintf("/t/%d/feed.atom", soup))
	if len(thread.Entries) != 2 || thread.Entries[0].Title != "bob replied to Soup & <bread>" {
		t.Errorf("thread feed has %d entries (first %q): want the two visible posts, newest first", len(thread.Entries), thread.Entries[0].Title)
	}
	for _, e := range thread.Entries {
		if strings.Contains(e.Content.Body, "Secret") {
			t.Error("a hidden post is in the thread's feed")
		}
	}
	for _, id := range []int64{hidden, 9999} {
		if reader.Get(fmt.Sprintf("/t/%d/feed.atom", id)).StatusCode != http.StatusNotFound {
			t.Errorf("thread %d: a hidden or missing thread has a feed", id)
		}
	}
	if mod := site.Member(t, "mia", account.RoleModerator); mod.Get(fmt.Sprintf("/t/%d/feed.atom", hidden)).StatusCode != http.StatusNotFound {
		t.Error("feeds are public: a hidden thread has none even for staff")
	}
	_ = general
}

func TestFeedAnswersConditionalRequests(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	xThread(t, alice, "general", "First", "One.")
	reader := site.Anonymous(t)
	resp := reader.Get("/feed.atom")
	etag := resp.Header.Get("ETag")
	if etag == "" || resp.Header.Get("Last-Modified") == "" {
		t.Fatalf("feed has no validators: %v", resp.Header)
	}
	req, _ := http.NewRequest(http.MethodGet, site.URL+"/feed.atom", nil)
	req.Header.Set("If-None-Match", etag)
	again, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	again.Body.Close()
	if again.StatusCode != http.StatusNotModified {
		t.Errorf("unchanged feed: status %d, want 304", again.StatusCode)
	}
	xThread(t, alice, "general", "Second", "Two.")
	if reader.Get("/feed.atom"); reader.Last.Header.Get("ETag") == etag {
		t.Error("the ETag did not change with a new thread")
	}
	if len(reader.Last.Cookies()) != 0 {
		t.Error("a feed sets a cookie (P7: readers get none)")
	}
}
