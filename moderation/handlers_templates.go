package moderation

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"stoa/account"
	"stoa/views"
	"stoa/web"
)

// This file serves the administrators' page of notice templates.

const templatesURL = "/admin/notice-templates"

func (h *Handlers) noticeTemplates(w http.ResponseWriter, r *http.Request, _ *account.User) {
	saved := ""
	switch r.URL.Query().Get("saved") {
	case "1":
		saved = "Saved. Moderators are offered it from now on; the change is in the audit log."
	case "removed":
		saved = "Removed. Notices already sent keep their text."
	}
	h.renderTemplates(w, r, http.StatusOK, saved, 0, nil, nil)
}

// renderTemplates shows the page; with errs, the form of template id (0: the new one)
// keeps what was posted.
func (h *Handlers) renderTemplates(w http.ResponseWriter, r *http.Request, status int, saved string, id int64, posted *NoticeTemplate, errs views.FieldError) {
	ctx := r.Context()
	version, rules, err := h.svc.CurrentRules(ctx)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	list, err := h.svc.NoticeTemplates(ctx)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	d := views.NoticeTemplatesData{AgreementVer: version, Saved: saved}
	for _, rule := range rules {
		d.Rules = append(d.Rules, views.Choice{Value: strconv.Itoa(rule.Number), Label: fmt.Sprintf("%d. %s", rule.Number, rule.Text)})
	}
	row := func(nt *NoticeTemplate) views.NoticeTemplateRow {
		v := views.NoticeTemplateRow{ID: nt.ID, Title: nt.Title, Body: nt.Body, SaveURL: templatesURL}
		if nt.Rule > 0 {
			v.Rule = strconv.Itoa(nt.Rule)
			v.Stale = !slices.ContainsFunc(rules, func(x Rule) bool { return x.Number == nt.Rule })
		}
		if nt.ID != 0 {
			v.SaveURL = fmt.Sprintf("%s/%d", templatesURL, nt.ID)
			v.DeleteURL = v.SaveURL + "/delete"
		}
		for _, rs := range Reasons() {
			v.Reasons = append(v.Reasons, views.ModReasonChoice{Value: string(rs), Label: rs.Label(), Checked: slices.Contains(nt.Reasons, rs)})
		}
		return v
	}
	for _, nt := range list {
		v := row(nt)
		if posted != nil && id == nt.ID {
			v = row(posted)
			v.Errors = errs
		}
		d.Templates = append(d.Templates, v)
	}
	d.New = row(&NoticeTemplate{})
	if posted != nil && id == 0 {
		d.New = row(posted)
		d.New.Errors = errs
	}
	h.web.Render(w, r, status, views.NoticeTemplates(h.web.Page(r, "Notice templates", "admin"), d))
}

// postedTemplate reads a template's form.
func postedTemplate(r *http.Request, id int64) *NoticeTemplate {
	nt := &NoticeTemplate{ID: id, Title: r.PostFormValue("title"), Body: r.PostFormValue("body")}
	nt.Rule, _ = strconv.Atoi(r.PostFormValue("rule"))
	for _, v := range r.PostForm["reason"] {
		nt.Reasons = append(nt.Reasons, Reason(v))
	}
	return nt
}

func (h *Handlers) saveTemplate(w http.ResponseWriter, r *http.Request, u *account.User) {
	var id int64
	if r.PathValue("id") != "" {
		var ok bool
		if id, ok = web.PathID(r, "id"); !ok {
			h.web.NotFound(w, r)
			return
		}
	}
	nt := postedTemplate(r, id)
	_, err := h.svc.SaveNoticeTemplate(r.Context(), u, *nt)
	if fields, ok := formProblem(w, err); ok {
		h.renderTemplates(w, r, http.StatusUnprocessableEntity, "", id, nt, fields)
		return
	}
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, templatesURL+"?saved=1", http.StatusSeeOther)
}

func (h *Handlers) deleteTemplate(w http.ResponseWriter, r *http.Request, u *account.User) {
	id, ok := web.PathID(r, "id")
	if !ok {
		h.web.NotFound(w, r)
		return
	}
	if err := h.svc.DeleteNoticeTemplate(r.Context(), u, id); err != nil {
		h.web.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, templatesURL+"?saved=removed", http.StatusSeeOther)
}

// offerTemplates lists the notice templates in an action form, those whose rule answers
// the reports' reasons first. With fill, the rules those reasons map to are ticked, and
// a template the moderator picked (?template=ID) fills the notice and ticks its rule.
func (h *Handlers) offerTemplates(r *http.Request, f *views.ModActionForm, reports []*Report, fill bool) error {
	if !f.CanNotice {
		return nil
	}
	list, err := h.svc.NoticeTemplates(r.Context())
	if err != nil {
		return err
	}
	mapped := rulesForReasons(list, reports)
	q := r.URL.Query()
	picked := q.Get("template")
	q.Del("done")
	tick := func(rule int) {
		for i := range f.Rules {
			if f.Rules[i].Number == rule {
				f.Rules[i].Checked = true
			}
		}
	}
	for _, nt := range list {
		id := strconv.FormatInt(nt.ID, 10)
		q.Set("template", id)
		c := views.ModTemplateChoice{Title: nt.Title, Rule: nt.Rule, URL: f.URL + "?" + q.Encode() + "#f-notice",
			Suggested: mapped[nt.Rule], Used: fill && picked == id}
		f.Templates = append(f.Templates, c)
		if c.Used {
			f.SendNotice, f.Notice = true, nt.Body
			tick(nt.Rule)
		}
	}
	slices.SortStableFunc(f.Templates, func(a, b views.ModTemplateChoice) int {
		switch {
		case a.Suggested == b.Suggested:
			return 0
		case a.Suggested:
			return -1
		}
		return 1
	})
	if fill {
		for rule := range mapped {
			tick(rule)
		}
	}
	return nil
}
