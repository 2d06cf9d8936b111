package privacy

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"stoa/views"
)

func (h *Handlers) preferences(w http.ResponseWriter, r *http.Request) {
	m, ok := h.member(w, r)
	if !ok {
		return
	}
	h.renderPreferences(w, r, m, r.URL.Query().Get("saved") == "1")
}

func (h *Handlers) renderPreferences(w http.ResponseWriter, r *http.Request, m *Member, saved bool) {
	p, err := h.prefs.Get(r.Context(), m.ID)
	if err != nil {
		h.web.ServerError(w, r, err)
		return
	}
	d := views.PreferencesData{Announcements: p.Announcements, HasEmail: m.MailTo() != "", Saved: saved}
	h.web.Render(w, r, http.StatusOK, views.Preferences(h.web.Page(r, "Contact preferences", "me"), d))
}

func (h *Handlers) savePreferences(w http.ResponseWriter, r *http.Request) {
	m, ok := h.member(w, r)
	if !ok || !h.parseForm(w, r) {
		return
	}
	if err := h.prefs.Set(r.Context(), m.ID, r.PostFormValue("announcements") == "1"); err != nil {
		h.web.ServerError(w, r, err)
		return
	}
	http.Redirect(w, r, "/me/preferences?saved=1", http.StatusSeeOther)
}

func (h *Handlers) unsubscribeForm(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	ok, err := h.prefs.ValidUnsubscribe(r.Context(), token)
	if err != nil {
		h.web.ServerError(w, r, err)
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
	if !h.parseForm(w, r) {
		return
	}
	ok, err := h.prefs.Unsubscribe(r.Context(), r.PathValue("token"))
	if err != nil {
		h.web.ServerError(w, r, err)
		return
	}
	if !ok {
		h.web.Error(w, r, http.StatusNotFound, "Link not recognised",
			"This unsubscribe link is not valid. Log in and change your contact preferences instead.")
		return
	}
	h.web.Render(w, r, http.StatusOK, views.Unsubscribe(h.web.Page(r, "Unsubscribed", ""), views.UnsubscribeData{Done: true}))
}

func (h *Handlers) announcements(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.admin(w, r); !ok {
		return
	}
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
		h.web.ServerError(w, r, err)
		return
	}
	for _, a := range hist {
		d.History = append(d.History, views.AnnouncementRow{Subject: a.Subject, Date: dateTime(a.CreatedAt), Recipients: a.Recipients})
	}
	if d.OptedIn, err = h.optedInWithEmail(ctx); err != nil {
		h.web.ServerError(w, r, err)
		return
	}
	d.MailOff = h.prefs.mailer == nil
	h.web.Render(w, r, status, views.Announcements(h.web.Page(r, "Announcements", "admin"), d))
}

func (h *Handlers) optedInWithEmail(ctx context.Context) (int, error) {
	tokens, err := h.prefs.optedIn(ctx)
	if err != nil {
		return 0, err
	}
	all, err := h.members.WithEmail(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, m := range all {
		if _, ok := tokens[m.ID]; ok {
			n++
		}
	}
	return n, nil
}

func (h *Handlers) sendAnnouncement(w http.ResponseWriter, r *http.Request) {
	admin, ok := h.admin(w, r)
	if !ok || !h.parseForm(w, r) {
		return
	}
	d := views.AnnouncementsData{Subject: r.PostFormValue("subject"), Body: r.PostFormValue("body")}
	n, err := h.prefs.Announce(r.Context(), admin.ID, d.Subject, d.Body)
	var input *InputError
	switch {
	case err == nil:
		http.Redirect(w, r, fmt.Sprintf("/admin/announcements?sent=%d", n), http.StatusSeeOther)
		return
	case errors.As(err, &input):
		d.Errors = input.Fields
	case errors.Is(err, ErrNoMail):
		d.Errors = views.FieldError{"form": err.Error()}
	default:
		h.web.ServerError(w, r, err)
		return
	}
	h.renderAnnouncements(w, r, http.StatusUnprocessableEntity, d)
}
