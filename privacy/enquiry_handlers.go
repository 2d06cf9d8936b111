package privacy

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"stoa/views"
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
	if !h.parseForm(w, r) {
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
	if !h.contactLimit.Allow(key) {
		d.Errors = views.FieldError{"form": "You have sent several messages in a short time. Wait a few minutes, then try again; your text is still here."}
		h.web.Render(w, r, http.StatusTooManyRequests, views.Contact(h.web.Page(r, "Contact", ""), d))
		return
	}
	_, err := h.enquiries.Submit(r.Context(), userID, d.ReplyTo, d.Subject, d.Body)
	var input *InputError
	switch {
	case err == nil:
		http.Redirect(w, r, "/contact?sent=1", http.StatusSeeOther)
	case errors.As(err, &input):
		d.Errors = input.Fields
		h.web.Render(w, r, http.StatusUnprocessableEntity, views.Contact(h.web.Page(r, "Contact", ""), d))
	default:
		h.web.ServerError(w, r, err)
	}
}

func enquiryRow(e *Enquiry, url string) views.EnquiryRow {
	from := "an anonymous visitor"
	if e.UserID != 0 {
		from = e.Username
	}
	return views.EnquiryRow{ID: e.ID, URL: url, Subject: e.Subject, From: from, Status: e.Status, Date: date(e.UpdatedAt), Unread: e.Unread}
}

func (h *Handlers) myEnquiries(w http.ResponseWriter, r *http.Request) {
	m, ok := h.member(w, r)
	if !ok {
		return
	}
	list, err := h.enquiries.ForMember(r.Context(), m.ID)
	if err != nil {
		h.web.ServerError(w, r, err)
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
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		h.web.NotFound(w, r)
		return nil, false
	}
	e, err := h.enquiries.Get(r.Context(), id)
	if errors.Is(err, ErrNotFound) || err == nil && mine && e.UserID != m.ID {
		h.web.NotFound(w, r)
		return nil, false
	}
	if err != nil {
		h.web.ServerError(w, r, err)
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
	case e.HasReply && h.enquiries.mailer != nil:
		d.CanAnswer = true
		d.AnswerBy = "Your answer is emailed to the address the sender left. You do not see the address; the site sends it for you."
	}
	return d
}

func (h *Handlers) myEnquiry(w http.ResponseWriter, r *http.Request) {
	m, ok := h.member(w, r)
	if !ok {
		return
	}
	e, ok := h.loadEnquiry(w, r, m, true)
	if !ok {
		return
	}
	if e.Unread > 0 {
		if err := h.enquiries.MarkRead(r.Context(), m.ID, e.ID); err != nil {
			h.web.ServerError(w, r, err)
			return
		}
	}
	h.web.Render(w, r, http.StatusOK, views.Enquiry(h.web.Page(r, e.Subject, "me"), h.enquiryData(e, false)))
}

func (h *Handlers) followUp(w http.ResponseWriter, r *http.Request) {
	m, ok := h.member(w, r)
	if !ok || !h.parseForm(w, r) {
		return
	}
	e, ok := h.loadEnquiry(w, r, m, true)
	if !ok {
		return
	}
	body := r.PostFormValue("body")
	err := h.enquiries.FollowUp(r.Context(), m.ID, e.ID, body)
	var input *InputError
	switch {
	case err == nil:
		http.Redirect(w, r, fmt.Sprintf("/me/enquiries/%d", e.ID), http.StatusSeeOther)
	case errors.As(err, &input):
		d := h.enquiryData(e, false)
		d.Reply, d.Errors = body, input.Fields
		h.web.Render(w, r, http.StatusUnprocessableEntity, views.Enquiry(h.web.Page(r, e.Subject, "me"), d))
	default:
		h.web.ServerError(w, r, err)
	}
}

func (h *Handlers) inbox(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.staff(w, r); !ok {
		return
	}
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
		h.web.ServerError(w, r, err)
		return
	}
	var rows []views.EnquiryRow
	for i := range list {
		list[i].Username = h.enquiries.name(r.Context(), list[i].UserID)
		rows = append(rows, enquiryRow(&list[i], fmt.Sprintf("/mod/enquiries/%d", list[i].ID)))
	}
	h.web.Render(w, r, http.StatusOK, views.EnquiryList(h.web.Page(r, "Enquiries", "mod"), "Enquiries", true, status, rows))
}

func (h *Handlers) staffEnquiry(w http.ResponseWriter, r *http.Request) {
	m, ok := h.staff(w, r)
	if !ok {
		return
	}
	e, ok := h.loadEnquiry(w, r, m, false)
	if !ok {
		return
	}
	h.web.Render(w, r, http.StatusOK, views.Enquiry(h.web.Page(r, e.Subject, "mod"), h.enquiryData(e, true)))
}

func (h *Handlers) answer(w http.ResponseWriter, r *http.Request) {
	m, ok := h.staff(w, r)
	if !ok || !h.parseForm(w, r) {
		return
	}
	e, ok := h.loadEnquiry(w, r, m, false)
	if !ok {
		return
	}
	d := h.enquiryData(e, true)
	if !d.CanAnswer {
		h.web.Forbidden(w, r, "The sender left no address, so this enquiry cannot be answered.")
		return
	}
	body := r.PostFormValue("body")
	err := h.enquiries.Answer(r.Context(), m, e.ID, body, r.PostFormValue("close") == "1")
	var input *InputError
	switch {
	case err == nil:
		http.Redirect(w, r, fmt.Sprintf("/mod/enquiries/%d", e.ID), http.StatusSeeOther)
	case errors.As(err, &input):
		d.Reply, d.Errors = body, input.Fields
		h.web.Render(w, r, http.StatusUnprocessableEntity, views.Enquiry(h.web.Page(r, e.Subject, "mod"), d))
	default:
		h.web.ServerError(w, r, err)
	}
}

// EnquiryBanners tells a member that staff answered their enquiry.
func (h *Handlers) EnquiryBanners(r *http.Request, userID int64) []views.Banner {
	n, err := h.enquiries.UnreadAnswers(r.Context(), userID)
	if err != nil || n == 0 {
		return nil
	}
	text := "The team answered your enquiry."
	if n > 1 {
		text = fmt.Sprintf("The team sent %d answers to your enquiries.", n)
	}
	return []views.Banner{{Kind: "info", Text: text, Link: "/me/enquiries", Action: "Read"}}
}

// InboxBanners tells staff, on the inbox's own pages excepted, that enquiries wait for an
// answer.
func (h *Handlers) InboxBanners(r *http.Request) []views.Banner {
	if strings.HasPrefix(r.URL.Path, "/mod/enquiries") {
		return nil
	}
	n, err := h.enquiries.OpenCount(r.Context())
	if err != nil || n == 0 {
		return nil
	}
	text := "An enquiry waits for an answer."
	if n > 1 {
		text = fmt.Sprintf("%d enquiries wait for an answer.", n)
	}
	return []views.Banner{{Kind: "info", Text: text, Link: "/mod/enquiries", Action: "Open the inbox"}}
}
