package privacy

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"stoa/views"
)

// Audit actions for staff access to personal data.
const (
	ActionViewEmail   = "view_email"
	ActionLegalExport = "export_member_data"
)

func (h *Handlers) personalData(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.admin(w, r); !ok {
		return
	}
	q := r.URL.Query()
	d := views.PersonalDataToolsData{Username: strings.TrimSpace(q.Get("user"))}
	if d.Username != "" {
		action := q.Get("action")
		if action != "export" {
			action = "email"
		}
		if _, err := h.members.ByUsername(r.Context(), d.Username); err == nil {
			http.Redirect(w, r, "/admin/users/"+url.PathEscape(d.Username)+"/"+action, http.StatusSeeOther)
			return
		}
		d.Error = "There is no member called \"" + d.Username + "\". Check the spelling."
	}
	h.web.Render(w, r, http.StatusOK, views.PersonalDataTools(h.web.Page(r, "Personal data", "admin"), d))
}

// accessTarget loads the member named in the path for an audited access.
func (h *Handlers) accessTarget(w http.ResponseWriter, r *http.Request) (*Member, *Member, bool) {
	admin, ok := h.admin(w, r)
	if !ok {
		return nil, nil, false
	}
	target, err := h.members.ByUsername(r.Context(), r.PathValue("name"))
	if errors.Is(err, ErrNotFound) {
		h.web.NotFound(w, r)
		return nil, nil, false
	}
	if err != nil {
		h.web.ServerError(w, r, err)
		return nil, nil, false
	}
	return admin, target, true
}

func (h *Handlers) emailForm(w http.ResponseWriter, r *http.Request) {
	h.accessForm(w, r, "email")
}

func (h *Handlers) legalExportForm(w http.ResponseWriter, r *http.Request) {
	h.accessForm(w, r, "export")
}

func (h *Handlers) accessForm(w http.ResponseWriter, r *http.Request, action string) {
	_, target, ok := h.accessTarget(w, r)
	if !ok {
		return
	}
	if action == "export" && h.export == nil {
		h.web.NotFound(w, r)
		return
	}
	d := views.StaffAccessData{Username: target.Username, Action: action, NoAudit: h.auditor == nil}
	h.web.Render(w, r, http.StatusOK, views.StaffAccess(h.web.Page(r, "Personal data", "admin"), d))
}

// audited checks the reason and writes the audit entry before any personal data is
// shown; it answers for itself and returns false when the access must not happen.
func (h *Handlers) audited(w http.ResponseWriter, r *http.Request, admin, target *Member, action, form string) bool {
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	d := views.StaffAccessData{Username: target.Username, Action: form, Reason: reason}
	if h.auditor == nil {
		d.NoAudit = true
		h.web.Render(w, r, http.StatusServiceUnavailable, views.StaffAccess(h.web.Page(r, "Personal data", "admin"), d))
		return false
	}
	if utf8.RuneCountInString(reason) < 5 || len(reason) > 500 {
		d.Errors = views.FieldError{"reason": "Say in a few words (up to 500 characters) why you need this; it goes into the audit log."}
		h.web.Render(w, r, http.StatusUnprocessableEntity, views.StaffAccess(h.web.Page(r, "Personal data", "admin"), d))
		return false
	}
	if err := h.auditor.Record(r.Context(), admin.ID, action, target.ID, reason); err != nil {
		h.web.ServerError(w, r, err)
		return false
	}
	return true
}

func (h *Handlers) showEmail(w http.ResponseWriter, r *http.Request) {
	admin, target, ok := h.accessTarget(w, r)
	if !ok || !h.parseForm(w, r) || !h.audited(w, r, admin, target, ActionViewEmail, "email") {
		return
	}
	// Never cached: the page holds personal data.
	w.Header().Set("Cache-Control", "no-store")
	d := views.StaffAccessData{Username: target.Username, Action: "email", Email: target.Email, Confirmed: target.Confirmed, Shown: true}
	h.web.Render(w, r, http.StatusOK, views.StaffAccess(h.web.Page(r, "Personal data", "admin"), d))
}

func (h *Handlers) legalExport(w http.ResponseWriter, r *http.Request) {
	admin, target, ok := h.accessTarget(w, r)
	if !ok || !h.parseForm(w, r) {
		return
	}
	if h.export == nil {
		h.web.NotFound(w, r)
		return
	}
	if !h.audited(w, r, admin, target, ActionLegalExport, "export") {
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="stoa-`+target.Username+`-data.zip"`)
	w.Header().Set("Cache-Control", "no-store")
	if err := h.export(r.Context(), target.ID, w); err != nil {
		// Headers are gone; the truncated archive fails to open, and the log says why.
		if h.web.Log != nil {
			h.web.Log.Error("legal export failed", "user", target.ID, "err", err)
		}
	}
}

func (h *Handlers) adminAnalytics(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.admin(w, r); !ok {
		return
	}
	const days = 30
	rep, err := h.analytics.Report(r.Context(), days)
	if err != nil {
		h.web.ServerError(w, r, err)
		return
	}
	d := views.AnalyticsData{Days: days, Total: rep.Total, Views: lineChart(rep.Days),
		Browsers: barChart(rep.Browsers), Pages: barChart(rep.Pages)}
	for _, v := range rep.Referrers {
		d.Referrers = append(d.Referrers, views.CountRow{Value: v.Value, Count: v.Count})
	}
	h.web.Render(w, r, http.StatusOK, views.Analytics(h.web.Page(r, "Visit statistics", "admin"), d))
}
