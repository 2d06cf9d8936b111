package account

import (
	"fmt"
	"net/http"

	"stoa/views"
	"stoa/web"
)

const notificationsPerPage = 30

// NotifyHandlers serves a member's notifications and their notification settings.
type NotifyHandlers struct {
	n     *Notifier
	web   *web.Responder
	guard Guard
}

// NewNotifyHandlers returns the notification pages.
func NewNotifyHandlers(n *Notifier, w *web.Responder) *NotifyHandlers {
	return &NotifyHandlers{n: n, web: w, guard: Guard{Web: w}}
}

// Routes mounts the notification pages.
func (h *NotifyHandlers) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /notifications", h.guard.Member(h.list))
	mux.HandleFunc("POST /notifications/read", h.guard.Member(h.readAll))
	mux.HandleFunc("GET /notifications/{id}", h.guard.Member(h.open))
	mux.HandleFunc("GET /me/notifications", h.guard.Member(h.prefsForm))
	mux.HandleFunc("POST /me/notifications", h.guard.Member(h.savePrefs))
}

// MeLink is the entry for the account page.
func (h *NotifyHandlers) MeLink() views.MeLink {
	return views.MeLink{URL: "/me/notifications", Title: "Notifications",
		Text: "Choose what you are notified about, and whether by email."}
}

func (h *NotifyHandlers) list(w http.ResponseWriter, r *http.Request, u *User) {
	page := web.PageNumber(r)
	items, total, err := h.n.Notifications(r.Context(), u.ID, notificationsPerPage, (page-1)*notificationsPerPage)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	unread, err := h.n.UnreadCount(r.Context(), u.ID)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	d := views.NotificationsData{Unread: unread, Total: total}
	pages := max(1, (total+notificationsPerPage-1)/notificationsPerPage)
	d.Pager = views.Pager{Page: page, Pages: pages}
	if page > 1 {
		d.Pager.PrevURL = fmt.Sprintf("/notifications?page=%d", page-1)
	}
	if page < pages {
		d.Pager.NextURL = fmt.Sprintf("/notifications?page=%d", page+1)
	}
	for _, i := range items {
		d.Items = append(d.Items, views.NotificationItem{OpenURL: fmt.Sprintf("/notifications/%d", i.ID),
			Text: i.Text(), Kind: i.Kind, CreatedAt: i.CreatedAt, Read: i.Read})
	}
	h.web.Render(w, r, http.StatusOK, views.Notifications(h.web.Page(r, "Notifications", "notifications"), d))
}

func (h *NotifyHandlers) readAll(w http.ResponseWriter, r *http.Request, u *User) {
	if err := h.n.MarkAllRead(r.Context(), u.ID); err != nil {
		h.web.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/notifications", http.StatusSeeOther)
}

// open marks a notification read and follows it. It is a GET so that it works as a plain
// link (and from email); marking one's own notification read is harmless if forged.
func (h *NotifyHandlers) open(w http.ResponseWriter, r *http.Request, u *User) {
	id, ok := web.PathID(r, "id")
	if !ok {
		h.web.NotFound(w, r)
		return
	}
	url, err := h.n.Open(r.Context(), u.ID, id)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, web.SafeNext(url), http.StatusSeeOther)
}

func (h *NotifyHandlers) prefsForm(w http.ResponseWriter, r *http.Request, u *User) {
	prefs, err := h.n.Preferences(r.Context(), u.ID)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	d := prefsData(u, prefs)
	d.Saved = r.URL.Query().Get("saved") == "1"
	settings, err := h.n.Settings(r.Context(), u.ID)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	d.AutoWatch = settings.AutoWatch
	h.web.Render(w, r, http.StatusOK, views.NotificationPrefs(h.web.Page(r, "Notification settings", "me"), d))
}

func prefsData(u *User, prefs map[string]Delivery) views.NotificationPrefsData {
	d := views.NotificationPrefsData{HasEmail: u.Email != "" && u.EmailVerified, Errors: views.FieldError{}}
	for _, k := range NotificationKinds() {
		d.Prefs = append(d.Prefs, views.NotificationPref{Kind: k.Kind, Label: k.Label, Hint: k.Hint, Delivery: string(prefs[k.Kind])})
	}
	return d
}

func (h *NotifyHandlers) savePrefs(w http.ResponseWriter, r *http.Request, u *User) {
	prefs := map[string]Delivery{}
	errs := views.FieldError{}
	anySent := false
	for _, k := range NotificationKinds() {
		_, sent := r.PostForm[k.Kind]
		anySent = anySent || sent
	}
	for _, k := range NotificationKinds() {
		if _, sent := r.PostForm[k.Kind]; !sent && anySent {
			// A form from before this kind existed keeps the member's setting for it.
			continue
		}
		d := Delivery(r.PostFormValue(k.Kind))
		switch {
		case d == DeliveryEmail && (u.Email == "" || !u.EmailVerified):
			errs[k.Kind] = "Your account has no confirmed email address, so nothing can be emailed. Choose “In Stoa” or “Off”, or add an address first."
		case d == DeliveryOff, d == DeliveryApp, d == DeliveryEmail:
			prefs[k.Kind] = d
		default:
			errs[k.Kind] = "Choose one of the options."
		}
	}
	// The form says it carries the member's other settings, so that a form without the
	// checkbox (an older page) does not turn auto-watch off.
	withSettings := r.PostFormValue("settings") == "1"
	settings := MemberSettings{AutoWatch: r.PostFormValue("auto_watch") == "1"}
	if len(errs) > 0 {
		d := prefsData(u, prefs)
		d.AutoWatch = settings.AutoWatch
		for i := range d.Prefs {
			if d.Prefs[i].Delivery == "" {
				d.Prefs[i].Delivery = r.PostFormValue(d.Prefs[i].Kind)
			}
		}
		d.Errors = errs
		d.Errors["form"] = "Nothing was saved. Fix the settings marked below and save again."
		h.web.Render(w, r, http.StatusUnprocessableEntity, views.NotificationPrefs(h.web.Page(r, "Notification settings", "me"), d))
		return
	}
	if err := h.n.SetPreferences(r.Context(), u.ID, prefs); err != nil {
		h.web.Fail(w, r, err)
		return
	}
	if withSettings {
		if err := h.n.SetSettings(r.Context(), u.ID, settings); err != nil {
			h.web.Fail(w, r, err)
			return
		}
	}
	http.Redirect(w, r, "/me/notifications?saved=1", http.StatusSeeOther)
}
