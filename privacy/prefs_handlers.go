package privacy

import (
	"fmt"
	"net/http"

	"stoa/views"
	"stoa/web"
)

func (h *Handlers) preferences(w http.ResponseWriter, r *http.Request, m *Member) {
	h.renderPreferences(w, r, m, r.URL.Query().Get("saved") == "1")
}

func (h *Handlers) renderPreferences(w http.ResponseWriter, r *http.Request, m *Member, saved bool) {
	p, err := h.prefs.Get(r.Context(), m.ID)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	d := views.PreferencesData{Announcements: p.Announcements, HasEmail: m.MailTo() != "", Saved: saved}
	h.web.Render(w, r, http.StatusOK, views.Preferences(h.web.Page(r, "Contact preferences", "me"), d))
}

func (h *Handlers) savePreferences(w http.ResponseWriter, r *http.Request, m *Member) {
	if err := h.prefs.Set(r.Context(), m.ID, r.PostFormValue("announcements") == "1"); err != nil {
		h.web.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/me/preferences?saved=1", http.StatusSeeOther)
}

func (h *Handlers) unsubscribeForm(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	ok, err := h.prefs.ValidUnsubscribe(r.Context(), token)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	if !ok {
		h.web.Error(w, r, http.StatusNotFound, "Link not recognised",
			"This unsubscribe link is not valid. Log in and change your contact preferences instead.")
		return
	}
	h.web.Render(w, r, http.StatusOK, views.Unsubscribe(h.web.Page(r, "Unsubscribe", ""), views.UnsubscribeData{Token: token}))
}

// unsubscribe serves both the page's button and RFC 8058 one-click requests, which mail
// clients send as a POST with the body "List-Unsubscribe=One-Click" and no cookie.
func (h *Handlers) unsubscribe(w http.ResponseWriter, r *http.Request) {
	if err := web.ParseForm(w, r); err != nil {
		h.web.BadInput(w, r, err)
		return
	}
	ok, err := h.prefs.Unsubscribe(r.Context(), r.PathValue("token"))
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	if !ok {
		h.web.Error(w, r, http.StatusNotFound, "Link not recognised",
			"This unsubscribe link is not valid. Log in and change your contact preferences instead.")
		return
	}
	h.web.Render(w, r, http.StatusOK, views.Unsubscribe(h.web.Page(r, "Unsubscribed", ""), views.UnsubscribeData{Done: true}))
}

func (h *Handlers) announcements(w http.ResponseWriter, r *http.Request, _ *Member) {
	d := views.AnnouncementsData{}
	if r.URL.Query().Get("sent") != "" {
		d.Sent = "Announcement queued for " + r.URL.Query().Get("sent") + " opted-in member(s)."
	}
	h.renderAnnouncements(w, r, http.StatusOK, d)
}

func (h *Handlers) renderAnnouncements(w http.ResponseWriter, r *http.Request, status int, d views.AnnouncementsData) {
	ctx := r.Context()
	hist, err := h.prefs.Announcements(ctx, 50)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	for _, a := range hist {
		d.History = append(d.History, views.AnnouncementRow{Subject: a.Subject, Date: dateTime(a.CreatedAt), Recipients: a.Recipients})
	}
	recipients, err := h.prefs.recipients(ctx)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	d.OptedIn = len(recipients)
	h.web.Render(w, r, status, views.Announcements(h.web.Page(r, "Announcements", "admin"), d))
}

func (h *Handlers) sendAnnouncement(w http.ResponseWriter, r *http.Request, admin *Member) {
	d := views.AnnouncementsData{Subject: r.PostFormValue("subject"), Body: r.PostFormValue("body")}
	n, err := h.prefs.Announce(r.Context(), admin.ID, d.Subject, d.Body)
	if fields, status, ok := web.FormErrors(w, err); ok {
		d.Errors = fields
		h.renderAnnouncements(w, r, status, d)
		return
	}
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/announcements?sent=%d", n), http.StatusSeeOther)
}
