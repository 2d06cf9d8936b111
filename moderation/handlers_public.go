package moderation

import (
	"fmt"
	"net/http"
	"strconv"

	"stoa/account"
	"stoa/markup"
	"stoa/views"
	"stoa/web"
)

// This file serves what members use: the report form and their notices.

func reasonChoices() []views.Choice {
	var out []views.Choice
	for _, r := range Reasons() {
		out = append(out, views.Choice{Value: string(r), Label: r.Label()})
	}
	return out
}

// errNothingToReport answers a report link or form that names nothing reportable.
var errNothingToReport = web.Refused(http.StatusBadRequest, "Use the Report link next to a post, a chat message or on a member's profile.")

// reportTarget reads what the report form is about from ?post=, ?message= or ?user=.
func (h *Handlers) reportTarget(r *http.Request) (TargetKind, int64, error) {
	q := r.URL.Query()
	kind, value := TargetPost, q.Get("post")
	switch {
	case value != "":
	case q.Get("message") != "":
		kind, value = TargetMessage, q.Get("message")
	case q.Get("user") != "":
		u, err := h.svc.accounts.ByUsername(r.Context(), q.Get("user"))
		if err != nil {
			return TargetUser, 0, err
		}
		return TargetUser, u.ID, nil
	default:
		return "", 0, errNothingToReport
	}
	id, err := strconv.ParseInt(value, 10, 64)
	if err != nil {
		return "", 0, errNothingToReport.Because(err)
	}
	return kind, id, nil
}

func (h *Handlers) reportData(u *account.User, t *Target) views.ReportFormData {
	d := views.ReportFormData{Kind: string(t.Kind), Noun: t.Kind.Noun(), TargetID: t.ID, Label: t.Label, HTML: t.HTML,
		Text: t.Text, URL: t.URL, Reasons: reasonChoices()}
	if u.IsStaff() {
		d.ReviewURL = reviewURL(t.Kind, t.ID)
	}
	return d
}

func reviewURL(kind TargetKind, id int64) string { return fmt.Sprintf("/mod/review/%s/%d", kind, id) }

func (h *Handlers) reportForm(w http.ResponseWriter, r *http.Request, u *account.User) {
	kind, id, err := h.reportTarget(r)
	var t *Target
	if err == nil {
		t, err = h.svc.LoadTarget(r.Context(), u, kind, id)
	}
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	h.web.Render(w, r, http.StatusOK, views.ReportForm(h.web.Page(r, "Report", ""), h.reportData(u, t)))
}

func (h *Handlers) report(w http.ResponseWriter, r *http.Request, u *account.User) {
	kind, ok := ParseTargetKind(r.PostFormValue("kind"))
	id, err := strconv.ParseInt(r.PostFormValue("id"), 10, 64)
	if !ok || err != nil {
		h.web.Fail(w, r, errNothingToReport)
		return
	}
	in := ReportInput{Kind: kind, ID: id, Reason: Reason(r.PostFormValue("reason")), Details: r.PostFormValue("details")}
	collapsed, err := h.svc.FileReport(r.Context(), u, in)
	if fields, ok := formProblem(w, err); ok {
		t, err := h.svc.LoadTarget(r.Context(), u, kind, id)
		if err != nil {
			h.web.Fail(w, r, err)
			return
		}
		d := h.reportData(u, t)
		d.Reason, d.Details, d.Errors = string(in.Reason), in.Details, fields
		h.web.Render(w, r, http.StatusUnprocessableEntity, views.ReportForm(h.web.Page(r, "Report", ""), d))
		return
	}
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	text := "The moderators will review it. They may not reply to you, but they read every report."
	if collapsed {
		text = "You had already reported this; your report was updated rather than sent twice. The moderators will review it."
	}
	t, err := h.svc.LoadTarget(r.Context(), u, kind, id)
	if IsNotFound(err) {
		// Reports from several members hid it automatically: it is out of sight until a
		// moderator looks.
		h.web.Render(w, r, http.StatusOK, views.Message(h.web.Page(r, "Report sent", ""), "Thank you for your report",
			"Several members reported this, so it is hidden until a moderator looks at it. "+text, "/", "Back to the start page"))
		return
	}
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	h.web.Render(w, r, http.StatusOK, views.Message(h.web.Page(r, "Report sent", ""), "Thank you for your report", text,
		t.URL, "Back to the "+t.Kind.Noun()))
}

func excerpt(html string) string { return markup.Excerpt(html, 160) }

func noticeItem(n *Notice, staff bool) views.NoticeListItem {
	it := views.NoticeListItem{ID: n.ID, URL: fmt.Sprintf("/notices/%d", n.ID), CreatedAt: n.CreatedAt, ReadAt: n.ReadAt,
		Unread: n.Unread(), Excerpt: excerpt(n.HTML), Sanction: n.Sanction, Replies: n.ReplyCount}
	if staff {
		it.URL, it.Member, it.Moderator, it.Awaiting = fmt.Sprintf("/mod/notices/%d", n.ID), n.Username, n.Moderator, n.AwaitingStaff()
		it.Unread = false
	}
	return it
}

func (h *Handlers) notices(w http.ResponseWriter, r *http.Request, u *account.User) {
	list, err := h.svc.NoticesFor(r.Context(), u.ID)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	items := []views.NoticeListItem{}
	for _, n := range list {
		items = append(items, noticeItem(n, false))
	}
	h.web.Render(w, r, http.StatusOK, views.NoticeList(h.web.Page(r, "Notices", "me"), items))
}

// noticePage builds a notice's page; staff see names and read receipts, the member sees
// "the moderators".
func noticePage(n *Notice, viewer *account.User) views.NoticePageData {
	staff := viewer.ID != n.UserID
	d := views.NoticePageData{ID: n.ID, Staff: staff, Member: n.Username, From: "The moderators", HTML: n.HTML,
		AgreementVersion: n.AgreementVersion, QuoteLabel: n.QuoteLabel, QuoteHTML: n.QuoteHTML, QuoteURL: n.QuoteURL,
		Sanction: n.Sanction, CreatedAt: n.CreatedAt, ReadAt: n.ReadAt, SeenAt: n.MemberSeenAt,
		ReplyURL: fmt.Sprintf("/notices/%d/reply", n.ID), BackURL: "/notices", BackLabel: "Your notices"}
	if staff {
		d.From = n.Moderator + " (moderator)"
		d.ReplyURL, d.BackURL, d.BackLabel = fmt.Sprintf("/mod/notices/%d/reply", n.ID), "/mod/notices", "All notices"
	}
	for _, rule := range n.Rules {
		d.Rules = append(d.Rules, views.NoticeRule{Number: rule.Number, Text: rule.Text})
	}
	for _, rp := range n.Replies {
		v := views.NoticeReplyView{FromStaff: rp.FromStaff, HTML: rp.HTML, CreatedAt: rp.CreatedAt}
		switch {
		case rp.FromStaff && staff:
			v.From = rp.Author + " (moderator)"
		case rp.FromStaff:
			v.From = "The moderators"
		case staff:
			v.From = rp.Author
		default:
			v.From = "You"
		}
		d.Replies = append(d.Replies, v)
	}
	return d
}

// loadNotice loads the notice in the path for the viewer. A member's own notice lives at
// /notices/{id}, for staff too; staffRoute says the staff pages asked, which show any.
func (h *Handlers) loadNotice(r *http.Request, u *account.User, staffRoute bool) (*Notice, error) {
	id, ok := web.PathID(r, "id")
	if !ok {
		return nil, errNoTarget("notice", 0)
	}
	n, err := h.svc.Notice(r.Context(), u, id)
	if err == nil && !staffRoute && n.UserID != u.ID {
		err = errNoTarget("notice", id)
	}
	return n, err
}

func (h *Handlers) notice(w http.ResponseWriter, r *http.Request, u *account.User) {
	n, err := h.loadNotice(r, u, false)
	if err == nil {
		err = h.svc.MarkSeen(r.Context(), u, n)
	}
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	h.web.Render(w, r, http.StatusOK, views.NoticePage(h.web.Page(r, "Notice", "me"), noticePage(n, u)))
}

// noticeReply is the member answering in their notice's conversation.
func (h *Handlers) noticeReply(w http.ResponseWriter, r *http.Request, u *account.User) {
	h.replyToNotice(w, r, u, false)
}

// staffNoticeReply is a moderator answering in any notice's conversation.
func (h *Handlers) staffNoticeReply(w http.ResponseWriter, r *http.Request, u *account.User) {
	h.replyToNotice(w, r, u, true)
}

func (h *Handlers) replyToNotice(w http.ResponseWriter, r *http.Request, u *account.User, staffRoute bool) {
	n, err := h.loadNotice(r, u, staffRoute)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	body := r.PostFormValue("body")
	err = h.svc.ReplyToNotice(r.Context(), u, n, body)
	if fields, ok := formProblem(w, err); ok {
		d := noticePage(n, u)
		d.Body, d.Errors = body, fields
		h.web.Render(w, r, http.StatusUnprocessableEntity, views.NoticePage(h.web.Page(r, "Notice", "me"), d))
		return
	}
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	back := fmt.Sprintf("/notices/%d#reply", n.ID)
	if staffRoute {
		back = fmt.Sprintf("/mod/notices/%d#reply", n.ID)
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}
