package watchwords

import (
	"net/http"

	"stoa/views"
	"stoa/web"
)

// AdminHandler handles a request from an administrator, whose form (for a POST) has been
// read.
type AdminHandler func(w http.ResponseWriter, r *http.Request, actor Actor)

// HandlerOptions are what the admin page needs from above; every field is required.
type HandlerOptions struct {
	// Admin lets only administrators through (account's guard, adapted by the server).
	Admin func(AdminHandler) http.HandlerFunc
	// Record writes a change into the audit log.
	Record Recorder
}

// Handlers serve the admin page of the watched words.
type Handlers struct {
	list   *List
	web    *web.Responder
	admin  func(AdminHandler) http.HandlerFunc
	record Recorder
}

// NewHandlers returns the admin page.
func NewHandlers(l *List, w *web.Responder, o HandlerOptions) *Handlers {
	if o.Admin == nil || o.Record == nil {
		panic("watchwords: NewHandlers needs Admin and Record")
	}
	return &Handlers{list: l, web: w, admin: o.Admin, record: o.Record}
}

// Routes mounts the admin page.
func (h *Handlers) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin/watched-words", h.admin(h.page))
	mux.HandleFunc("POST /admin/watched-words", h.admin(h.add))
	mux.HandleFunc("POST /admin/watched-words/{id}/remove", h.admin(h.remove))
}

// AdminLink is the entry for the /admin dashboard.
func AdminLink() views.MeLink {
	return views.MeLink{URL: "/admin/watched-words", Title: "Watched words",
		Text: "Words and expressions that block a post or chat message, hold it for review, or are replaced."}
}

func (h *Handlers) page(w http.ResponseWriter, r *http.Request, _ Actor) {
	h.render(w, r, http.StatusOK, views.WatchedWordsData{Action: string(Hold), Saved: r.URL.Query().Get("saved")})
}

func (h *Handlers) render(w http.ResponseWriter, r *http.Request, status int, d views.WatchedWordsData) {
	entries, err := h.list.Entries(r.Context())
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	for _, e := range entries {
		d.Entries = append(d.Entries, views.WatchedWord{ID: e.ID, Pattern: e.Pattern, Regex: e.Regex,
			Action: e.Action.Label(), Replacement: e.Replacement, AddedBy: e.CreatedBy, AddedAt: e.CreatedAt})
	}
	d.Actions = []views.Choice{{Value: string(Block), Label: Block.Label()}, {Value: string(Hold), Label: Hold.Label()},
		{Value: string(Replace), Label: Replace.Label()}}
	h.web.Render(w, r, status, views.WatchedWords(h.web.Page(r, "Watched words", "admin"), d))
}

func (h *Handlers) add(w http.ResponseWriter, r *http.Request, actor Actor) {
	in := Input{Pattern: r.PostFormValue("pattern"), Regex: r.PostFormValue("regex") == "1",
		Action: Action(r.PostFormValue("action")), Replacement: r.PostFormValue("replacement")}
	err := h.list.Add(r.Context(), actor, in, h.record)
	if err == nil {
		http.Redirect(w, r, "/admin/watched-words?saved=added", http.StatusSeeOther)
		return
	}
	fields, status, ok := web.FormErrors(w, err)
	if !ok {
		h.web.Fail(w, r, err)
		return
	}
	// The form comes back as it was sent, with what to fix.
	h.render(w, r, status, views.WatchedWordsData{Pattern: r.PostFormValue("pattern"), Regex: in.Regex,
		Action: string(in.Action), Replacement: r.PostFormValue("replacement"), Errors: fields})
}

func (h *Handlers) remove(w http.ResponseWriter, r *http.Request, actor Actor) {
	id, ok := web.PathID(r, "id")
	if !ok {
		h.web.NotFound(w, r)
		return
	}
	if err := h.list.Remove(r.Context(), actor, id, h.record); err != nil {
		h.web.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/watched-words?saved=removed", http.StatusSeeOther)
}
