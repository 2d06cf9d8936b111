package forum

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"stoa/account"
	"stoa/views"
	"stoa/web"
)

// CategoryAdmin serves the administrators' page that creates, renames and orders
// categories.
type CategoryAdmin struct {
	svc   *Service
	store *Store
	web   *web.Responder
}

func (h *CategoryAdmin) list(w http.ResponseWriter, r *http.Request, _ *account.User) {
	next, err := h.store.NextCategoryPosition(r.Context())
	if err != nil {
		h.web.ServerError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, views.CategoryForm{Position: next}, nil)
}

func (h *CategoryAdmin) render(w http.ResponseWriter, r *http.Request, status int, form views.CategoryForm, errs views.FieldError) {
	cats, err := h.store.Categories(r.Context())
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

func (h *CategoryAdmin) save(w http.ResponseWriter, r *http.Request, _ *account.User) {
	id, _ := strconv.ParseInt(r.PostFormValue("id"), 10, 64)
	pos, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("position")))
	if err != nil && id == 0 {
		// No position given: a new category goes after the others.
		if pos, err = h.store.NextCategoryPosition(r.Context()); err != nil {
			h.web.ServerError(w, r, err)
			return
		}
	}
	c := &Category{ID: id, Name: r.PostFormValue("name"), Slug: r.PostFormValue("slug"),
		Description: r.PostFormValue("description"), Position: pos}
	err = h.svc.SaveCategory(r.Context(), c)
	if err == nil {
		http.Redirect(w, r, "/admin/categories", http.StatusSeeOther)
		return
	}
	errs, status, ok := web.FormErrors(w, err)
	if !ok {
		h.web.Fail(w, r, err)
		return
	}
	form := views.CategoryForm{ID: c.ID, Name: c.Name, Slug: c.Slug, Description: c.Description, Position: c.Position}
	if id != 0 {
		// The page lists existing categories as compact rows without room for messages
		// under each field: say at the top which one was not saved, and why.
		errs["form"] = "Category \"" + c.Name + "\" was not saved: " + firstError(errs)
		form = views.CategoryForm{}
	}
	h.render(w, r, status, form, errs)
}

func firstError(errs views.FieldError) string {
	for _, k := range []string{"name", "slug", "description"} {
		if e := errs[k]; e != "" {
			return e
		}
	}
	return ""
}

// SaveCategory checks a category and creates it (ID 0) or saves its changes. An empty
// slug is made from the name.
func (s *Service) SaveCategory(ctx context.Context, c *Category) error {
	c.Name, c.Slug, c.Description = strings.TrimSpace(c.Name), strings.TrimSpace(c.Slug), strings.TrimSpace(c.Description)
	if c.Slug == "" {
		c.Slug = Slugify(c.Name)
	}
	fields := map[string]string{}
	if c.Name == "" || len(c.Name) > 80 {
		fields["name"] = "Give the category a name of up to 80 characters."
	}
	if c.Slug != Slugify(c.Slug) || len(c.Slug) > 40 {
		fields["slug"] = "Use lower-case letters, digits and '-' for the address, up to 40 characters."
	}
	if len(c.Description) > 500 {
		fields["description"] = "Keep the description under 500 characters."
	}
	if err := web.InvalidFields(fields); err != nil {
		return err
	}
	err := s.store.SaveCategory(ctx, c)
	if errors.Is(err, errSlugTaken) {
		return web.Invalid("slug", "Another category already uses this address.")
	}
	return err
}
