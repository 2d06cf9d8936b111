package forum

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/a-h/templ"

	"stoa/account"
	"stoa/views"
	"stoa/web"
)

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
