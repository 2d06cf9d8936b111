package forum

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"stoa/views"
	"stoa/web"
)

// ChatHit is a public chat message that matches a search. Snippet is the message's text
// with each match between the characters \x02 and \x03, as FTS5's snippet() marks them
// with char(2) and char(3); the search page escapes it and turns the marks into <mark>.
type ChatHit struct {
	URL       string
	Room      string
	RoomURL   string
	Author    string // "" once the author's account is gone
	Snippet   string
	CreatedAt time.Time
}

// ChatSearch finds public chat messages for match, an FTS5 query made by ParseSearch,
// written by author when author is not "", best match first. It returns one page and the
// number of matches. Chat implements it; the server adapts it, since forum and chat do
// not know each other.
type ChatSearch func(ctx context.Context, match, author string, limit, offset int) ([]ChatHit, int, error)

// Search serves the search page: forum posts, and public chat messages in its chat tab.
type Search struct {
	store    *Store
	index    *searchIndex
	accounts Accounts
	chat     ChatSearch
	web      *web.Responder
}

func cleanParam(r *http.Request, name string, max int) string {
	v := strings.TrimSpace(strings.ToValidUTF8(r.URL.Query().Get(name), ""))
	if len(v) > max {
		v = strings.ToValidUTF8(v[:max], "")
	}
	return v
}

func (s *Search) page(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := SearchQuery{Text: cleanParam(r, "q", maxQueryBytes), Category: cleanParam(r, "category", 64),
		Author: strings.TrimPrefix(cleanParam(r, "author", 40), "@"), Page: web.PageNumber(r)}
	d := views.SearchData{Query: q.Text, Category: q.Category, Author: q.Author, Tab: "forum"}
	if r.URL.Query().Get("in") == "chat" {
		d.Tab = "chat"
	}
	params := url.Values{"q": {q.Text}}
	if q.Author != "" {
		params.Set("author", q.Author)
	}
	d.ForumURL = "/search?" + params.Encode()
	chat := url.Values{"q": {q.Text}, "in": {"chat"}}
	if q.Author != "" {
		chat.Set("author", q.Author)
	}
	d.ChatURL = "/search?" + chat.Encode()
	cats, err := s.store.Categories(ctx)
	if err != nil {
		s.web.ServerError(w, r, err)
		return
	}
	for _, c := range cats {
		d.Categories = append(d.Categories, views.CategoryOption{Slug: c.Slug, Name: c.Name, Current: c.Slug == q.Category})
	}
	match, ok := ParseSearch(q.Text)
	switch {
	case q.Text == "" && q.Author == "":
		// The empty form.
	case !ok && q.Author != "":
		d.Message = fmt.Sprintf("Type a word to search for. To see what %s posted lately, open their profile.", q.Author)
	case !ok:
		d.Message = "Type a word to search for: punctuation alone finds nothing."
	default:
		d.Searched = true
		if d.Tab == "chat" {
			err = s.searchChat(ctx, match, q, &d)
		} else {
			err = s.searchForum(ctx, q, &d)
		}
	}
	if err != nil {
		s.web.ServerError(w, r, err)
		return
	}
	if d.Searched {
		if d.Tab == "chat" {
			params.Set("in", "chat")
		} else if q.Category != "" {
			params.Set("category", q.Category)
		}
		d.Pager = resultPager(params, q.Page, d.Total)
		if d.Total == 0 {
			d.Message = s.noResults(ctx, q, d.Tab)
		}
	}
	title := "Search"
	if q.Text != "" {
		title = "Search: " + q.Text
	}
	s.web.Render(w, r, http.StatusOK, views.Search(s.web.Page(r, title, "search"), d))
}

func (s *Search) searchForum(ctx context.Context, q SearchQuery, d *views.SearchData) error {
	hits, total, err := s.Find(ctx, q)
	if err != nil {
		return err
	}
	d.Total = total
	for _, h := range hits {
		d.Hits = append(d.Hits, views.SearchHit{URL: fmt.Sprintf("/p/%d", h.PostID), TitleHTML: h.TitleHTML,
			SnippetHTML: h.SnippetHTML, Author: h.Author, AuthorURL: profileURL(h.Author),
			Where: h.Category, WhereURL: "/c/" + h.CategorySlug, CreatedAt: h.CreatedAt})
	}
	return nil
}

func (s *Search) searchChat(ctx context.Context, match string, q SearchQuery, d *views.SearchData) error {
	page := max(q.Page, 1)
	hits, total, err := s.chat(ctx, match, q.Author, SearchPerPage, (page-1)*SearchPerPage)
	if err != nil {
		return err
	}
	d.Total = total
	for _, h := range hits {
		author := h.Author
		if author == "" {
			author = "former-member"
		}
		d.Hits = append(d.Hits, views.SearchHit{URL: h.URL, TitleHTML: markMatches("#" + h.Room),
			SnippetHTML: markMatches(h.Snippet), Author: author, AuthorURL: profileURL(h.Author),
			Where: h.Room, WhereURL: h.RoomURL, CreatedAt: h.CreatedAt})
	}
	return nil
}

func profileURL(name string) string {
	if name == "" || name == "former-member" {
		return ""
	}
	return "/u/" + url.PathEscape(name)
}

// Find finds visible posts matching q, best match first: a match in a thread's title
// weighs ten times one in a post's text. Hidden and deleted posts, and posts in hidden or
// deleted threads, never match. It returns one page of hits and the number of matches.
func (s *Search) Find(ctx context.Context, q SearchQuery) ([]SearchHit, int, error) {
	match, ok := ParseSearch(q.Text)
	if !ok {
		return nil, 0, nil
	}
	if err := s.index.upToDate(ctx); err != nil {
		return nil, 0, err
	}
	page := max(q.Page, 1)
	return s.store.searchHits(ctx, match, q.Category, q.Author, SearchPerPage, (page-1)*SearchPerPage)
}

// noResults explains an empty result, pointing at a filter that may be the cause.
func (s *Search) noResults(ctx context.Context, q SearchQuery, tab string) string {
	if q.Author != "" {
		if _, err := s.accounts.ByUsername(ctx, q.Author); err != nil {
			return fmt.Sprintf("No member is called “%s”. Check the name in the Author filter, or clear it.", q.Author)
		}
	}
	if q.Category != "" && tab != "chat" {
		return "Nothing matches in this category. Try all categories, fewer words, or word* to match word beginnings."
	}
	return "Nothing matches. Try fewer or different words, or word* to match word beginnings."
}

func resultPager(params url.Values, page, total int) views.Pager {
	pages := max(1, (total+SearchPerPage-1)/SearchPerPage)
	p := views.Pager{Page: page, Pages: pages}
	link := func(n int) string {
		v := url.Values{}
		for k, vs := range params {
			v[k] = vs
		}
		v.Set("page", fmt.Sprint(n))
		return "/search?" + v.Encode()
	}
	if page > 1 {
		p.PrevURL = link(min(page-1, pages))
	}
	if page < pages {
		p.NextURL = link(page + 1)
	}
	return p
}
