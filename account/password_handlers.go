package account

import (
	"net/http"

	"stoa/views"
	"stoa/web"
)

// PasswordLink is the account page's entry for changing one's password.
func PasswordLink() views.MeLink {
	return views.MeLink{URL: "/me/password", Title: "Password",
		Text: "Change your password. Every other device logged in to your account is logged out."}
}

func (h *Handlers) passwordForm(w http.ResponseWriter, r *http.Request, u *User) {
	h.web.Render(w, r, http.StatusOK, views.ChangePassword(h.web.Page(r, "Change your password", "me"), views.PasswordForm{}))
}

// changePassword checks the current password, saves the new one and ends the account's
// other sessions; this browser gets a new session and stays logged in.
func (h *Handlers) changePassword(w http.ResponseWriter, r *http.Request, u *User) {
	token, err := h.svc.ChangePassword(r.Context(), u, r.PostFormValue("current"), r.PostFormValue("password"))
	if fields, status, ok := web.FormErrors(w, err); ok {
		h.web.Render(w, r, status, views.ChangePassword(h.web.Page(r, "Change your password", "me"), views.PasswordForm{Errors: fields}))
		return
	}
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	h.setCookie(w, token)
	h.web.Render(w, r, http.StatusOK, views.Message(h.web.Page(r, "Password changed", "me"), "Password changed",
		"Your new password is saved. You stay logged in here; every other device that was logged in to your account has been logged out.",
		"/me", "Back to your account"))
}
