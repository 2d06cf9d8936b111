package moderation

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"stoa/account"
	"stoa/views"
	"stoa/web"
)

// Handlers serves the moderation pages: reporting, members' notices, the review queue,
// members' records, the public moderation log and the administration pages for roles
// and the audit log.
type Handlers struct {
	svc        *Service
	web        *web.Responder
	adminLinks func() []views.MeLink
}

// NewHandlers returns the moderation pages. adminLinks is read on every visit to /admin,
// so features wired later can still add their entries.
func NewHandlers(svc *Service, w *web.Responder, adminLinks func() []views.MeLink) *Handlers {
	return &Handlers{svc: svc, web: w, adminLinks: adminLinks}
}

// Routes mounts the moderation pages.
func (h *Handlers) Routes(mux *http.ServeMux) {
	// Members.
	mux.HandleFunc("GET /report", h.reportForm)
	mux.HandleFunc("POST /report", h.report)
	mux.HandleFunc("GET /notices", h.notices)
	mux.HandleFunc("GET /notices/{id}", h.notice)
	mux.HandleFunc("POST /notices/{id}/reply", h.noticeReply)
	// Everyone.
	mux.HandleFunc("GET /modlog", h.modlog)
	// Moderators and admins.
	mux.HandleFunc("GET /mod", h.queue)
	mux.HandleFunc("GET /mod/review/{kind}/{id}", h.review)
	mux.HandleFunc("POST /mod/review/{kind}/{id}", h.act)
	mux.HandleFunc("GET /mod/users/{name}", h.member)
	mux.HandleFunc("POST /mod/users/{name}", h.actOnMember)
	mux.HandleFunc("POST /mod/users/{name}/notes", h.addNote)
	mux.HandleFunc("POST /mod/users/{name}/sanctions/{id}/lift", h.lift)
	mux.HandleFunc("GET /mod/notices", h.staffNotices)
	mux.HandleFunc("GET /mod/notices/{id}", h.staffNotice)
	mux.HandleFunc("POST /mod/notices/{id}/reply", h.noticeReply)
	// Admins.
	mux.HandleFunc("GET /admin", h.adminHome)
	mux.HandleFunc("GET /admin/users", h.adminUsers)
	mux.HandleFunc("POST /admin/users/{name}/role", h.setRole)
	mux.HandleFunc("GET /admin/audit", h.audit)
}

// MeLink is the account page's entry for a member's notices.
func MeLink() views.MeLink {
	return views.MeLink{URL: "/notices", Title: "Notices from the moderators",
		Text: "Messages the moderators sent you about your use of the site, and your replies to them."}
}

// member returns the logged-in member, or sends an anonymous visitor to log in.
func (h *Handlers) requireMember(w http.ResponseWriter, r *http.Request) (*account.User, bool) {
	u := account.UserFrom(r.Context())
	if u == nil {
		web.RequireLogin(w, r)
		return nil, false
	}
	return u, true
}

func (h *Handlers) requireStaff(w http.ResponseWriter, r *http.Request) (*account.User, bool) {
	u, ok := h.requireMember(w, r)
	if !ok {
		return nil, false
	}
	if !u.IsStaff() {
		h.web.Forbidden(w, r, "Only moderators and administrators can open the moderation tools. To tell them about a problem, use the Report link next to it.")
		return nil, false
	}
	return u, true
}

func (h *Handlers) requireAdmin(w http.ResponseWriter, r *http.Request) (*account.User, bool) {
	u, ok := h.requireMember(w, r)
	if !ok {
		return nil, false
	}
	if !u.IsAdmin() {
		h.web.Forbidden(w, r, "Only administrators can open this page.")
		return nil, false
	}
	return u, true
}

func pathID(r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	return id, err == nil && id > 0
}

// fail answers an error from the service: what the person can fix, what does not
// exist, or a server error that reveals nothing.
func (h *Handlers) fail(w http.ResponseWriter, r *http.Request, err error) {
	var input *InputError
	switch {
	case IsNotFound(err):
		h.web.NotFound(w, r)
	case errors.Is(err, ErrNotStaff), errors.Is(err, ErrNotAdmin):
		h.web.Forbidden(w, r, err.Error())
	case errors.Is(err, ErrRateLimited):
		h.web.Error(w, r, http.StatusTooManyRequests, "Please wait a moment", err.Error())
	case errors.As(err, &input):
		msg := input.Fields["form"]
		for _, v := range input.Fields {
			if msg == "" {
				msg = v
			}
		}
		h.web.Error(w, r, http.StatusUnprocessableEntity, "Not done", msg+" Go back and try again.")
	default:
		h.web.ServerError(w, r, err)
	}
}

// Banners returns the site banners moderation adds for a member: unread notices, a
// silence in force, and for staff the work that waits for them.
func (h *Handlers) Banners(r *http.Request, u *account.User) []views.Banner {
	ctx := r.Context()
	var out []views.Banner
	if n, err := h.svc.UnreadCount(ctx, u.ID); err == nil && n > 0 {
		text := "The moderators sent you a notice. Please read it."
		if n > 1 {
			text = fmt.Sprintf("You have %d unread notices from the moderators. Please read them.", n)
		}
		out = append(out, views.Banner{Kind: "notice", Text: text, Link: "/notices", Action: "Read it"})
	}
	if x, ok, err := h.svc.activeSanction(ctx, u.ID, false); err == nil && ok && x.Kind == Silence {
		out = append(out, views.Banner{Kind: "notice", Text: "You are silenced until " + FormatTime(x.EndsAt) +
			": you can read and reply to the moderators, but not post or chat.", Link: "/notices", Action: "Why?"})
	}
	if u.IsStaff() && !isModPage(r) {
		reports, err1 := h.svc.OpenReportCount(ctx)
		replies, err2 := h.svc.AwaitingCount(ctx)
		if err1 == nil && err2 == nil && reports+replies > 0 {
			out = append(out, views.Banner{Kind: "info", Text: staffWork(reports, replies), Link: "/mod", Action: "Open the queue"})
		}
	}
	return out
}

func isModPage(r *http.Request) bool {
	p := r.URL.Path
	return p == "/mod" || len(p) > 5 && p[:5] == "/mod/"
}

func staffWork(reports, replies int) string {
	switch {
	case reports > 0 && replies > 0:
		return fmt.Sprintf("Moderation: %s in the queue and %s from members waiting.", plural(reports, "reported item"), plural(replies, "notice reply"))
	case reports > 0:
		return fmt.Sprintf("Moderation: %s waiting in the queue.", plural(reports, "reported item"))
	}
	return fmt.Sprintf("Moderation: %s from members waiting.", plural(replies, "notice reply"))
}
