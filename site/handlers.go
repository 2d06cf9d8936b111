package site

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	"stoa/views"
	"stoa/web"
)

// AdminHandler handles a request from an administrator, whose form (for a POST) has been
// read.
type AdminHandler func(w http.ResponseWriter, r *http.Request, actor Actor)

// HandlerOptions are what the settings pages need from above: every field is required.
type HandlerOptions struct {
	// Admin lets only administrators through (account's guard, adapted by the server).
	Admin func(AdminHandler) http.HandlerFunc
	// Record writes a change into the audit log.
	Record Recorder
	// Steps are the checklist's items after the site's own: categories, rooms, …
	Steps []Step
	Log   *slog.Logger
}

// Handlers serve the site settings page and the setup checklist.
type Handlers struct {
	settings  *Settings
	web       *web.Responder
	admin     func(AdminHandler) http.HandlerFunc
	record    Recorder
	checklist *Checklist
	log       *slog.Logger
}

// NewHandlers returns the settings pages.
func NewHandlers(s *Settings, w *web.Responder, o HandlerOptions) *Handlers {
	if o.Admin == nil || o.Record == nil || o.Log == nil {
		panic("site: NewHandlers needs Admin, Record and Log")
	}
	return &Handlers{settings: s, web: w, admin: o.Admin, record: o.Record, log: o.Log,
		checklist: &Checklist{settings: s, steps: o.Steps}}
}

// Routes mounts the settings page and the checklist.
func (h *Handlers) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin/site", h.admin(h.form))
	mux.HandleFunc("POST /admin/site", h.admin(h.save))
	mux.HandleFunc("GET /admin/setup", h.admin(h.setup))
	mux.HandleFunc("POST /admin/setup", h.admin(h.dismiss))
}

// AdminLinks are the entries for the /admin dashboard.
func AdminLinks() []views.MeLink {
	return []views.MeLink{
		{URL: "/admin/setup", Title: "Setup checklist", Text: "The few things to do before inviting people: name, categories, rooms, agreement, mail."},
		{URL: "/admin/site", Title: "Site name and description", Text: "What the site is called in the header, page titles, feeds and mail."},
	}
}

func (h *Handlers) form(w http.ResponseWriter, r *http.Request, _ Actor) {
	info := h.settings.Info()
	d := views.SiteSettingsData{Name: info.Name, Description: info.Description, Saved: r.URL.Query().Get("saved") == "1",
		ReservationDays: strconv.Itoa(h.settings.NameReservationDays())}
	h.web.Render(w, r, http.StatusOK, views.SiteSettings(h.web.Page(r, "Site name and description", "admin"), d))
}

func (h *Handlers) save(w http.ResponseWriter, r *http.Request, actor Actor) {
	c := Change{Name: r.PostFormValue("name"), Description: r.PostFormValue("description"),
		ReservationDays: r.PostFormValue("name_reservation_days")}
	err := h.settings.Save(r.Context(), actor, c, h.record)
	if err == nil {
		http.Redirect(w, r, "/admin/site?saved=1", http.StatusSeeOther)
		return
	}
	fields, status, ok := web.FormErrors(w, err)
	if !ok {
		h.web.Fail(w, r, err)
		return
	}
	d := views.SiteSettingsData{Name: r.PostFormValue("name"), Description: r.PostFormValue("description"),
		ReservationDays: r.PostFormValue("name_reservation_days"), Errors: fields}
	h.web.Render(w, r, status, views.SiteSettings(h.web.Page(r, "Site name and description", "admin"), d))
}

func (h *Handlers) setup(w http.ResponseWriter, r *http.Request, _ Actor) {
	d, err := h.checklist.status(r.Context())
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	h.web.Render(w, r, http.StatusOK, views.SetupChecklistPage(h.web.Page(r, "Setup checklist", "admin"), d))
}

func (h *Handlers) dismiss(w http.ResponseWriter, r *http.Request, _ Actor) {
	dismissed := r.PostFormValue("dismissed") == "1"
	if err := h.settings.SetChecklistDismissed(r.Context(), dismissed); err != nil {
		h.web.Fail(w, r, err)
		return
	}
	if dismissed {
		http.Redirect(w, r, "/admin", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/admin/setup", http.StatusSeeOther)
}

// Banner reminds an administrator of the checklist until every step is done or they put
// it away; it is not shown on the checklist itself.
func (h *Handlers) Banner(ctx context.Context, path string, admin bool) []views.Banner {
	if !admin || path == "/admin/setup" || h.settings.Info().ChecklistDismissed {
		return nil
	}
	d, err := h.checklist.status(ctx)
	if err != nil {
		h.log.Error("site: setup checklist", "err", err)
		return nil
	}
	if d.Done == len(d.Steps) {
		return nil
	}
	return []views.Banner{{Kind: "info", Link: "/admin/setup", Action: "Open the setup checklist",
		Text: fmt.Sprintf("Finish setting up this site: %d of %d steps done.", d.Done, len(d.Steps))}}
}
