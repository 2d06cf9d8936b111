package forum

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"stoa/account"
	"stoa/storage"
	"stoa/views"
	"stoa/web"
)

// Handlers serves the forum's pages.
type Handlers struct {
	svc      *Service
	accounts *account.Store
	web      *web.Responder
	pages    *pageCache // rendered thread pages for anonymous readers
}

// NewHandlers returns the forum's HTTP handlers.
func NewHandlers(svc *Service, accounts *account.Store, w *web.Responder) *Handlers {
	return &Handlers{svc: svc, accounts: accounts, web: w, pages: newPageCache()}
}

// Routes mounts the forum's pages.
func (h *Handlers) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", h.home)
	mux.HandleFunc("GET /c/{slug}", h.category)
	mux.HandleFunc("GET /c/{slug}/new", h.composer)
	mux.HandleFunc("POST /c/{slug}/new", h.createThread)
	mux.HandleFunc("GET /t/{id}", h.thread)
	mux.HandleFunc("GET /t/{id}/{slug}", h.thread)
	mux.HandleFunc("POST /t/{id}/reply", h.reply)
	mux.HandleFunc("GET /p/{id}", h.postLink)
	mux.HandleFunc("GET /p/{id}/edit", h.editForm)
	mux.HandleFunc("POST /p/{id}/edit", h.edit)
	mux.HandleFunc("POST /p/{id}/delete", h.delete)
	mux.HandleFunc("GET /p/{id}/revisions", h.revisions)
	mux.HandleFunc("GET /u/{name}", h.profile)
	mux.HandleFunc("GET /admin/categories", h.adminCategories)
	mux.HandleFunc("POST /admin/categories", h.saveCategory)
}

func (h *Handlers) canPost(r *http.Request, u *account.User) bool {
	return u != nil && h.svc.restrictions.CanPost(r.Context(), u.ID) == nil
}

func (h *Handlers) home(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	cats, err := h.svc.store.Categories(ctx)
	if err != nil {
		h.web.ServerError(w, r, err)
		return
	}
	threads, _, err := h.svc.store.Threads(ctx, ThreadFilter{Limit: 30})
	if err != nil {
		h.web.ServerError(w, r, err)
		return
	}
	byID := map[int64]Category{}
	d := views.HomeData{CanPost: h.canPost(r, account.UserFrom(ctx))}
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
	h.svc.ext.markUnread(ctx, account.UserFrom(ctx), d.Latest)
	p := h.web.Page(r, "", "forum")
	p.Feed = "/feed.atom"
	h.web.Render(w, r, http.StatusOK, views.Home(p, d))
}

func categoryItem(c *Category) views.CategoryItem {
	return views.CategoryItem{Slug: c.Slug, Name: c.Name, Description: c.Description, Threads: c.Threads, Posts: c.Posts}
}

func threadItem(t *Thread) views.ThreadItem {
	return views.ThreadItem{ID: t.ID, URL: t.URL(), Title: t.Title, Author: t.Author, Replies: t.PostCount - 1,
		LastPostAt: t.LastPostAt, Pinned: t.Pinned, Locked: t.Locked}
}

const threadsPerPage = 30

func (h *Handlers) category(w http.ResponseWriter, r *http.Request) {
	c, ok := h.loadCategory(w, r)
	if !ok {
		return
	}
	page := web.PageNumber(r)
	threads, total, err := h.svc.store.Threads(r.Context(), ThreadFilter{CategoryID: c.ID, Limit: threadsPerPage, Offset: (page - 1) * threadsPerPage})
	if err != nil {
		h.web.ServerError(w, r, err)
		return
	}
	d := views.CategoryData{Category: categoryItem(c), CanPost: h.canPost(r, account.UserFrom(r.Context())),
		Pager: pager(r.URL.Path, page, total, threadsPerPage)}
	for _, t := range threads {
		d.Threads = append(d.Threads, threadItem(t))
	}
	h.svc.ext.markUnread(r.Context(), account.UserFrom(r.Context()), d.Threads)
	p := h.web.Page(r, c.Name, "forum")
	p.Feed = "/c/" + c.Slug + "/feed.atom"
	h.web.Render(w, r, http.StatusOK, views.Category(p, d))
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

func (h *Handlers) loadCategory(w http.ResponseWriter, r *http.Request) (*Category, bool) {
	c, err := h.svc.store.CategoryBySlug(r.Context(), r.PathValue("slug"))
	if errors.Is(err, storage.ErrNotFound) {
		h.web.NotFound(w, r)
		return nil, false
	}
	if err != nil {
		h.web.ServerError(w, r, err)
		return nil, false
	}
	return c, true
}

// requirePoster returns the logged-in member who may post, or answers for them.
func (h *Handlers) requirePoster(w http.ResponseWriter, r *http.Request) (*account.User, bool) {
	u := account.UserFrom(r.Context())
	if u == nil {
		web.RequireLogin(w, r)
		return nil, false
	}
	if err := h.svc.restrictions.CanPost(r.Context(), u.ID); err != nil {
		h.web.Forbidden(w, r, err.Error())
		return nil, false
	}
	return u, true
}

// posterForm checks that the member may post and reads their form, or answers for them.
func (h *Handlers) posterForm(w http.ResponseWriter, r *http.Request) (*account.User, bool) {
	u, ok := h.requirePoster(w, r)
	if !ok {
		return nil, false
	}
	if err := web.ParseForm(w, r); err != nil {
		h.web.BadInput(w, r, err)
		return nil, false
	}
	return u, true
}

func (h *Handlers) composer(w http.ResponseWriter, r *http.Request) {
	c, ok := h.loadCategory(w, r)
	if !ok {
		return
	}
	if _, ok := h.requirePoster(w, r); !ok {
		return
	}
	d := views.ComposerData{Category: categoryItem(c), Token: account.NewToken()}
	h.web.Render(w, r, http.StatusOK, views.Composer(h.web.Page(r, "New thread", "forum"), d))
}

func (h *Handlers) createThread(w http.ResponseWriter, r *http.Request) {
	c, ok := h.loadCategory(w, r)
	if !ok {
		return
	}
	u, ok := h.posterForm(w, r)
	if !ok {
		return
	}
	in := NewThread{CategoryID: c.ID, Title: r.PostFormValue("title"), Body: r.PostFormValue("body"),
		Token: r.PostFormValue("token"), Confirm: r.PostFormValue("confirm") == "1"}
	t, err := h.svc.CreateThread(r.Context(), u, in)
	if err == nil {
		http.Redirect(w, r, t.URL(), http.StatusSeeOther)
		return
	}
	d := views.ComposerData{Category: categoryItem(c), Title: in.Title, Body: in.Body, Token: in.Token}
	status, ok := h.formError(w, r, err, &d.Errors, &d.Hold)
	if !ok {
		return
	}
	h.web.Render(w, r, status, views.Composer(h.web.Page(r, "New thread", "forum"), d))
}

// formError turns a service error into form state, or answers itself and returns false.
func (h *Handlers) formError(w http.ResponseWriter, r *http.Request, err error, fields *views.FieldError, held **views.Hold) (int, bool) {
	var input *InputError
	var hold *HoldError
	switch {
	case errors.As(err, &input):
		*fields = input.Fields
		return http.StatusUnprocessableEntity, true
	case errors.As(err, &hold):
		*held = &views.Hold{Findings: hold.Findings}
		return http.StatusOK, true
	case errors.Is(err, ErrLocked), errors.Is(err, ErrForbidden):
		*fields = views.FieldError{"form": err.Error()}
		return http.StatusForbidden, true
	case errors.Is(err, ErrTooFast):
		*fields = views.FieldError{"form": err.Error()}
		w.Header().Set("Retry-After", strconv.Itoa(int(PostEvery/time.Second)))
		return http.StatusTooManyRequests, true
	case errors.Is(err, storage.ErrNotFound):
		h.web.NotFound(w, r)
		return 0, false
	}
	if restriction := h.svc.restrictions.CanPost(r.Context(), account.UserFrom(r.Context()).ID); restriction != nil {
		*fields = views.FieldError{"form": restriction.Error()}
		return http.StatusForbidden, true
	}
	h.web.ServerError(w, r, err)
	return 0, false
}

func pathID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

func (h *Handlers) loadThread(w http.ResponseWriter, r *http.Request) (*Thread, bool) {
	id, ok := pathID(r)
	if !ok {
		h.web.NotFound(w, r)
		return nil, false
	}
	t, err := h.svc.store.ThreadByID(r.Context(), id)
	if errors.Is(err, storage.ErrNotFound) || err == nil && (t.Deleted || t.Hidden && !account.UserFrom(r.Context()).IsStaff()) {
		h.web.NotFound(w, r)
		return nil, false
	}
	if err != nil {
		h.web.ServerError(w, r, err)
		return nil, false
	}
	return t, true
}

// pageSlot is where a thread page rendered for an anonymous reader is kept: its key, and
// the generation and time read before any of its data.
type pageSlot struct {
	key pageKey
	gen uint64
	at  time.Time
}
