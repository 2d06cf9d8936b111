package privacy

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"time"

	"stoa/ratelimit"
	"stoa/views"
	"stoa/web"
)

// Handlers serves privacy's pages: policies, contact preferences and announcements,
// enquiries, analytics and audited staff access to personal data.
type Handlers struct {
	policies  *Policies
	prefs     *Preferences
	enquiries *Enquiries
	analytics *Analytics
	members   Members
	auditor   Auditor
	export    ExportFunc
	viewer    Viewer
	web       *web.Responder
	// contactLimit slows down /contact per client address, in memory only (P3).
	contactLimit *ratelimit.Keyed
}

// ExportFunc streams one member's data archive (account's export) to w.
type ExportFunc func(ctx context.Context, userID int64, w io.Writer) error

// HandlerDeps is everything the pages need; the server builds each part.
type HandlerDeps struct {
	Policies  *Policies
	Prefs     *Preferences
	Enquiries *Enquiries
	Analytics *Analytics
	Members   Members
	// Auditor records staff access to personal data; without one those pages refuse.
	Auditor Auditor
	// Export streams a member's archive for a lawful request; nil turns that page off.
	Export ExportFunc
	Viewer Viewer
	Web    *web.Responder
}

// NewHandlers returns privacy's pages.
func NewHandlers(d HandlerDeps) *Handlers {
	return &Handlers{policies: d.Policies, prefs: d.Prefs, enquiries: d.Enquiries, analytics: d.Analytics,
		members: d.Members, auditor: d.Auditor, export: d.Export, viewer: d.Viewer, web: d.Web,
		contactLimit: ratelimit.New(2*time.Minute, 5)}
}

// Routes mounts privacy's pages.
func (h *Handlers) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /policies/{name}", h.policy)
	mux.HandleFunc("GET /policies/{name}/v/{version}", h.policyVersion)
	mux.HandleFunc("GET /policies/{name}/versions", h.policyVersions)
	mux.HandleFunc("GET /policies/{name}/diff", h.policyDiff)
	mux.HandleFunc("POST /policies/{name}/acknowledge", h.acknowledge)
	mux.HandleFunc("GET /admin/policies", h.adminPolicies)
	mux.HandleFunc("GET /admin/policies/{name}", h.editPolicy)
	mux.HandleFunc("POST /admin/policies/{name}", h.savePolicy)

	mux.HandleFunc("GET /me/preferences", h.preferences)
	mux.HandleFunc("POST /me/preferences", h.savePreferences)
	mux.HandleFunc("GET /unsubscribe/{token}", h.unsubscribeForm)
	mux.HandleFunc("POST /unsubscribe/{token}", h.unsubscribe)
	mux.HandleFunc("GET /admin/announcements", h.announcements)
	mux.HandleFunc("POST /admin/announcements", h.sendAnnouncement)

	mux.HandleFunc("GET /contact", h.contactForm)
	mux.HandleFunc("POST /contact", h.contact)
	mux.HandleFunc("GET /me/enquiries", h.myEnquiries)
	mux.HandleFunc("GET /me/enquiries/{id}", h.myEnquiry)
	mux.HandleFunc("POST /me/enquiries/{id}", h.followUp)
	mux.HandleFunc("GET /mod/enquiries", h.inbox)
	mux.HandleFunc("GET /mod/enquiries/{id}", h.staffEnquiry)
	mux.HandleFunc("POST /mod/enquiries/{id}", h.answer)

	mux.HandleFunc("GET /admin/analytics", h.adminAnalytics)

	mux.HandleFunc("GET /admin/privacy", h.personalData)
	mux.HandleFunc("GET /admin/users/{name}/email", h.emailForm)
	mux.HandleFunc("POST /admin/users/{name}/email", h.showEmail)
	mux.HandleFunc("GET /admin/users/{name}/export", h.legalExportForm)
	mux.HandleFunc("POST /admin/users/{name}/export", h.legalExport)
}

// AdminLinks are privacy's entries on the administration dashboard.
func AdminLinks() []views.MeLink {
	return []views.MeLink{
		{URL: "/admin/policies", Title: "Policies", Text: "Edit the privacy policy and the community agreement; every save is a new version."},
		{URL: "/admin/announcements", Title: "Announcements", Text: "Email the members who opted in to announcements."},
		{URL: "/admin/analytics", Title: "Visit statistics", Text: "Anonymous page views per day, by browser and referring site."},
		{URL: "/admin/privacy", Title: "Personal data", Text: "See a member's email address or export their data for a lawful request; every access is audited."},
		{URL: "/mod/enquiries", Title: "Enquiries", Text: "Messages sent through the contact form, and their answers."},
	}
}

// member returns the logged-in member, or sends an anonymous visitor to log in.
func (h *Handlers) member(w http.ResponseWriter, r *http.Request) (*Member, bool) {
	m := h.viewer(r)
	if m == nil {
		web.RequireLogin(w, r)
		return nil, false
	}
	return m, true
}

// staff returns the logged-in moderator or admin, or answers for everyone else.
func (h *Handlers) staff(w http.ResponseWriter, r *http.Request) (*Member, bool) {
	m, ok := h.member(w, r)
	if !ok {
		return nil, false
	}
	if !m.Staff {
		h.web.Forbidden(w, r, "Only moderators and administrators can see this page.")
		return nil, false
	}
	return m, true
}

// admin returns the logged-in admin, or answers for everyone else.
func (h *Handlers) admin(w http.ResponseWriter, r *http.Request) (*Member, bool) {
	m, ok := h.member(w, r)
	if !ok {
		return nil, false
	}
	if !m.Admin {
		h.web.Forbidden(w, r, "Only administrators can see this page.")
		return nil, false
	}
	return m, true
}

// parseForm reads a posted form, answering bad input itself.
func (h *Handlers) parseForm(w http.ResponseWriter, r *http.Request) bool {
	if err := web.ParseForm(w, r); err != nil {
		h.web.BadInput(w, r, err)
		return false
	}
	return true
}

func pathInt(r *http.Request, name string) (int, bool) {
	n, err := strconv.Atoi(r.PathValue(name))
	return n, err == nil && n > 0
}

func date(t time.Time) string { return t.UTC().Format("2 January 2006") }

func dateTime(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04 UTC") }
