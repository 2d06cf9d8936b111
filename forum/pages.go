package forum

import (
	"fmt"
	"net/http"

	"stoa/account"
	"stoa/views"
	"stoa/web"
)

// Pages serves what readers see: the home page, categories, threads, profiles, and
// earlier versions of posts for staff.
type Pages struct {
	svc       *Service
	store     *Store
	gen       func() uint64 // says whether a kept page is current: it moves with every commit on any node
	accounts  Accounts
	web       *web.Responder
	cache     *pageCache // rendered thread pages for anonymous readers
	reactions *Reactions
	watches   *Watches
	unread    *Unread
}

const threadsPerPage = 30

func (h *Pages) home(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := account.UserFrom(ctx)
	cats, err := h.store.Categories(ctx)
	if err != nil {
		h.web.ServerError(w, r, err)
		return
	}
	threads, _, err := h.store.Threads(ctx, ThreadFilter{Limit: 30})
	if err != nil {
		h.web.ServerError(w, r, err)
		return
	}
	byID := map[int64]Category{}
	d := views.HomeData{CanPost: h.canPost(r, u)}
	for _, c := range cats {
		byID[c.ID] = c
		d.Categories = append(d.Categories, categoryItem(&c))
	}
	for _, t := range threads {
		c := byID[t.CategoryID]
		item := threadItem(t)
		item.Category, item.CategoryURL = c.Name, "/c/"+c.Slug
		d.Latest = append(d.Latest, item)
	}
	h.unread.mark(ctx, u, d.Latest)
	p := h.web.Page(r, "", "forum")
	p.Feed = "/feed.atom"
	h.web.Render(w, r, http.StatusOK, views.Home(p, d))
}

func (h *Pages) category(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := account.UserFrom(ctx)
	c, err := h.store.CategoryBySlug(ctx, r.PathValue("slug"))
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	page := web.PageNumber(r)
	threads, total, err := h.store.Threads(ctx, ThreadFilter{CategoryID: c.ID, Limit: threadsPerPage, Offset: (page - 1) * threadsPerPage})
	if err != nil {
		h.web.ServerError(w, r, err)
		return
	}
	d := views.CategoryData{Category: categoryItem(c), CanPost: h.canPost(r, u), Pager: pager(r.URL.Path, page, total, threadsPerPage)}
	for _, t := range threads {
		d.Threads = append(d.Threads, threadItem(t))
	}
	h.unread.mark(ctx, u, d.Threads)
	p := h.web.Page(r, c.Name, "forum")
	p.Feed = "/c/" + c.Slug + "/feed.atom"
	h.web.Render(w, r, http.StatusOK, views.Category(p, d))
}

// canPost says whether to offer u the composer.
func (h *Pages) canPost(r *http.Request, u *account.User) bool {
	return u != nil && h.svc.CanPost(r.Context(), u) == nil
}

func categoryItem(c *Category) views.CategoryItem {
	return views.CategoryItem{Slug: c.Slug, Name: c.Name, Description: c.Description, Threads: c.Threads, Posts: c.Posts}
}

func threadItem(t *Thread) views.ThreadItem {
	return views.ThreadItem{ID: t.ID, URL: t.URL(), Title: t.Title, Author: t.Author, Replies: t.PostCount - 1,
		LastPostAt: t.LastPostAt, Pinned: t.Pinned, Locked: t.Locked}
}

func pager(path string, page, total, per int) views.Pager {
	pages := max(1, (total+per-1)/per)
	p := views.Pager{Page: page, Pages: pages}
	if page > 1 {
		p.PrevURL = fmt.Sprintf("%s?page=%d", path, page-1)
	}
	if page < pages {
		p.NextURL = fmt.Sprintf("%s?page=%d", path, page+1)
	}
	return p
}

// loadThread is how every handler finds the thread in its address: the thread the
// member may see, or a 404 (answered here, ok false) for a bad id, a missing thread,
// a deleted one or one hidden from them.
func loadThread(svc *Service, x *web.Responder, w http.ResponseWriter, r *http.Request) (*Thread, bool) {
	id, ok := web.PathID(r, "id")
	if !ok {
		x.NotFound(w, r)
		return nil, false
	}
	t, err := svc.Thread(r.Context(), account.UserFrom(r.Context()), id)
	if err != nil {
		x.Fail(w, r, err)
		return nil, false
	}
	return t, true
}

// loadPost is loadThread for the post in the address, with its thread.
func loadPost(svc *Service, x *web.Responder, w http.ResponseWriter, r *http.Request) (*Post, *Thread, bool) {
	id, ok := web.PathID(r, "id")
	if !ok {
		x.NotFound(w, r)
		return nil, nil, false
	}
	p, t, err := svc.Post(r.Context(), account.UserFrom(r.Context()), id)
	if err != nil {
		x.Fail(w, r, err)
		return nil, nil, false
	}
	return p, t, true
}

func (h *Pages) postLink(w http.ResponseWriter, r *http.Request) {
	p, t, ok := loadPost(h.svc, h.web, w, r)
	if !ok {
		return
	}
	http.Redirect(w, r, postURL(t, p), http.StatusFound)
}

// postURL is the address of the thread page that shows p, anchored at it; see
// Store.LastNumber for why its number says which page that is.
func postURL(t *Thread, p *Post) string {
	page := (p.Number-1)/PostsPerPage + 1
	if page == 1 {
		return fmt.Sprintf("%s#p%d", t.URL(), p.ID)
	}
	return fmt.Sprintf("%s?page=%d#p%d", t.URL(), page, p.ID)
}

func (h *Pages) revisions(w http.ResponseWriter, r *http.Request, u *account.User) {
	p, t, ok := loadPost(h.svc, h.web, w, r)
	if !ok {
		return
	}
	revs, err := h.store.Revisions(r.Context(), p.ID)
	if err != nil {
		h.web.ServerError(w, r, err)
		return
	}
	var out []views.Revision
	for _, rv := range revs {
		out = append(out, views.Revision{HTML: rv.HTML, CreatedAt: rv.CreatedAt.Format("2 Jan 2006 15:04 UTC")})
	}
	h.web.Render(w, r, http.StatusOK, views.Revisions(h.web.Page(r, "Earlier versions", "forum"), postURL(t, p), out))
}

func (h *Pages) profile(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	member, err := h.accounts.ByUsername(ctx, r.PathValue("name"))
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	posts, threads, err := h.store.UserPosts(ctx, member.ID, 30)
	if err != nil {
		h.web.ServerError(w, r, err)
		return
	}
	d := views.ProfileData{Username: member.Username, DisplayName: member.DisplayName, Role: string(member.Role),
		Joined: member.CreatedAt.Format("January 2006")}
	viewer := account.UserFrom(ctx)
	d.CanReport = viewer != nil && viewer.ID != member.ID
	d.Staff = viewer.IsStaff()
	for i, p := range posts {
		d.Posts = append(d.Posts, views.ProfilePost{URL: fmt.Sprintf("/p/%d", p.ID), ThreadTitle: threads[i].Title,
			HTML: p.HTML, CreatedAt: p.CreatedAt})
	}
	h.web.Render(w, r, http.StatusOK, views.Profile(h.web.Page(r, member.Username, "forum"), d))
}
