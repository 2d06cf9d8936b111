package forum

import (
	"bytes"
	"crypto/sha256"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"stoa/site"
	"stoa/storage"
	"stoa/web"
)

// Feed sizes: the newest threads, or the newest posts of one thread.
const (
	feedThreads = 30
	feedPosts   = 50
)

// The Atom 1.0 document (RFC 4287), only what Stoa's feeds use.
type atomFeed struct {
	XMLName   xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Base      string      `xml:"http://www.w3.org/XML/1998/namespace base,attr"`
	ID        string      `xml:"id"`
	Title     string      `xml:"title"`
	Subtitle  string      `xml:"subtitle,omitempty"`
	Updated   string      `xml:"updated"`
	Links     []atomLink  `xml:"link"`
	Generator string      `xml:"generator"`
	Entries   []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
	URI  string `xml:"uri,omitempty"`
}

type atomCategory struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

type atomEntry struct {
	ID        string        `xml:"id"`
	Title     string        `xml:"title"`
	Updated   string        `xml:"updated"`
	Published string        `xml:"published"`
	Links     []atomLink    `xml:"link"`
	Author    atomPerson    `xml:"author"`
	Category  *atomCategory `xml:"category,omitempty"`
	Content   atomText      `xml:"content"`
}

func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Feeds serves Atom feeds of the newest threads, of a category's newest threads and of
// a thread's newest posts. Feeds are public: they never show what is hidden, even to
// staff.
type Feeds struct {
	svc     *Service
	store   *Store
	web     *web.Responder
	baseURL string
	site    *site.Settings
}

// publicNote ends every feed's subtitle: a feed is read away from the site's warnings.
const publicNote = "Everything here is public and may be archived and republished by anyone."

// threadEntries makes one entry per thread, holding its opening post.
func (f *Feeds) threadEntries(rows []feedRow) []atomEntry {
	var out []atomEntry
	for _, r := range rows {
		page := f.baseURL + (&Thread{ID: r.threadID, Slug: r.threadSlug}).URL()
		out = append(out, f.entry(r, fmt.Sprintf("%s/t/%d", f.baseURL, r.threadID), r.threadTitle, page))
	}
	return out
}

func (f *Feeds) entry(r feedRow, id, title, link string) atomEntry {
	author := atomPerson{Name: "former member"}
	if r.author != "" {
		author = atomPerson{Name: r.author, URI: f.baseURL + "/u/" + url.PathEscape(r.author)}
	}
	return atomEntry{ID: id, Title: title, Updated: atomTime(r.updated), Published: atomTime(r.created),
		Links:    []atomLink{{Rel: "alternate", Type: "text/html", Href: link}},
		Author:   author,
		Category: &atomCategory{Term: r.categorySlug, Label: r.category},
		Content:  atomText{Type: "html", Body: r.html}}
}

// writeFeed sends a feed. Its ETag and updated time answer conditional requests, so a
// feed reader polling an unchanged feed gets 304 Not Modified; the ETag also changes
// when a thread disappears, which the updated time alone would not show.
func (f *Feeds) writeFeed(w http.ResponseWriter, r *http.Request, feed atomFeed, updated time.Time) {
	if updated.IsZero() {
		updated = time.Unix(0, 0).UTC()
	}
	feed.Base = f.baseURL + "/"
	feed.Updated = atomTime(updated)
	feed.Generator = "Stoa"
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	if err := xml.NewEncoder(&buf).Encode(feed); err != nil {
		f.web.ServerError(w, r, err)
		return
	}
	sum := sha256.Sum256(buf.Bytes())
	w.Header().Set("ETag", fmt.Sprintf(`"%x"`, sum[:12]))
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=60")
	http.ServeContent(w, r, "", updated, bytes.NewReader(buf.Bytes()))
}

func feedLinks(self, page string) []atomLink {
	return []atomLink{{Rel: "self", Type: "application/atom+xml", Href: self}, {Rel: "alternate", Type: "text/html", Href: page}}
}

func lastUpdate(rows []feedRow) time.Time {
	var t time.Time
	for _, r := range rows {
		if r.updated.After(t) {
			t = r.updated
		}
	}
	return t
}

func (f *Feeds) latest(w http.ResponseWriter, r *http.Request) {
	rows, err := f.store.latestThreadRows(r.Context(), 0, feedThreads)
	if err != nil {
		f.web.ServerError(w, r, err)
		return
	}
	info := f.site.Info()
	subtitle := publicNote
	if info.Description != "" {
		subtitle = info.Description + " " + publicNote
	}
	feed := atomFeed{ID: f.baseURL + "/feed.atom", Title: info.Name, Subtitle: subtitle,
		Links: feedLinks(f.baseURL+"/feed.atom", f.baseURL+"/"), Entries: f.threadEntries(rows)}
	f.writeFeed(w, r, feed, lastUpdate(rows))
}

func (f *Feeds) category(w http.ResponseWriter, r *http.Request) {
	c, err := f.store.CategoryBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		f.web.Fail(w, r, err)
		return
	}
	rows, err := f.store.latestThreadRows(r.Context(), c.ID, feedThreads)
	if err != nil {
		f.web.ServerError(w, r, err)
		return
	}
	self := f.baseURL + "/c/" + c.Slug + "/feed.atom"
	feed := atomFeed{ID: self, Title: c.Name + " · " + f.site.Name(), Subtitle: c.Description,
		Links: feedLinks(self, f.baseURL+"/c/"+c.Slug), Entries: f.threadEntries(rows)}
	f.writeFeed(w, r, feed, lastUpdate(rows))
}

func (f *Feeds) thread(w http.ResponseWriter, r *http.Request) {
	id, ok := web.PathID(r, "id")
	if !ok {
		f.web.NotFound(w, r)
		return
	}
	// As an anonymous reader sees it: a hidden thread has no feed, even for staff.
	t, err := f.svc.Thread(r.Context(), nil, id)
	if err == nil && t.Hidden {
		err = fmt.Errorf("forum: feed of hidden thread %d: %w", id, storage.ErrNotFound)
	}
	if err != nil {
		f.web.Fail(w, r, err)
		return
	}
	rows, err := f.store.latestPostRows(r.Context(), t.ID, feedPosts)
	if err != nil {
		f.web.ServerError(w, r, err)
		return
	}
	self := fmt.Sprintf("%s/t/%d/feed.atom", f.baseURL, t.ID)
	feed := atomFeed{ID: self, Title: t.Title, Links: feedLinks(self, f.baseURL+t.URL())}
	for _, row := range rows {
		title := t.Title
		if row.number > 1 {
			title = fmt.Sprintf("Reply #%d to %s", row.number-1, t.Title)
			if row.author != "" {
				title = fmt.Sprintf("%s replied to %s", row.author, t.Title)
			}
		}
		feed.Entries = append(feed.Entries, f.entry(row, fmt.Sprintf("%s/p/%d", f.baseURL, row.postID), title,
			fmt.Sprintf("%s/p/%d", f.baseURL, row.postID)))
	}
	updated := lastUpdate(rows)
	if updated.IsZero() {
		updated = t.CreatedAt
	}
	f.writeFeed(w, r, feed, updated)
}
