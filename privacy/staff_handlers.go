package privacy

import (
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"stoa/views"
	"stoa/web"
)

// Audit actions for staff access to personal data.
const (
	ActionViewEmail   = "view_email"
	ActionLegalExport = "export_member_data"
)

func (h *Handlers) personalData(w http.ResponseWriter, r *http.Request, _ *Member) {
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

// accessTarget loads the member named in the path for an audited access, answering 404
// for an unknown one.
func (h *Handlers) accessTarget(w http.ResponseWriter, r *http.Request) (*Member, bool) {
	target, err := h.members.ByUsername(r.Context(), r.PathValue("name"))
	if err != nil {
		h.web.Fail(w, r, err)
		return nil, false
	}
	return target, true
}

func (h *Handlers) emailForm(w http.ResponseWriter, r *http.Request, _ *Member) {
	h.accessForm(w, r, "email")
}

func (h *Handlers) legalExportForm(w http.ResponseWriter, r *http.Request, _ *Member) {
	h.accessForm(w, r, "export")
}

func (h *Handlers) accessForm(w http.ResponseWriter, r *http.Request, action string) {
	target, ok := h.accessTarget(w, r)
	if !ok {
		return
	}
	d := views.StaffAccessData{Username: target.Username, Action: action}
	h.web.Render(w, r, http.StatusOK, views.StaffAccess(h.web.Page(r, "Personal data", "admin"), d))
}

var errNoReason = web.Invalid("reason", "Say in a few words (up to 500 characters) why you need this; it goes into the audit log.")

// audited checks the reason and writes the audit entry before any personal data is
// shown; it answers for itself and returns false when the access must not happen.
func (h *Handlers) audited(w http.ResponseWriter, r *http.Request, admin, target *Member, action, form string) bool {
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	var err error = errNoReason
	if n := utf8.RuneCountInString(reason); n >= 5 && len(reason) <= 500 {
		err = h.auditor.Record(r.Context(), admin.ID, action, target.ID, reason)
	}
	if fields, status, ok := web.FormErrors(w, err); ok {
		d := views.StaffAccessData{Username: target.Username, Action: form, Reason: reason, Errors: fields}
		h.web.Render(w, r, status, views.StaffAccess(h.web.Page(r, "Personal data", "admin"), d))
		return false
	}
	if err != nil {
		h.web.Fail(w, r, err)
		return false
	}
	return true
}

func (h *Handlers) showEmail(w http.ResponseWriter, r *http.Request, admin *Member) {
	target, ok := h.accessTarget(w, r)
	if !ok || !h.audited(w, r, admin, target, ActionViewEmail, "email") {
		return
	}
	// Never cached: the page holds personal data.
	w.Header().Set("Cache-Control", "no-store")
	d := views.StaffAccessData{Username: target.Username, Action: "email", Email: target.Email, Confirmed: target.Confirmed, Shown: true}
	h.web.Render(w, r, http.StatusOK, views.StaffAccess(h.web.Page(r, "Personal data", "admin"), d))
}

func (h *Handlers) legalExport(w http.ResponseWriter, r *http.Request, admin *Member) {
	target, ok := h.accessTarget(w, r)
	if !ok || !h.audited(w, r, admin, target, ActionLegalExport, "export") {
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

func (h *Handlers) adminAnalytics(w http.ResponseWriter, r *http.Request, _ *Member) {
	const days = 30
	rep, err := h.analytics.Report(r.Context(), days)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	d := views.AnalyticsData{Days: days, Total: rep.Total, Views: lineChart(rep.Days),
		Browsers: barChart(rep.Browsers), Pages: barChart(rep.Pages)}
	for _, v := range rep.Referrers {
		d.Referrers = append(d.Referrers, views.CountRow{Value: v.Value, Count: v.Count})
	}
	h.web.Render(w, r, http.StatusOK, views.Analytics(h.web.Page(r, "Visit statistics", "admin"), d))
}
