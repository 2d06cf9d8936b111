package forum

import (
	"errors"
	"net/http"

	"stoa/account"
	"stoa/storage"
	"stoa/views"
	"stoa/web"
)

// Posting serves the forms that write: the composer, the reply form, editing and
// deleting a post.
type Posting struct {
	svc   *Service
	store *Store
	web   *web.Responder
	pages *Pages // a failed reply shows the thread page again
}

// formState turns what Service refused into the state of the form that sent it: field
// messages and a status, or the detector's hold. It answers any other error itself and
// returns false.
func (h *Posting) formState(w http.ResponseWriter, r *http.Request, err error, fields *views.FieldError, held **views.Hold) (int, bool) {
	var hold *HoldError
	if errors.As(err, &hold) {
		*held = &views.Hold{Findings: hold.Findings}
		return http.StatusOK, true
	}
	if f, status, ok := web.FormErrors(w, err); ok {
		*fields = f
		return status, true
	}
	h.web.Fail(w, r, err)
	return 0, false
}

// pickCategory is where the home page's "New thread" button leads: the categories, each
// linking to its composer. A plain page, so it works without JavaScript.
func (h *Posting) pickCategory(w http.ResponseWriter, r *http.Request, u *account.User) {
	if err := h.svc.CanPost(r.Context(), u); err != nil {
		h.web.Fail(w, r, err)
		return
	}
	cats, err := h.store.Categories(r.Context())
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	var items []views.CategoryItem
	for _, c := range cats {
		items = append(items, categoryItem(&c))
	}
	h.web.Render(w, r, http.StatusOK, views.PickCategory(h.web.Page(r, "New thread", "forum"), items))
}

// composer shows the form that starts a thread. A category that does not exist is a 404
// even for a visitor who is not logged in, so it checks the member itself.
func (h *Posting) composer(w http.ResponseWriter, r *http.Request) {
	c, err := h.store.CategoryBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	u := account.UserFrom(r.Context())
	if u == nil {
		web.RequireLogin(w, r)
		return
	}
	if err := h.svc.CanPost(r.Context(), u); err != nil {
		h.web.Fail(w, r, err)
		return
	}
	d := views.ComposerData{Category: categoryItem(c), Token: account.NewToken()}
	h.web.Render(w, r, http.StatusOK, views.Composer(h.web.Page(r, "New thread", "forum"), d))
}

func (h *Posting) createThread(w http.ResponseWriter, r *http.Request, u *account.User) {
	c, err := h.store.CategoryBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		h.web.Fail(w, r, err)
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
	status, ok := h.formState(w, r, err, &d.Errors, &d.Hold)
	if !ok {
		return
	}
	h.web.Render(w, r, status, views.Composer(h.web.Page(r, "New thread", "forum"), d))
}

func (h *Posting) reply(w http.ResponseWriter, r *http.Request, u *account.User) {
	id, ok := web.PathID(r, "id")
	if !ok {
		h.web.NotFound(w, r)
		return
	}
	in := NewReply{ThreadID: id, Body: r.PostFormValue("body"), Token: r.PostFormValue("token"), Confirm: r.PostFormValue("confirm") == "1"}
	p, t, err := h.svc.Reply(r.Context(), u, in)
	if err == nil {
		http.Redirect(w, r, postURL(t, p), http.StatusSeeOther)
		return
	}
	if errors.Is(err, storage.ErrNotFound) {
		h.web.Fail(w, r, err)
		return
	}
	// Refused: show the thread again with the reply form as it was sent.
	t, ok = loadThread(h.svc, h.web, w, r)
	if !ok {
		return
	}
	form := views.ReplyForm{Body: in.Body, Token: in.Token}
	status, ok := h.formState(w, r, err, &form.Errors, &form.Hold)
	if !ok {
		return
	}
	h.pages.renderThread(w, r, t, status, form, true, nil)
}

// editForm shows the form that edits a post. A post that does not exist is a 404 even
// for a visitor who is not logged in, so it checks the member itself.
func (h *Posting) editForm(w http.ResponseWriter, r *http.Request) {
	p, t, ok := loadPost(h.svc, h.web, w, r)
	if !ok {
		return
	}
	u := account.UserFrom(r.Context())
	if u == nil {
		web.RequireLogin(w, r)
		return
	}
	if !CanEdit(u, p, t) {
		h.web.Fail(w, r, ErrForbidden)
		return
	}
	d := views.EditData{PostID: p.ID, ThreadURL: postURL(t, p), Body: p.Source}
	h.web.Render(w, r, http.StatusOK, views.EditPost(h.web.Page(r, "Edit post", "forum"), d))
}

func (h *Posting) edit(w http.ResponseWriter, r *http.Request, u *account.User) {
	p, t, ok := loadPost(h.svc, h.web, w, r)
	if !ok {
		return
	}
	body := r.PostFormValue("body")
	_, _, err := h.svc.Edit(r.Context(), u, p.ID, body, r.PostFormValue("confirm") == "1")
	if err == nil {
		http.Redirect(w, r, postURL(t, p), http.StatusSeeOther)
		return
	}
	d := views.EditData{PostID: p.ID, ThreadURL: postURL(t, p), Body: body}
	status, ok := h.formState(w, r, err, &d.Errors, &d.Hold)
	if !ok {
		return
	}
	h.web.Render(w, r, status, views.EditPost(h.web.Page(r, "Edit post", "forum"), d))
}

func (h *Posting) delete(w http.ResponseWriter, r *http.Request, u *account.User) {
	id, ok := web.PathID(r, "id")
	if !ok {
		h.web.NotFound(w, r)
		return
	}
	p, t, err := h.svc.Delete(r.Context(), u, id)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	if t.Deleted {
		c, err := h.store.CategoryByID(r.Context(), t.CategoryID)
		if err != nil {
			h.web.ServerError(w, r, err)
			return
		}
		http.Redirect(w, r, "/c/"+c.Slug, http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, postURL(t, p), http.StatusSeeOther)
}
