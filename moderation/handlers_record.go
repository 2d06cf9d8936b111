package moderation

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"stoa/account"
	"stoa/views"
	"stoa/web"
)

// This file serves a member's moderation record and the staff side of notices.

func recordURL(name string) string { return "/mod/users/" + url.PathEscape(name) }

// recordMember loads the member whose record the path names.
func (h *Handlers) recordMember(r *http.Request) (*account.User, error) {
	return h.svc.accounts.ByUsername(r.Context(), r.PathValue("name"))
}

func (h *Handlers) member(w http.ResponseWriter, r *http.Request, u *account.User) {
	member, err := h.recordMember(r)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	h.renderMember(w, r, u, member, http.StatusOK, nil, "", "")
}

// renderMember shows a member's record; formErrs keeps the action form as posted, and
// note/noteErr the note form.
func (h *Handlers) renderMember(w http.ResponseWriter, r *http.Request, u, member *account.User, status int,
	formErrs views.FieldError, note, noteErr string) {
	ctx := r.Context()
	hist, err := h.svc.HistoryOf(ctx, member.ID)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	d := views.ModMemberData{Username: member.Username, DisplayName: member.DisplayName, Role: string(member.Role),
		Joined: member.CreatedAt.Format("2 January 2006"), History: hist.Summary(), NoteURL: recordURL(member.Username) + "/notes",
		Note: note, NoteError: noteErr, Done: r.URL.Query().Get("done") == "1"}
	if !member.IsStaff() {
		d.Suggestion = hist.Suggest().Label()
	}
	d.Sanctions = sanctionRows(hist, h.svc.now())
	if d.FormerHolders, err = h.svc.formerHolders(ctx, member.Username); err != nil {
		h.web.Fail(w, r, err)
		return
	}
	// One form reinstates the member: it lifts the sanction in force (the hardest, if
	// older records hold several) and every other one with it.
	if hist.Active != nil {
		d.ReinstateURL = fmt.Sprintf("%s/sanctions/%d/lift", recordURL(member.Username), hist.Active.ID)
	}
	notices, err := h.svc.NoticesFor(ctx, member.ID)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	for _, n := range notices {
		d.Notices = append(d.Notices, noticeItem(n, true))
	}
	reports, err := h.svc.ReportsAbout(ctx, member.ID, 200)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	d.Reports = reportTargets(reports)
	notes, err := h.svc.Notes(ctx, member.ID)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	for _, n := range notes {
		d.Notes = append(d.Notes, views.ModNoteRow{Author: n.Author, Body: n.Body, CreatedAt: n.CreatedAt})
	}
	if d.Form, err = h.actionForm(ctx, recordURL(member.Username), nil, member, hist, 0); err != nil {
		h.web.Fail(w, r, err)
		return
	}
	if formErrs != nil {
		keepPosted(&d.Form, r)
		d.Form.Errors = formErrs
	} else {
		d.Form.SendNotice = true
	}
	if d.Actions, err = h.targetActions(ctx, AuditFilter{TargetUserID: member.ID, Limit: 50}); err != nil {
		h.web.Fail(w, r, err)
		return
	}
	h.web.Render(w, r, status, views.ModMember(h.web.Page(r, member.Username+" · moderation", "mod"), d))
}

// sanctionRows are a record's sanctions as its page lists them.
func sanctionRows(hist *History, now time.Time) []views.ModSanctionRow {
	var out []views.ModSanctionRow
	for _, x := range hist.Sanctions {
		out = append(out, views.ModSanctionRow{Kind: string(x.Kind), Summary: strings.ToUpper(x.Describe()[:1]) + x.Describe()[1:],
			Reason: x.Reason, Starts: x.StartsAt, Ends: x.EndsAt, By: x.CreatedBy, Lifted: x.LiftedAt, LiftedBy: x.LiftedBy,
			LiftReason: x.LiftReason, InError: x.LiftedInError, Replaced: x.ReplacedBy != 0, Active: x.Active(now)})
	}
	return out
}

// reportTargets are the reports about a member, grouped by what they report.
func reportTargets(reports []*Report) []views.ModTarget {
	var out []views.ModTarget
	for _, g := range groupReports(reports) {
		last := g[len(g)-1]
		t := views.ModTarget{Label: last.SnapshotLabel, ReviewURL: reviewURL(last.Kind, last.TargetID)}
		for _, rp := range g {
			t.Reports = append(t.Reports, views.ModReport{Reporter: rp.Reporter, Reason: rp.Reason.Label(), Details: rp.Details, CreatedAt: rp.CreatedAt})
		}
		out = append(out, t)
	}
	return out
}

// groupReports groups reports by what they report, keeping the newest group first.
func groupReports(reports []*Report) [][]*Report {
	index := map[string]int{}
	var out [][]*Report
	for _, r := range reports {
		k := fmt.Sprintf("%s:%d", r.Kind, r.TargetID)
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], r)
	}
	return out
}

func (h *Handlers) actOnMember(w http.ResponseWriter, r *http.Request, u *account.User) {
	member, err := h.recordMember(r)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	d, err := parseDecision(r)
	if err == nil {
		_, err = h.svc.Act(r.Context(), u, TargetUser, member.ID, d)
	}
	if fields, ok := formProblem(w, err); ok {
		h.renderMember(w, r, u, member, http.StatusUnprocessableEntity, fields, "", "")
		return
	}
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, recordURL(member.Username)+"?done=1", http.StatusSeeOther)
}

func (h *Handlers) addNote(w http.ResponseWriter, r *http.Request, u *account.User) {
	member, err := h.recordMember(r)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	note := r.PostFormValue("note")
	err = h.svc.AddNote(r.Context(), u, member, note)
	if fields, ok := formProblem(w, err); ok {
		h.renderMember(w, r, u, member, http.StatusUnprocessableEntity, nil, note, fields["note"])
		return
	}
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, recordURL(member.Username)+"#h-notes", http.StatusSeeOther)
}

func (h *Handlers) lift(w http.ResponseWriter, r *http.Request, u *account.User) {
	member, err := h.recordMember(r)
	id, ok := web.PathID(r, "id")
	if err == nil && !ok {
		err = errNoTarget("sanction", 0)
	}
	if err == nil {
		err = h.svc.Reinstate(r.Context(), u, member, Lift{SanctionID: id, Reason: r.PostFormValue("reason"),
			InError: r.PostFormValue("in_error") == "1"})
	}
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, recordURL(member.Username)+"?done=1", http.StatusSeeOther)
}

const noticesPerPage = 50

func (h *Handlers) staffNotices(w http.ResponseWriter, r *http.Request, _ *account.User) {
	page := web.PageNumber(r)
	list, total, err := h.svc.RecentNotices(r.Context(), noticesPerPage, (page-1)*noticesPerPage)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	d := views.ModNoticesData{Pager: pager(r.URL.Path, "", page, total, noticesPerPage)}
	for _, n := range list {
		d.Notices = append(d.Notices, noticeItem(n, true))
	}
	h.web.Render(w, r, http.StatusOK, views.ModNotices(h.web.Page(r, "Notices", "mod"), d))
}

func (h *Handlers) staffNotice(w http.ResponseWriter, r *http.Request, u *account.User) {
	n, err := h.loadNotice(r, u, true)
	if err == nil {
		err = h.svc.MarkSeen(r.Context(), u, n)
	}
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	h.web.Render(w, r, http.StatusOK, views.NoticePage(h.web.Page(r, "Notice to "+n.Username, "mod"), noticePage(n, u)))
}

// pager links the neighbouring pages of a list at path, keeping the filter query.
func pager(path, query string, page, total, per int) views.Pager {
	pages := max(1, (total+per-1)/per)
	p := views.Pager{Page: page, Pages: pages}
	link := func(n int) string {
		if query != "" {
			return fmt.Sprintf("%s?%s&page=%d", path, query, n)
		}
		return fmt.Sprintf("%s?page=%d", path, n)
	}
	if page > 1 {
		p.PrevURL = link(page - 1)
	}
	if page < pages {
		p.NextURL = link(page + 1)
	}
	return p
}
