package forum

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"stoa/account"
	"stoa/storage"
	"stoa/views"
	"stoa/web"
)

func (h *Handlers) profile(w http.ResponseWriter, r *http.Request) {
	member, err := h.accounts.ByUsername(r.Context(), r.PathValue("name"))
	if errors.Is(err, storage.ErrNotFound) {
		h.web.NotFound(w, r)
		return
	}
	if err != nil {
		h.web.ServerError(w, r, err)
		return
	}
	posts, threads, err := h.svc.store.UserPosts(r.Context(), member.ID, 30)
	if err != nil {
		h.web.ServerError(w, r, err)
		return
	}
	d := views.ProfileData{Username: member.Username, DisplayName: member.DisplayName, Role: string(member.Role),
		Joined: member.CreatedAt.Format("January 2006")}
	viewer := account.UserFrom(r.Context())
	d.CanReport = viewer != nil && viewer.ID != member.ID
	d.Staff = viewer.IsStaff()
	for i, p := range posts {
		d.Posts = append(d.Posts, views.ProfilePost{URL: fmt.Sprintf("/p/%d", p.ID), ThreadTitle: threads[i].Title,
			HTML: p.HTML, CreatedAt: p.CreatedAt})
	}
	h.web.Render(w, r, http.StatusOK, views.Profile(h.web.Page(r, member.Username, "forum"), d))
}

func (h *Handlers) requireAdmin(w http.ResponseWriter, r *http.Request) (*account.User, bool) {
	u := account.UserFrom(r.Context())
	if u == nil {
		web.RequireLogin(w, r)
		return nil, false
	}
	if !u.IsAdmin() {
		h.web.Forbidden(w, r, "Only administrators can manage categories.")
		return nil, false
	}
	return u, true
}

func (h *Handlers) adminCategories(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.requireAdmin(w, r); !ok {
		return
	}
	h.renderCategories(w, r, http.StatusOK, views.CategoryForm{}, nil)
}

func (h *Handlers) renderCategories(w http.ResponseWriter, r *http.Request, status int, form views.CategoryForm, errs views.FieldError) {
	cats, err := h.svc.store.Categories(r.Context())
	if err != nil {
		h.web.ServerError(w, r, err)
		return
	}
	d := views.AdminCategoriesData{New: form, Errors: errs}
	for _, c := range cats {
		d.Categories = append(d.Categories, views.CategoryForm{ID: c.ID, Slug: c.Slug, Name: c.Name,
			Description: c.Description, Position: c.Position, Threads: c.Threads})
	}
	h.web.Render(w, r, status, views.AdminCategories(h.web.Page(r, "Categories", "admin"), d))
}

func (h *Handlers) saveCategory(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.requireAdmin(w, r); !ok {
		return
	}
	if err := web.ParseForm(w, r); err != nil {
		h.web.BadInput(w, r, err)
		return
	}
	id, _ := strconv.ParseInt(r.PostFormValue("id"), 10, 64)
	pos, _ := strconv.Atoi(r.PostFormValue("position"))
	c := &Category{ID: id, Name: strings.TrimSpace(r.PostFormValue("name")), Slug: strings.TrimSpace(r.PostFormValue("slug")),
		Description: strings.TrimSpace(r.PostFormValue("description")), Position: pos}
	if c.Slug == "" {
		c.Slug = Slugify(c.Name)
	}
	form := views.CategoryForm{ID: c.ID, Name: c.Name, Slug: c.Slug, Description: c.Description, Position: c.Position}
	errs := views.FieldError{}
	if c.Name == "" || len(c.Name) > 80 {
		errs["name"] = "Give the category a name of up to 80 characters."
	}
	if c.Slug != Slugify(c.Slug) || len(c.Slug) > 40 {
		errs["slug"] = "Use lower-case letters, digits and '-' for the address, up to 40 characters."
	}
	if len(c.Description) > 500 {
		errs["description"] = "Keep the description under 500 characters."
	}
	if len(errs) == 0 {
		err := h.svc.store.SaveCategory(r.Context(), c)
		if err == nil {
			http.Redirect(w, r, "/admin/categories", http.StatusSeeOther)
			return
		}
		if !errors.Is(err, ErrSlugTaken) {
			h.web.ServerError(w, r, err)
			return
		}
		errs["slug"] = "Another category already uses this address."
	}
	if id != 0 {
		errs["form"] = "Category \"" + c.Name + "\" was not saved: " + firstError(errs)
		form = views.CategoryForm{}
	}
	h.renderCategories(w, r, http.StatusUnprocessableEntity, form, errs)
}

func firstError(errs views.FieldError) string {
	for _, k := range []string{"name", "slug", "description"} {
		if e := errs[k]; e != "" {
			return e
		}
	}
	return ""
}
