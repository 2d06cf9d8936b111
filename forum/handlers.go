package forum

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"

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

func (h *Handlers) thread(w http.ResponseWriter, r *http.Request) {
	var slot *pageSlot
	if account.UserFrom(r.Context()) == nil {
		if key, ok := threadPageKey(r); ok {
			// The generation first: data read after it is at least as new as it says.
			gen := h.svc.db.Generation()
			if e := h.pages.get(key, gen); e != nil {
				e.write(w)
				return
			}
			slot = &pageSlot{key: key, gen: gen, at: h.pages.now()}
		}
	}
	t, ok := h.loadThread(w, r)
	if !ok {
		return
	}
	if r.PathValue("slug") != t.Slug {
		target := t.URL()
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, target, http.StatusMovedPermanently)
		return
	}
	u := account.UserFrom(r.Context())
	reply := views.ReplyForm{Token: account.NewToken()}
	if q, err := strconv.ParseInt(r.URL.Query().Get("quote"), 10, 64); err == nil && u != nil {
		if p, err := h.svc.store.PostByID(r.Context(), q); err == nil && p.ThreadID == t.ID && !p.Deleted && !p.Hidden {
			reply.Body = Quote(p.Author, p.Source)
		}
	}
	h.renderThread(w, r, t, http.StatusOK, reply, false, slot)
}

// Quote returns Markdown that quotes a post, for quote-reply.
func Quote(author, source string) string {
	lines := strings.Split(strings.TrimSpace(source), "\n")
	var b strings.Builder
	b.WriteString("@" + author + " wrote:\n")
	for _, l := range lines {
		b.WriteString("> " + l + "\n")
	}
	b.WriteString("\n")
	return b.String()
}

// renderThread shows a thread page; lastPage shows the page with the reply form's
// latest context (after a failed reply). A page for an anonymous reader is kept in slot
// when slot is not nil.
func (h *Handlers) renderThread(w http.ResponseWriter, r *http.Request, t *Thread, status int, reply views.ReplyForm, lastPage bool, slot *pageSlot) {
	ctx := r.Context()
	u := account.UserFrom(ctx)
	c, err := h.svc.store.CategoryByID(ctx, t.CategoryID)
	if err != nil {
		h.web.ServerError(w, r, err)
		return
	}
	// Count rows, not post_count: deleted posts still take their place in the order.
	var rowsTotal int
	if err := h.svc.db.QueryRow(ctx, "select count(*) from posts where thread_id = ?", t.ID).Scan(&rowsTotal); err != nil {
		h.web.ServerError(w, r, err)
		return
	}
	pages := max(1, (rowsTotal+PostsPerPage-1)/PostsPerPage)
	page := min(web.PageNumber(r), pages)
	if lastPage || r.URL.Query().Get("page") == "last" {
		page = pages
	}
	posts, err := h.svc.store.Posts(ctx, t.ID, PostsPerPage, (page-1)*PostsPerPage)
	if err != nil {
		h.web.ServerError(w, r, err)
		return
	}
	if u.IsStaff() {
		// Only staff see how many earlier versions a post has.
		if err := h.svc.store.addRevisionCounts(ctx, t.ID, PostsPerPage, (page-1)*PostsPerPage, posts); err != nil {
			h.web.ServerError(w, r, err)
			return
		}
	}
	d := views.ThreadData{ID: t.ID, Title: t.Title, URL: t.URL(), Category: categoryItem(c), Author: t.Author,
		Locked: t.Locked, Pinned: t.Pinned, Pager: pager(t.URL(), page, rowsTotal, PostsPerPage), Reply: reply, Staff: u.IsStaff()}
	for _, p := range posts {
		d.Posts = append(d.Posts, h.postView(u, p, t))
	}
	switch {
	case u == nil:
		d.ReplyReason = "Log in or create an account to reply. Reading needs no account and sets no cookie."
	case t.Locked && !u.IsStaff():
		d.ReplyReason = "This thread is closed: new replies are not accepted."
	default:
		if err := h.svc.restrictions.CanPost(ctx, u.ID); err != nil {
			d.ReplyReason = err.Error()
		} else {
			d.CanReply = true
		}
	}
	if err := h.svc.ext.threadPage(ctx, u, t, &d); err != nil {
		h.web.ServerError(w, r, err)
		return
	}
	p := h.web.Page(r, t.Title, "forum")
	p.Feed = fmt.Sprintf("/t/%d/feed.atom", t.ID)
	view := views.Thread(p, d)
	if slot == nil || u != nil || status != http.StatusOK {
		h.web.Render(w, r, status, view)
		return
	}
	var buf bytes.Buffer
	if err := view.Render(ctx, &buf); err != nil {
		h.web.ServerError(w, r, err)
		return
	}
	e := &cachedPage{body: buf.Bytes(), length: strconv.Itoa(buf.Len())}
	// A page that carries this request's CSP nonce (a script added to the template) is
	// this reader's alone: never keep it.
	if nonce := templ.GetNonce(ctx); nonce == "" || !bytes.Contains(e.body, []byte(nonce)) {
		h.pages.put(slot.key, slot.gen, slot.at, e.body)
	}
	e.write(w)
}

func (h *Handlers) postView(u *account.User, p *Post, t *Thread) views.Post {
	v := views.Post{ID: p.ID, Number: p.Number, Anchor: fmt.Sprintf("p%d", p.ID), Author: p.Author,
		AuthorURL: "/u/" + p.Author, HTML: p.HTML, CreatedAt: p.CreatedAt, EditedAt: p.EditedAt,
		Deleted: p.Deleted, Hidden: p.Hidden}
	if p.Hidden && !(u.IsStaff() || u != nil && u.ID == p.AuthorID) {
		v.HTML = ""
	}
	if p.Deleted {
		return v
	}
	v.CanEdit = CanEdit(u, p, t)
	v.CanDelete = u != nil && (u.ID == p.AuthorID || u.IsStaff())
	v.CanReport = u != nil && u.ID != p.AuthorID
	if u.IsStaff() {
		v.Revisions = p.Revisions
	}
	if u != nil && !t.Locked && !p.Hidden {
		v.QuoteURL = fmt.Sprintf("%s?page=last&quote=%d#reply", t.URL(), p.ID)
	}
	return v
}

func (h *Handlers) reply(w http.ResponseWriter, r *http.Request) {
	t, ok := h.loadThread(w, r)
	if !ok {
		return
	}
	u, ok := h.posterForm(w, r)
	if !ok {
		return
	}
	in := NewReply{ThreadID: t.ID, Body: r.PostFormValue("body"), Token: r.PostFormValue("token"), Confirm: r.PostFormValue("confirm") == "1"}
	p, err := h.svc.Reply(r.Context(), u, in)
	if err == nil {
		http.Redirect(w, r, h.postURL(r, t, p), http.StatusSeeOther)
		return
	}
	form := views.ReplyForm{Body: in.Body, Token: in.Token}
	status, ok := h.formError(w, r, err, &form.Errors, &form.Hold)
	if !ok {
		return
	}
	h.renderThread(w, r, t, status, form, true, nil)
}

// postURL is the address of the thread page that shows p, anchored at it.
func (h *Handlers) postURL(r *http.Request, t *Thread, p *Post) string {
	var before int
	h.svc.db.QueryRow(r.Context(), "select count(*) from posts where thread_id = ? and number < ?", t.ID, p.Number).Scan(&before)
	page := before/PostsPerPage + 1
	if page == 1 {
		return fmt.Sprintf("%s#p%d", t.URL(), p.ID)
	}
	return fmt.Sprintf("%s?page=%d#p%d", t.URL(), page, p.ID)
}

func (h *Handlers) loadPost(w http.ResponseWriter, r *http.Request) (*Post, *Thread, bool) {
	id, ok := pathID(r)
	if !ok {
		h.web.NotFound(w, r)
		return nil, nil, false
	}
	p, err := h.svc.store.PostByID(r.Context(), id)
	if err == nil {
		var t *Thread
		if t, err = h.svc.store.ThreadByID(r.Context(), p.ThreadID); err == nil {
			if t.Deleted || t.Hidden && !account.UserFrom(r.Context()).IsStaff() {
				h.web.NotFound(w, r)
				return nil, nil, false
			}
			return p, t, true
		}
	}
	if errors.Is(err, storage.ErrNotFound) {
		h.web.NotFound(w, r)
	} else {
		h.web.ServerError(w, r, err)
	}
	return nil, nil, false
}

func (h *Handlers) postLink(w http.ResponseWriter, r *http.Request) {
	p, t, ok := h.loadPost(w, r)
	if !ok {
		return
	}
	http.Redirect(w, r, h.postURL(r, t, p), http.StatusFound)
}

func (h *Handlers) editForm(w http.ResponseWriter, r *http.Request) {
	p, t, ok := h.loadPost(w, r)
	if !ok {
		return
	}
	u := account.UserFrom(r.Context())
	if u == nil {
		web.RequireLogin(w, r)
		return
	}
	if !CanEdit(u, p, t) {
		h.web.Forbidden(w, r, ErrForbidden.Error())
		return
	}
	d := views.EditData{PostID: p.ID, ThreadURL: h.postURL(r, t, p), Body: p.Source}
	h.web.Render(w, r, http.StatusOK, views.EditPost(h.web.Page(r, "Edit post", "forum"), d))
}

func (h *Handlers) edit(w http.ResponseWriter, r *http.Request) {
	p, t, ok := h.loadPost(w, r)
	if !ok {
		return
	}
	u, ok := h.posterForm(w, r)
	if !ok {
		return
	}
	body := r.PostFormValue("body")
	_, _, err := h.svc.Edit(r.Context(), u, p.ID, body, r.PostFormValue("confirm") == "1")
	if err == nil {
		http.Redirect(w, r, h.postURL(r, t, p), http.StatusSeeOther)
		return
	}
	d := views.EditData{PostID: p.ID, ThreadURL: h.postURL(r, t, p), Body: body}
	status, ok := h.formError(w, r, err, &d.Errors, &d.Hold)
	if !ok {
		return
	}
	h.web.Render(w, r, status, views.EditPost(h.web.Page(r, "Edit post", "forum"), d))
}

func (h *Handlers) delete(w http.ResponseWriter, r *http.Request) {
	p, _, ok := h.loadPost(w, r)
	if !ok {
		return
	}
	u := account.UserFrom(r.Context())
	if u == nil {
		web.RequireLogin(w, r)
		return
	}
	t, err := h.svc.Delete(r.Context(), u, p.ID)
	switch {
	case errors.Is(err, ErrForbidden):
		h.web.Forbidden(w, r, err.Error())
	case err != nil:
		h.web.ServerError(w, r, err)
	case t.Deleted:
		c, err := h.svc.store.CategoryByID(r.Context(), t.CategoryID)
		if err != nil {
			h.web.ServerError(w, r, err)
			return
		}
		http.Redirect(w, r, "/c/"+c.Slug, http.StatusSeeOther)
	default:
		http.Redirect(w, r, h.postURL(r, t, p), http.StatusSeeOther)
	}
}

func (h *Handlers) revisions(w http.ResponseWriter, r *http.Request) {
	u := account.UserFrom(r.Context())
	if u == nil {
		web.RequireLogin(w, r)
		return
	}
	if !u.IsStaff() {
		h.web.Forbidden(w, r, "Only moderators can see earlier versions of a post.")
		return
	}
	p, t, ok := h.loadPost(w, r)
	if !ok {
		return
	}
	revs, err := h.svc.store.Revisions(r.Context(), p.ID)
	if err != nil {
		h.web.ServerError(w, r, err)
		return
	}
	var out []views.Revision
	for _, rv := range revs {
		out = append(out, views.Revision{HTML: rv.HTML, CreatedAt: rv.CreatedAt.Format("2 Jan 2006 15:04 UTC")})
	}
	h.web.Render(w, r, http.StatusOK, views.Revisions(h.web.Page(r, "Earlier versions", "forum"), h.postURL(r, t, p), out))
}
