package forum

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"stoa/ratelimit"
	"stoa/storage"
	"stoa/views"
	"stoa/web"
)

// ChatHit is a public chat message that matches a search. Text is the message's plain
// text, which the search page quotes around the first match.
type ChatHit struct {
	URL       string
	Room      string
	RoomURL   string
	Author    string // "" once the author's account is gone
	Text      string
	CreatedAt time.Time
}

// ChatSearch finds public chat messages for q (its FTS5 form made by ParseSearch),
// written by author when author is not "": the best matches among the newest candidates
// matching messages. It returns one page and how many of the candidates matched. Chat
// implements it; the server adapts it, since forum and chat do not know each other.
type ChatSearch func(ctx context.Context, q storage.TextQuery, author string, candidates, limit, offset int) ([]ChatHit, int, error)

// What one search may cost, and how many may run. Every search holds a read connection
// while it runs; the readers are shared with every page, so searches may take only some of
// them, and a search that cannot get a slot soon is told to try again rather than queue.
const (
	// SearchCandidates is how many of the newest matches a search ranks: a word found in
	// every post costs no more than this many.
	SearchCandidates = 1000
	// SearchTimeout bounds one search's queries.
	SearchTimeout = 3 * time.Second
	// SearchSlots is how many searches run at once (the readers number at least four).
	SearchSlots = 2
	// searchSlotWait is how long a search waits for a slot before it is told to retry.
	searchSlotWait = time.Second
	// SearchBurst searches per client, then one per SearchEvery.
	SearchBurst = 20
	SearchEvery = 3 * time.Second
)

// Why a search did not run; the search page shows the message above its form.
var (
	ErrSearchBusy = &web.Error{Status: http.StatusServiceUnavailable, RetryAfter: 5 * time.Second,
		Message: "Many searches are running right now. Search again in a few seconds."}
	ErrSearchTooFast = &web.Error{Status: http.StatusTooManyRequests, RetryAfter: SearchEvery,
		Message: "You are searching very quickly. Wait a few seconds, then search again."}
	ErrSearchTooSlow = &web.Error{Status: http.StatusServiceUnavailable,
		Message: "This search took too long. Add words, or choose a category or an author, to narrow it."}
)

// Search serves the search page: forum posts, and public chat messages in its chat tab.
type Search struct {
	store    *Store
	index    *searchIndex
	accounts Accounts
	chat     ChatSearch
	web      *web.Responder
	// slots holds a token for each search running; limit paces each client (nil: not
	// limited, for load tests).
	slots      chan struct{}
	limit      *ratelimit.Keyed
	candidates int
}

func newSearch(store *Store, index *searchIndex, o Options) *Search {
	s := &Search{store: store, index: index, accounts: o.Accounts, chat: o.ChatSearch, web: o.Web,
		slots: make(chan struct{}, SearchSlots), candidates: SearchCandidates}
	if !o.NoRateLimits {
		s.limit = ratelimit.New(SearchEvery, SearchBurst)
	}
	return s
}

// begin takes a slot for one search, waiting a little for one; done gives it back.
func (s *Search) begin(ctx context.Context) (done func(), err error) {
	t := time.NewTimer(searchSlotWait)
	defer t.Stop()
	select {
	case s.slots <- struct{}{}:
		return func() { <-s.slots }, nil
	case <-t.C:
		return nil, ErrSearchBusy
	case <-ctx.Done():
		return nil, ctx.Err()
	}
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
	status := http.StatusOK
	switch {
	case q.Text == "" && q.Author == "":
		// The empty form.
	case !ok && q.Author != "":
		d.Message = fmt.Sprintf("Type a word to search for. To see what %s posted lately, open their profile.", q.Author)
	case !ok:
		d.Message = "Type a word to search for: punctuation alone finds nothing."
	default:
		if s.limit != nil && !s.limit.Allow(s.web.ClientKey(r)) {
			err = ErrSearchTooFast
			break
		}
		d.Searched = true
		if d.Tab == "chat" {
			err = s.searchChat(ctx, storage.TextQuery{FTS5: match, Typed: q.Text}, q, &d)
		} else {
			err = s.searchForum(ctx, q, &d)
		}
	}
	if e := web.AsError(err); e != nil && e.Status != http.StatusNotFound {
		// Busy, too fast or too slow: the form stays, with what to do next.
		d.Searched, d.Message, status = false, e.Message, e.Status
		if e.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(e.RetryAfter/time.Second)))
		}
	} else if err != nil {
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
	s.web.Render(w, r, status, views.Search(s.web.Page(r, title, "search"), d))
}

func (s *Search) searchForum(ctx context.Context, q SearchQuery, d *views.SearchData) error {
	hits, total, err := s.Find(ctx, q)
	if err != nil {
		return err
	}
	d.Total, d.More = total, total >= s.candidates
	for _, h := range hits {
		d.Hits = append(d.Hits, views.SearchHit{URL: fmt.Sprintf("/p/%d", h.PostID), TitleHTML: h.TitleHTML,
			SnippetHTML: h.SnippetHTML, Author: h.Author, AuthorURL: profileURL(h.Author),
			Where: h.Category, WhereURL: "/c/" + h.CategorySlug, CreatedAt: h.CreatedAt})
	}
	return nil
}

func (s *Search) searchChat(ctx context.Context, match storage.TextQuery, q SearchQuery, d *views.SearchData) error {
	done, err := s.begin(ctx)
	if err != nil {
		return err
	}
	defer done()
	ctx, cancel := context.WithTimeout(ctx, SearchTimeout)
	defer cancel()
	page := max(q.Page, 1)
	hits, total, err := s.chat(ctx, match, q.Author, s.candidates, SearchPerPage, (page-1)*SearchPerPage)
	if err != nil {
		return searchFailed(ctx, err)
	}
	d.Total, d.More = total, total >= s.candidates
	phrases := markPhrases(q.Text)
	for _, h := range hits {
		author := h.Author
		if author == "" {
			author = "former-member"
		}
		d.Hits = append(d.Hits, views.SearchHit{URL: h.URL, TitleHTML: markMatches("#" + h.Room),
			SnippetHTML: markMatches(markedSnippet(h.Text, phrases)), Author: author, AuthorURL: profileURL(h.Author),
			Where: h.Room, WhereURL: h.RoomURL, CreatedAt: h.CreatedAt})
	}
	return nil
}

// searchFailed turns a search cut off by its deadline into the message that says so.
func searchFailed(ctx context.Context, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return ErrSearchTooSlow.Because(err)
	}
	return err
}

func profileURL(name string) string {
	if name == "" || name == "former-member" {
		return ""
	}
	return "/u/" + url.PathEscape(name)
}

// Find finds visible posts matching q, best match first: a match in a thread's title
// weighs ten times one in a post's text. Hidden and deleted posts, and posts in hidden or
// deleted threads, never match. Only the newest SearchCandidates matches are ranked. It
// returns one page of hits and how many of the candidates matched. At most SearchSlots
// searches run at once, each for at most SearchTimeout; beyond that it returns
// ErrSearchBusy or ErrSearchTooSlow.
func (s *Search) Find(ctx context.Context, q SearchQuery) ([]SearchHit, int, error) {
	match, ok := ParseSearch(q.Text)
	if !ok {
		return nil, 0, nil
	}
	done, err := s.begin(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer done()
	ctx, cancel := context.WithTimeout(ctx, SearchTimeout)
	defer cancel()
	if err := s.index.upToDate(ctx); err != nil {
		return nil, 0, searchFailed(ctx, err)
	}
	page := max(q.Page, 1)
	hits, total, err := s.store.searchHits(ctx, match, q.Category, q.Author, s.candidates, SearchPerPage, (page-1)*SearchPerPage)
	if err != nil {
		return nil, 0, searchFailed(ctx, err)
	}
	phrases := markPhrases(q.Text)
	for i := range hits {
		h := &hits[i]
		text, err := s.store.searchText(ctx, h.PostID)
		if err != nil {
			return nil, 0, searchFailed(ctx, err)
		}
		h.TitleHTML = markMatches(h.Title)
		if h.Number == 1 {
			h.TitleHTML = markMatches(markedTitle(h.Title, phrases))
		}
		h.SnippetHTML = markMatches(markedSnippet(text, phrases))
	}
	return hits, total, nil
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
