package account

import (
	"errors"
	"net/http"
	"strings"

	"stoa/storage"
	"stoa/views"
	"stoa/web"
)

// EmailHandlers serves what needs the member's email: confirming an address, changing or
// removing it, and resetting a forgotten password.
type EmailHandlers struct {
	svc   *Service
	web   *web.Responder
	guard Guard
}

// NewEmailHandlers returns the email and password reset pages.
func NewEmailHandlers(svc *Service, w *web.Responder) *EmailHandlers {
	return &EmailHandlers{svc: svc, web: w, guard: Guard{Web: w}}
}

// MeLink is the entry for the account page.
func (h *EmailHandlers) MeLink() views.MeLink {
	return views.MeLink{URL: "/me/email", Title: "Email address",
		Text: "Add, confirm, change or remove the address used for password resets and notices."}
}

// Routes mounts the email and password reset pages.
func (h *EmailHandlers) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /forgot", h.forgotForm)
	mux.HandleFunc("POST /forgot", h.forgot)
	mux.HandleFunc("GET /reset/{token}", h.resetForm)
	mux.HandleFunc("POST /reset/{token}", h.reset)
	mux.HandleFunc("GET /me/email", h.guard.Member(h.emailPage))
	mux.HandleFunc("POST /me/email", h.guard.Member(h.changeEmail))
	mux.HandleFunc("POST /me/email/resend", h.guard.Member(h.resendConfirmation))
	mux.HandleFunc("POST /me/email/remove", h.guard.Member(h.removeEmail))
	mux.HandleFunc("GET /me/email/confirm/{token}", h.confirmForm)
	mux.HandleFunc("POST /me/email/confirm/{token}", h.confirm)
}

func (h *EmailHandlers) emailPage(w http.ResponseWriter, r *http.Request, u *User) {
	h.renderEmail(w, r, u, http.StatusOK, views.EmailSettings{})
}

// renderEmail shows the address page with the member's current state filled in.
func (h *EmailHandlers) renderEmail(w http.ResponseWriter, r *http.Request, u *User, status int, d views.EmailSettings) {
	st, err := h.svc.EmailStatus(r.Context(), u.ID)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	d.Current, d.Confirmed, d.Pending, d.MailOff = st.Current, st.Confirmed, st.Pending, st.MailOff
	h.web.Render(w, r, status, views.EmailSettingsPage(h.web.Page(r, "Email address", "me"), d))
}

func (h *EmailHandlers) changeEmail(w http.ResponseWriter, r *http.Request, u *User) {
	d := views.EmailSettings{NewEmail: r.PostFormValue("email")}
	address, err := h.svc.ChangeEmail(r.Context(), u, d.NewEmail, r.PostFormValue("password"))
	if fields, status, ok := web.FormErrors(w, err); ok {
		d.Errors = fields
		h.renderEmail(w, r, u, status, d)
		return
	}
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	h.renderEmail(w, r, u, http.StatusOK, views.EmailSettings{Notice: "We sent a confirmation link to " + address +
		". Your address changes when you open it; the link works for 48 hours."})
}

func (h *EmailHandlers) resendConfirmation(w http.ResponseWriter, r *http.Request, u *User) {
	sentTo, err := h.svc.ResendConfirmation(r.Context(), u)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	notice := "Your address needs no confirmation."
	if sentTo != "" {
		notice = "We sent a new confirmation link to " + sentTo + ". Earlier links no longer work."
	}
	h.renderEmail(w, r, u, http.StatusOK, views.EmailSettings{Notice: notice})
}

func (h *EmailHandlers) removeEmail(w http.ResponseWriter, r *http.Request, u *User) {
	err := h.svc.RemoveEmail(r.Context(), u, r.PostFormValue("password"))
	if fields, status, ok := web.FormErrors(w, err); ok {
		h.renderEmail(w, r, u, status, views.EmailSettings{Errors: fields})
		return
	}
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	h.renderEmail(w, r, u, http.StatusOK, views.EmailSettings{Notice: "Your email address is removed. Mail waiting to be sent to it was dropped."})
}

func (h *EmailHandlers) confirmForm(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	username, address, err := h.svc.PeekConfirmation(r.Context(), token)
	if err != nil {
		h.linkFailed(w, r, err, "Open your email settings to get a new one.", "/me/email", "Email settings")
		return
	}
	h.web.Render(w, r, http.StatusOK, views.ConfirmEmail(h.web.Page(r, "Confirm your email address", ""),
		views.ConfirmEmailData{Token: token, Username: username, Email: address}))
}

// confirm needs no login: the link itself proves the address is the member's, and it
// may be opened on a device where they are not logged in.
func (h *EmailHandlers) confirm(w http.ResponseWriter, r *http.Request) {
	address, err := h.svc.ConfirmEmail(r.Context(), r.PathValue("token"))
	if err != nil {
		h.linkFailed(w, r, err, "Open your email settings to get a new one.", "/me/email", "Email settings")
		return
	}
	next, label := "/me/email", "Your email settings"
	if UserFrom(r.Context()) == nil {
		next, label = "/login", "Log in"
	}
	h.web.Render(w, r, http.StatusOK, views.Message(h.web.Page(r, "Address confirmed", ""), "Address confirmed",
		address+" is now the confirmed address of your account.", next, label))
}

func (h *EmailHandlers) forgotForm(w http.ResponseWriter, r *http.Request) {
	h.web.Render(w, r, http.StatusOK, views.Forgot(h.web.Page(r, "Forgot your password?", ""),
		views.ForgotForm{MailOff: h.svc.MailOff()}))
}

// forgot asks for reset links. The answer is the same page whether or not any account
// matched.
func (h *EmailHandlers) forgot(w http.ResponseWriter, r *http.Request) {
	if err := web.ParseForm(w, r); err != nil {
		h.web.BadInput(w, r, err)
		return
	}
	f := views.ForgotForm{Login: strings.TrimSpace(r.PostFormValue("login")), MailOff: h.svc.MailOff()}
	err := h.svc.RequestReset(r.Context(), f.Login, h.web.ClientKey(r))
	if e := web.AsError(err); e != nil && len(e.Fields) > 0 {
		f.Errors, _, _ = web.FormErrors(w, err)
		h.web.Render(w, r, e.Status, views.Forgot(h.web.Page(r, "Forgot your password?", ""), f))
		return
	}
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	h.web.Render(w, r, http.StatusOK, views.Message(h.web.Page(r, "Check your email", ""), "Check your email",
		"If an account with that username or email address has an email address, we have sent it a link to choose a new password. "+
			"The link works once, within an hour. If nothing arrives in a few minutes, check your spam folder.", "/login", "Back to log in"))
}

func (h *EmailHandlers) resetForm(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	username, err := h.svc.PeekReset(r.Context(), token)
	if err != nil {
		h.resetFailed(w, r, err)
		return
	}
	h.web.Render(w, r, http.StatusOK, views.ResetPassword(h.web.Page(r, "Choose a new password", ""),
		views.ResetForm{Token: token, Username: username}))
}

func (h *EmailHandlers) reset(w http.ResponseWriter, r *http.Request) {
	if err := web.ParseForm(w, r); err != nil {
		h.web.BadInput(w, r, err)
		return
	}
	token := r.PathValue("token")
	err := h.svc.ResetPassword(r.Context(), token, r.PostFormValue("password"))
	if fields, status, ok := web.FormErrors(w, err); ok {
		// The password was refused before the link was looked at; say so only if the
		// link still works.
		username, err := h.svc.PeekReset(r.Context(), token)
		if err != nil {
			h.resetFailed(w, r, err)
			return
		}
		h.web.Render(w, r, status, views.ResetPassword(h.web.Page(r, "Choose a new password", ""),
			views.ResetForm{Token: token, Username: username, Errors: fields}))
		return
	}
	if err != nil {
		h.resetFailed(w, r, err)
		return
	}
	// This browser's session ended with the others; the next request forgets its cookie.
	h.web.Render(w, r, http.StatusOK, views.Message(h.web.Page(r, "Password changed", ""), "Password changed",
		"Your new password is saved, and every device that was logged in to your account has been logged out. Log in with the new password.",
		"/login", "Log in"))
}

func (h *EmailHandlers) resetFailed(w http.ResponseWriter, r *http.Request, err error) {
	h.linkFailed(w, r, err, "Ask for a new reset link; it works for an hour.", "/forgot", "Ask for a new link")
}

// linkFailed explains an unknown, used or expired one-time link, or reports a real error.
func (h *EmailHandlers) linkFailed(w http.ResponseWriter, r *http.Request, err error, what, next, label string) {
	if !errors.Is(err, storage.ErrNotFound) {
		h.web.Fail(w, r, err)
		return
	}
	h.web.Render(w, r, http.StatusGone, views.Message(h.web.Page(r, "This link no longer works", ""),
		"This link no longer works", "The link has expired or was already used. "+what, next, label))
}
