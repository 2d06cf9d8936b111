package forum

import (
	"errors"
	"net/http"

	"stoa/account"
	"stoa/storage"
	"stoa/views"
	"stoa/web"
)

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
