package privacy

import (
	"fmt"
	"net/http"

	"stoa/views"
	"stoa/web"
)

func (h *Handlers) contactForm(w http.ResponseWriter, r *http.Request) {
	d := views.ContactData{}
	if m := h.viewer(r); m != nil {
		d.Member, d.HasEmail = true, m.MailTo() != ""
	}
	d.Sent = r.URL.Query().Get("sent") == "1"
	h.web.Render(w, r, http.StatusOK, views.Contact(h.web.Page(r, "Contact", ""), d))
}

func (h *Handlers) contact(w http.ResponseWriter, r *http.Request) {
	if err := web.ParseForm(w, r); err != nil {
		h.web.BadInput(w, r, err)
		return
	}
	m := h.viewer(r)
	d := views.ContactData{Subject: r.PostFormValue("subject"), Body: r.PostFormValue("body"), ReplyTo: r.PostFormValue("reply_to")}
	var userID int64
	key := "ip:" + h.web.ClientKey(r)
	if m != nil {
		userID, d.Member, d.HasEmail = m.ID, true, m.MailTo() != ""
		key = fmt.Sprintf("member:%d", m.ID)
	}
	if r.PostFormValue("website") != "" {
		// Only robots fill in the hidden field; tell them it worked and keep nothing.
		http.Redirect(w, r, "/contact?sent=1", http.StatusSeeOther)
		return
	}
	var err error = errTooManyMessages
	if h.contactLimit.Allow(key) {
		_, err = h.enquiries.Submit(r.Context(), userID, d.ReplyTo, d.Subject, d.Body)
	}
	if fields, status, ok := web.FormErrors(w, err); ok {
		d.Errors = fields
		h.web.Render(w, r, status, views.Contact(h.web.Page(r, "Contact", ""), d))
		return
	}
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/contact?sent=1", http.StatusSeeOther)
}

var errTooManyMessages = web.Refused(http.StatusTooManyRequests,
	"You have sent several messages in a short time. Wait a few minutes, then try again; your text is still here.")

func enquiryRow(e *Enquiry, url string) views.EnquiryRow {
	from := "an anonymous visitor"
	if e.UserID != 0 {
		from = e.Username
	}
	return views.EnquiryRow{ID: e.ID, URL: url, Subject: e.Subject, From: from, Status: e.Status, Date: date(e.UpdatedAt), Unread: e.Unread}
}

func (h *Handlers) myEnquiries(w http.ResponseWriter, r *http.Request, m *Member) {
	list, err := h.enquiries.ForMember(r.Context(), m.ID)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	var rows []views.EnquiryRow
	for i := range list {
		rows = append(rows, enquiryRow(&list[i], fmt.Sprintf("/me/enquiries/%d", list[i].ID)))
	}
	h.web.Render(w, r, http.StatusOK, views.EnquiryList(h.web.Page(r, "Your enquiries", "me"), "Your enquiries", false, "", rows))
}

// loadEnquiry loads the enquiry in the path; mine limits it to the member's own.
func (h *Handlers) loadEnquiry(w http.ResponseWriter, r *http.Request, m *Member, mine bool) (*Enquiry, bool) {
	id, ok := web.PathID(r, "id")
	if !ok {
		h.web.NotFound(w, r)
		return nil, false
	}
	e, err := h.enquiries.Get(r.Context(), id)
	if err == nil && mine && e.UserID != m.ID {
		err = ErrNotFound
	}
	if err != nil {
		h.web.Fail(w, r, err)
		return nil, false
	}
	return e, true
}

func (h *Handlers) enquiryData(e *Enquiry, staff bool) views.EnquiryData {
	row := enquiryRow(e, "")
	d := views.EnquiryData{ID: e.ID, Subject: e.Subject, From: row.From, Status: e.Status, Date: dateTime(e.CreatedAt), Body: e.Body, Staff: staff}
	if !staff {
		d.From = "you"
	}
	for _, msg := range e.Messages {
		author := msg.Author
		if author == "" {
			author = row.From
		}
		d.Messages = append(d.Messages, views.EnquiryMessageView{FromStaff: msg.FromStaff, Author: author, Body: msg.Body, Date: dateTime(msg.CreatedAt)})
	}
	switch {
	case e.UserID != 0:
		d.CanAnswer = true
		d.AnswerBy = "The member reads your answer on their account page, and by email if they gave an address (which you do not see)."
	case e.HasReply:
		d.CanAnswer = true
		d.AnswerBy = "Your answer is emailed to the address the sender left. You do not see the address; the site sends it for you."
	}
	return d
}

func (h *Handlers) myEnquiry(w http.ResponseWriter, r *http.Request, m *Member) {
	e, ok := h.loadEnquiry(w, r, m, true)
	if !ok {
		return
	}
	if e.Unread > 0 {
		if err := h.enquiries.MarkRead(r.Context(), m.ID, e.ID); err != nil {
			h.web.Fail(w, r, err)
			return
		}
	}
	h.web.Render(w, r, http.StatusOK, views.Enquiry(h.web.Page(r, e.Subject, "me"), h.enquiryData(e, false)))
}

func (h *Handlers) followUp(w http.ResponseWriter, r *http.Request, m *Member) {
	e, ok := h.loadEnquiry(w, r, m, true)
	if !ok {
		return
	}
	body := r.PostFormValue("body")
	err := h.enquiries.FollowUp(r.Context(), m.ID, e.ID, body)
	if fields, status, ok := web.FormErrors(w, err); ok {
		d := h.enquiryData(e, false)
		d.Reply, d.Errors = body, fields
		h.web.Render(w, r, status, views.Enquiry(h.web.Page(r, e.Subject, "me"), d))
		return
	}
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/me/enquiries/%d", e.ID), http.StatusSeeOther)
}

func (h *Handlers) inbox(w http.ResponseWriter, r *http.Request, _ *Member) {
	status := r.URL.Query().Get("status")
	switch status {
	case "answered", "closed":
	case "all":
		status = ""
	default:
		status = "open"
	}
	list, err := h.enquiries.Inbox(r.Context(), status, 100, 0)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	var rows []views.EnquiryRow
	for i := range list {
		rows = append(rows, enquiryRow(&list[i], fmt.Sprintf("/mod/enquiries/%d", list[i].ID)))
	}
	h.web.Render(w, r, http.StatusOK, views.EnquiryList(h.web.Page(r, "Enquiries", "mod"), "Enquiries", true, status, rows))
}

func (h *Handlers) staffEnquiry(w http.ResponseWriter, r *http.Request, m *Member) {
	e, ok := h.loadEnquiry(w, r, m, false)
	if !ok {
		return
	}
	h.web.Render(w, r, http.StatusOK, views.Enquiry(h.web.Page(r, e.Subject, "mod"), h.enquiryData(e, true)))
}

func (h *Handlers) answer(w http.ResponseWriter, r *http.Request, m *Member) {
	e, ok := h.loadEnquiry(w, r, m, false)
	if !ok {
		return
	}
	d := h.enquiryData(e, true)
	if !d.CanAnswer {
		h.web.Fail(w, r, errNoReplyAddress)
		return
	}
	body := r.PostFormValue("body")
	err := h.enquiries.Answer(r.Context(), m, e.ID, body, r.PostFormValue("close") == "1")
	if fields, status, ok := web.FormErrors(w, err); ok {
		d.Reply, d.Errors = body, fields
		h.web.Render(w, r, status, views.Enquiry(h.web.Page(r, e.Subject, "mod"), d))
		return
	}
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/mod/enquiries/%d", e.ID), http.StatusSeeOther)
}

var errNoReplyAddress = web.Refused(http.StatusForbidden, "The sender left no address, so this enquiry cannot be answered.")
