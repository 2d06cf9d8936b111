package privacy

import (
	"context"
	"io"
	"net/http"
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
	guard     Guard
	web       *web.Responder
	// contactLimit slows down /contact per client address, in memory only (P3).
	contactLimit *ratelimit.Keyed
}

// ExportFunc streams one member's data archive (account's export) to w.
type ExportFunc func(ctx context.Context, userID int64, w io.Writer) error

// HandlerDeps is everything the pages need; the server builds each part. None may be
// left out.
type HandlerDeps struct {
	Policies  *Policies
	Prefs     *Preferences
	Enquiries *Enquiries
	Analytics *Analytics
	Members   Members
	// Auditor records staff access to personal data before it happens.
	Auditor Auditor
	// Export streams a member's archive for a lawful request.
	Export ExportFunc
	Viewer Viewer
	Guard  Guard
	Web    *web.Responder
}

// NewHandlers returns privacy's pages.
func NewHandlers(d HandlerDeps) *Handlers {
	need("NewHandlers", d.Policies != nil && d.Prefs != nil && d.Enquiries != nil && d.Analytics != nil, "every part")
	need("NewHandlers", d.Members != nil, "Members")
	need("NewHandlers", d.Auditor != nil, "an Auditor")
	need("NewHandlers", d.Export != nil, "Export")
	need("NewHandlers", d.Viewer != nil && d.Guard != nil, "a Viewer and a Guard")
	return &Handlers{policies: d.Policies, prefs: d.Prefs, enquiries: d.Enquiries, analytics: d.Analytics,
		members: d.Members, auditor: d.Auditor, export: d.Export, viewer: d.Viewer, guard: d.Guard, web: d.Web,
		contactLimit: ratelimit.New(2*time.Minute, 5)}
}

// Routes mounts privacy's pages.
func (h *Handlers) Routes(mux *http.ServeMux) {
	g := h.guard
	mux.HandleFunc("GET /policies/{name}", h.policy)
	mux.HandleFunc("GET /policies/{name}/v/{version}", h.policyVersion)
	mux.HandleFunc("GET /policies/{name}/versions", h.policyVersions)
	mux.HandleFunc("GET /policies/{name}/diff", h.policyDiff)
	mux.HandleFunc("POST /policies/{name}/acknowledge", g.Member(h.acknowledge))
	mux.HandleFunc("GET /admin/policies", g.Admin(h.adminPolicies))
	mux.HandleFunc("GET /admin/policies/{name}", g.Admin(h.editPolicy))
	mux.HandleFunc("POST /admin/policies/{name}", g.Admin(h.savePolicy))

	mux.HandleFunc("GET /me/preferences", g.Member(h.preferences))
	mux.HandleFunc("POST /me/preferences", g.Member(h.savePreferences))
	mux.HandleFunc("GET /unsubscribe/{token}", h.unsubscribeForm)
	mux.HandleFunc("POST /unsubscribe/{token}", h.unsubscribe)
	mux.HandleFunc("GET /admin/announcements", g.Admin(h.announcements))
	mux.HandleFunc("POST /admin/announcements", g.Admin(h.sendAnnouncement))

	mux.HandleFunc("GET /contact", h.contactForm)
	mux.HandleFunc("POST /contact", h.contact)
	mux.HandleFunc("GET /me/enquiries", g.Member(h.myEnquiries))
	mux.HandleFunc("GET /me/enquiries/{id}", g.Member(h.myEnquiry))
	mux.HandleFunc("POST /me/enquiries/{id}", g.Member(h.followUp))
	mux.HandleFunc("GET /mod/enquiries", g.Staff(h.inbox))
	mux.HandleFunc("GET /mod/enquiries/{id}", g.Staff(h.staffEnquiry))
	mux.HandleFunc("POST /mod/enquiries/{id}", g.Staff(h.answer))

	mux.HandleFunc("GET /admin/analytics", g.Admin(h.adminAnalytics))

	mux.HandleFunc("GET /admin/privacy", g.Admin(h.personalData))
	mux.HandleFunc("GET /admin/users/{name}/email", g.Admin(h.emailForm))
	mux.HandleFunc("POST /admin/users/{name}/email", g.Admin(h.showEmail))
	mux.HandleFunc("GET /admin/users/{name}/export", g.Admin(h.legalExportForm))
	mux.HandleFunc("POST /admin/users/{name}/export", g.Admin(h.legalExport))
}

// MeLinks are privacy's entries on the member's account page.
func MeLinks() []views.MeLink {
	return []views.MeLink{
		{URL: "/me/preferences", Title: "Contact preferences", Text: "Choose whether administrators may email you announcements. Off unless you turn it on."},
		{URL: "/me/enquiries", Title: "Your enquiries", Text: "Messages you sent to the team through the contact form, and their answers."},
	}
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

func date(t time.Time) string { return t.UTC().Format("2 January 2006") }

func dateTime(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04 UTC") }
