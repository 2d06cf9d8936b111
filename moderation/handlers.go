package moderation

import (
	"fmt"
	"net/http"

	"stoa/account"
	"stoa/views"
	"stoa/web"
)

// Handlers serves the moderation pages: reporting, members' notices, the review queue,
// members' records, the public moderation log and the administration pages for roles
// and the audit log. Each handler checks the role (through the guard), reads the request,
// calls the service and renders.
type Handlers struct {
	svc   *Service
	web   *web.Responder
	guard account.Guard
	// adminLinks are the entries other features add to the admin dashboard.
	adminLinks []views.MeLink
}

// NewHandlers returns the moderation pages. adminLinks are the dashboard entries of the
// other features, listed after moderation's own.
func NewHandlers(svc *Service, w *web.Responder, adminLinks []views.MeLink) *Handlers {
	return &Handlers{svc: svc, web: w, guard: account.Guard{Web: w}, adminLinks: adminLinks}
}

// Routes mounts the moderation pages.
func (h *Handlers) Routes(mux *http.ServeMux) {
	member, staff, admin := h.guard.Member, h.guard.Staff, h.guard.Admin
	// Members.
	mux.HandleFunc("GET /report", member(h.reportForm))
	mux.HandleFunc("POST /report", member(h.report))
	mux.HandleFunc("GET /notices", member(h.notices))
	mux.HandleFunc("GET /notices/{id}", member(h.notice))
	mux.HandleFunc("POST /notices/{id}/reply", member(h.noticeReply))
	// Everyone.
	mux.HandleFunc("GET /modlog", h.modlog)
	// Moderators and admins.
	mux.HandleFunc("GET /mod", staff(h.queue))
	mux.HandleFunc("GET /mod/review/{kind}/{id}", staff(h.review))
	mux.HandleFunc("POST /mod/review/{kind}/{id}", staff(h.act))
	mux.HandleFunc("GET /mod/users/{name}", staff(h.member))
	mux.HandleFunc("POST /mod/users/{name}", staff(h.actOnMember))
	mux.HandleFunc("POST /mod/users/{name}/notes", staff(h.addNote))
	mux.HandleFunc("POST /mod/users/{name}/sanctions/{id}/lift", staff(h.lift))
	mux.HandleFunc("GET /mod/deleted/{id}", staff(h.deletedRecord))
	mux.HandleFunc("GET /mod/notices", staff(h.staffNotices))
	mux.HandleFunc("GET /mod/notices/{id}", staff(h.staffNotice))
	mux.HandleFunc("POST /mod/notices/{id}/reply", staff(h.staffNoticeReply))
	// Admins.
	mux.HandleFunc("GET /admin", admin(h.adminHome))
	mux.HandleFunc("GET /admin/users", admin(h.adminUsers))
	mux.HandleFunc("GET /admin/users/{name}", admin(h.adminMember))
	mux.HandleFunc("POST /admin/users/{name}/reset-link", admin(h.resetLink))
	mux.HandleFunc("POST /admin/users/{name}/role", admin(h.setRole))
	mux.HandleFunc("GET /admin/audit", admin(h.audit))
}

// MeLink is the account page's entry for a member's notices.
func MeLink() views.MeLink {
	return views.MeLink{URL: "/notices", Title: "Notices from the moderators",
		Text: "Messages the moderators sent you about your use of the site, and your replies to them."}
}

// formProblem returns the messages to show beside a form for err, when err is something
// the person fixes by changing what they typed; other refusals get an error page.
func formProblem(w http.ResponseWriter, err error) (views.FieldError, bool) {
	fields, status, ok := web.FormErrors(w, err)
	return fields, ok && status == http.StatusUnprocessableEntity
}

// Banners returns the site banners moderation adds for a member: unread notices, a
// silence or suspension in force, and for staff the work that waits for them.
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
	if x, ok, err := h.svc.sanctions.active(ctx, u.ID, false); err == nil && ok && x.Kind == Silence {
		out = append(out, views.Banner{Kind: "notice", Text: "You are silenced until " + FormatTime(x.EndsAt) +
			": you can read and reply to the moderators, but not post or chat.", Link: "/notices", Action: "Why?"})
	} else if err == nil && ok && x.Kind == Suspend {
		out = append(out, views.Banner{Kind: "notice", Text: "Your account is suspended until " + FormatTime(x.EndsAt) +
			": you signed in to read and answer the moderators' notices, and can do nothing else that writes.", Link: "/notices", Action: "Why?"})
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
