package forum

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"

	"stoa/account"
	"stoa/views"
	"stoa/web"
)

// pageSlot is where a thread page rendered for an anonymous reader is kept: its key, and
// the generation and time read before any of its data.
type pageSlot struct {
	key pageKey
	gen uint64
	at  time.Time
}

func (h *Pages) thread(w http.ResponseWriter, r *http.Request) {
	var slot *pageSlot
	if account.UserFrom(r.Context()) == nil {
		if key, ok := threadPageKey(r); ok {
			// The generation first: data read after it is at least as new as it says.
			gen := h.gen()
			if e := h.cache.get(key, gen); e != nil {
				e.write(w)
				return
			}
			slot = &pageSlot{key: key, gen: gen, at: h.cache.now()}
		}
	}
	t, ok := loadThread(h.svc, h.web, w, r)
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
		if p, err := h.store.PostByID(r.Context(), q); err == nil && p.ThreadID == t.ID && !p.Deleted && !p.Hidden {
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
func (h *Pages) renderThread(w http.ResponseWriter, r *http.Request, t *Thread, status int, reply views.ReplyForm, lastPage bool, slot *pageSlot) {
	ctx := r.Context()
	u := account.UserFrom(ctx)
	c, err := h.store.CategoryByID(ctx, t.CategoryID)
	if err != nil {
		h.web.ServerError(w, r, err)
		return
	}
	rows, err := h.store.LastNumber(ctx, t.ID)
	if err != nil {
		h.web.ServerError(w, r, err)
		return
	}
	pages := max(1, (rows+PostsPerPage-1)/PostsPerPage)
	page := min(web.PageNumber(r), pages)
	if lastPage || r.URL.Query().Get("page") == "last" {
		page = pages
	}
	posts, err := h.store.Posts(ctx, t.ID, PostsPerPage, (page-1)*PostsPerPage)
	if err != nil {
		h.web.ServerError(w, r, err)
		return
	}
	if u.IsStaff() {
		// Only staff see how many earlier versions a post has.
		if err := h.store.RevisionCounts(ctx, t.ID, PostsPerPage, (page-1)*PostsPerPage, posts); err != nil {
			h.web.ServerError(w, r, err)
			return
		}
	}
	d := views.ThreadData{ID: t.ID, Title: t.Title, URL: t.URL(), Category: categoryItem(c), Author: t.Author,
		Locked: t.Locked, Pinned: t.Pinned, Pager: pager(t.URL(), page, rows, PostsPerPage), Reply: reply, Staff: u.IsStaff()}
	for _, p := range posts {
		if p.Review != "" && !u.IsStaff() && (u == nil || u.ID != p.AuthorID) {
			continue // waiting for review: only its author and staff know it exists
		}
		d.Posts = append(d.Posts, postView(u, p, t))
	}
	if err := h.replyState(ctx, u, t, &d); err != nil {
		h.web.ServerError(w, r, err)
		return
	}
	if err := h.reactions.show(ctx, u, t, d.Posts); err != nil {
		h.web.ServerError(w, r, err)
		return
	}
	if u != nil {
		if d.Tools, err = h.tools(ctx, u, t); err != nil {
			h.web.ServerError(w, r, err)
			return
		}
		if err := h.unread.recordRead(ctx, u, t, d.Posts); err != nil {
			h.web.ServerError(w, r, err)
			return
		}
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
		h.cache.put(slot.key, slot.gen, slot.at, e.body)
	}
	e.write(w)
}

// replyState says whether the page offers u the reply form, and if not, why.
func (h *Pages) replyState(ctx context.Context, u *account.User, t *Thread, d *views.ThreadData) error {
	switch {
	case u == nil:
		d.ReplyReason = "Log in or create an account to reply. Reading needs no account and sets no cookie."
	case t.Locked && !u.IsStaff():
		d.ReplyReason = ErrLocked.Message
	case t.Hidden && !u.IsStaff():
		d.ReplyReason = "Moderators hid this thread's opening post, so the thread takes no new replies while it is hidden."

	default:
		err := h.svc.CanPost(ctx, u)
		if refusal := web.AsError(err); refusal != nil {
			d.ReplyReason = refusal.Message
			return nil
		}
		if err != nil {
			return err
		}
		d.CanReply = true
	}
	return nil
}

// tools are the member's tools on the thread: watching, and for staff the thread
// management form.
func (h *Pages) tools(ctx context.Context, u *account.User, t *Thread) (views.ThreadTools, error) {
	watching, err := h.watches.Watching(ctx, u, t)
	if err != nil {
		return views.ThreadTools{}, err
	}
	tools := views.ThreadTools{CanWatch: true, Watching: watching, Author: u.ID == t.AuthorID, Staff: u.IsStaff()}
	if u.IsStaff() {
		cats, err := h.store.Categories(ctx)
		if err != nil {
			return tools, err
		}
		for _, c := range cats {
			tools.Categories = append(tools.Categories, views.CategoryOption{Slug: c.Slug, Name: c.Name, Current: c.ID == t.CategoryID})
		}
	}
	return tools, nil
}

func postView(u *account.User, p *Post, t *Thread) views.Post {
	v := views.Post{ID: p.ID, Number: p.Number, Anchor: fmt.Sprintf("p%d", p.ID), Author: p.Author,
		AuthorURL: "/u/" + p.Author, HTML: p.HTML, CreatedAt: p.CreatedAt, EditedAt: p.EditedAt,
		Deleted: p.Deleted, Hidden: p.Hidden && p.Review == "", Waiting: p.Review != "" && !p.Deleted}
	switch {
	case !p.Hidden:
	case p.Review != "" && (u.IsStaff() || u != nil && u.ID == p.AuthorID):
		// Waiting for review: its author and staff see it, labelled as waiting.
	case u.IsStaff():
		v.HiddenNote = "Hidden by moderators. Only the author and staff see it."
	case u != nil && u.ID == p.AuthorID:
		v.HiddenNote = "Hidden by moderators. Only you and staff see it; your notices say why."
	default:
		v.HTML = ""
		v.HiddenNote = "Hidden by moderators."
	}
	if p.Deleted {
		return v
	}
	v.CanEdit = CanEdit(u, p, t)
	v.CanDelete = u != nil && (u.ID == p.AuthorID || u.IsStaff())
	v.CanReport = u != nil && u.ID != p.AuthorID
	v.Moderate = u.IsStaff() && u.ID != p.AuthorID
	if u.IsStaff() {
		v.Revisions = p.Revisions
	}
	if u != nil && !t.Locked && !p.Hidden {
		v.QuoteURL = fmt.Sprintf("%s?page=last&quote=%d#reply", t.URL(), p.ID)
	}
	return v
}
