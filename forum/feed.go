package forum

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"stoa/storage"
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

// feedRow is one post as a feed shows it.
type feedRow struct {
	threadID     int64
	threadSlug   string
	threadTitle  string
	postID       int64
	number       int
	author       string
	category     string
	categorySlug string
	html         string
	created      time.Time
	updated      time.Time
}

const feedColumns = `t.id, t.slug, t.title, p.id, p.number, coalesce(u.username, ''), c.name, c.slug, p.html,
	p.created_at, coalesce(p.edited_at, p.created_at)`

const feedFrom = ` from posts p join threads t on t.id = p.thread_id join categories c on c.id = t.category_id
	left join users u on u.id = p.author_id and u.deleted_at is null
	where p.deleted_at is null and p.hidden_at is null and t.deleted_at is null and t.hidden_at is null`

func (e *Extras) feedRows(ctx context.Context, query string, args ...any) ([]feedRow, error) {
	rows, err := e.svc.db.Query(ctx, "select "+feedColumns+feedFrom+query, args...)
	if err != nil {
		return nil, fmt.Errorf("forum: feed: %w", err)
	}
	defer rows.Close()
	var out []feedRow
	for rows.Next() {
		var r feedRow
		var created, updated int64
		if err := rows.Scan(&r.threadID, &r.threadSlug, &r.threadTitle, &r.postID, &r.number, &r.author,
			&r.category, &r.categorySlug, &r.html, &created, &updated); err != nil {
			return nil, fmt.Errorf("forum: feed: %w", err)
		}
		r.created, r.updated = time.Unix(created, 0).UTC(), time.Unix(updated, 0).UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// siteName names the site in feed titles: the host of its public address.
func (e *Extras) siteName() string {
	if u, err := url.Parse(e.baseURL); err == nil && u.Host != "" {
		return u.Host
	}
	return "Stoa"
}

// threadEntries makes one entry per thread, holding its opening post.
func (e *Extras) threadEntries(rows []feedRow) []atomEntry {
	var out []atomEntry
	for _, r := range rows {
		page := e.baseURL + (&Thread{ID: r.threadID, Slug: r.threadSlug}).URL()
		out = append(out, e.entry(r, fmt.Sprintf("%s/t/%d", e.baseURL, r.threadID), r.threadTitle, page))
	}
	return out
}

func (e *Extras) entry(r feedRow, id, title, link string) atomEntry {
	author := atomPerson{Name: "former member"}
	if r.author != "" {
		author = atomPerson{Name: r.author, URI: e.baseURL + "/u/" + url.PathEscape(r.author)}
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
func (e *Extras) writeFeed(w http.ResponseWriter, r *http.Request, f atomFeed, updated time.Time) {
	if updated.IsZero() {
		updated = time.Unix(0, 0).UTC()
	}
	f.Base = e.baseURL + "/"
	f.Updated = atomTime(updated)
	f.Generator = "Stoa"
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	if err := xml.NewEncoder(&buf).Encode(f); err != nil {
		e.web.ServerError(w, r, err)
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

func latest(rows []feedRow) time.Time {
	var t time.Time
	for _, r := range rows {
		if r.updated.After(t) {
			t = r.updated
		}
	}
	return t
}

func (e *Extras) latestFeed(w http.ResponseWriter, r *http.Request) {
	rows, err := e.feedRows(r.Context(), " and p.number = 1 order by t.created_at desc, t.id desc limit ?", feedThreads)
	if err != nil {
		e.web.ServerError(w, r, err)
		return
	}
	f := atomFeed{ID: e.baseURL + "/feed.atom", Title: "Latest threads on " + e.siteName(),
		Subtitle: "Everything here is public and may be archived and republished by anyone.",
		Links:    feedLinks(e.baseURL+"/feed.atom", e.baseURL+"/"), Entries: e.threadEntries(rows)}
	e.writeFeed(w, r, f, latest(rows))
}

func (e *Extras) categoryFeed(w http.ResponseWriter, r *http.Request) {
	c, err := e.svc.store.CategoryBySlug(r.Context(), r.PathValue("slug"))
	if errors.Is(err, storage.ErrNotFound) {
		e.web.NotFound(w, r)
		return
	}
	if err != nil {
		e.web.ServerError(w, r, err)
		return
	}
	rows, err := e.feedRows(r.Context(), " and p.number = 1 and t.category_id = ? order by t.created_at desc, t.id desc limit ?", c.ID, feedThreads)
	if err != nil {
		e.web.ServerError(w, r, err)
		return
	}
	self := e.baseURL + "/c/" + c.Slug + "/feed.atom"
	f := atomFeed{ID: self, Title: c.Name + " on " + e.siteName(), Subtitle: c.Description,
		Links: feedLinks(self, e.baseURL+"/c/"+c.Slug), Entries: e.threadEntries(rows)}
	e.writeFeed(w, r, f, latest(rows))
}

func (e *Extras) threadFeed(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		e.web.NotFound(w, r)
		return
	}
	t, err := e.svc.store.ThreadByID(r.Context(), id)
	if errors.Is(err, storage.ErrNotFound) || err == nil && (t.Deleted || t.Hidden) {
		// Feeds are public: a hidden thread has none, even for staff.
		e.web.NotFound(w, r)
		return
	}
	if err != nil {
		e.web.ServerError(w, r, err)
		return
	}
	rows, err := e.feedRows(r.Context(), " and t.id = ? order by p.number desc limit ?", t.ID, feedPosts)
	if err != nil {
		e.web.ServerError(w, r, err)
		return
	}
	self := fmt.Sprintf("%s/t/%d/feed.atom", e.baseURL, t.ID)
	f := atomFeed{ID: self, Title: t.Title, Links: feedLinks(self, e.baseURL+t.URL())}
	for _, row := range rows {
		title := t.Title
		if row.number > 1 {
			title = fmt.Sprintf("Reply #%d to %s", row.number-1, t.Title)
			if row.author != "" {
				title = fmt.Sprintf("%s replied to %s", row.author, t.Title)
			}
		}
		f.Entries = append(f.Entries, e.entry(row, fmt.Sprintf("%s/p/%d", e.baseURL, row.postID), title,
			fmt.Sprintf("%s/p/%d", e.baseURL, row.postID)))
	}
	updated := latest(rows)
	if updated.IsZero() {
		updated = t.CreatedAt
	}
	e.writeFeed(w, r, f, updated)
}
