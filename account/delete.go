package account

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"stoa/storage"
	"stoa/views"
	"stoa/web"
)

// FormerMember is the name shown on content kept after its author deleted their account.
const FormerMember = "former-member"

// ErrLastAdmin refuses to delete the only administrator, which would leave the site
// without anyone who can run it.
var ErrLastAdmin = errors.New("You are the only administrator. Make another member an administrator first, then delete your account.")

// DeleteAccount erases a member (P15) after checking their password. Every data source
// erases or anonymises its share in the same transaction (erase says which, for content
// others can see); the account's personal fields and sessions go. The row itself stays,
// emptied, because kept posts still point at it.
func (s *Service) DeleteAccount(ctx context.Context, userID int64, password string, erase bool) error {
	u, err := s.store.ByID(ctx, userID)
	if err != nil {
		return err
	}
	_, hash, err := s.store.passwordHash(ctx, u.Username)
	if err != nil {
		return err
	}
	ok, err := CheckPassword(hash, password)
	if err != nil {
		return fmt.Errorf("account: check password of %d: %w", userID, err)
	}
	if !ok {
		return ErrBadCredentials
	}
	now := s.now().Unix()
	return s.store.db.Write(ctx, func(tx *storage.Tx) error {
		// Checked inside the write, which is serialised, so two admins deleting their
		// accounts at once cannot both leave.
		var others int
		if err := tx.QueryRow("select count(*) from users where role = 'admin' and deleted_at is null and id != ?", userID).Scan(&others); err != nil {
			return fmt.Errorf("account: count admins: %w", err)
		}
		if u.IsAdmin() && others == 0 {
			return ErrLastAdmin
		}
		for _, ds := range s.dataSources {
			if err := ds.EraseUser(tx, userID, erase); err != nil {
				return fmt.Errorf("account: delete member %d: %w", userID, err)
			}
		}
		if err := DeleteSessionsOf(tx, userID); err != nil {
			return err
		}
		// One-time links (password reset, address confirmation) carry the address too.
		if _, err := tx.Exec("delete from account_tokens where user_id = ?", userID); err != nil {
			return fmt.Errorf("account: delete member %d: %w", userID, err)
		}
		// The username key becomes one no one can register ('#' is not allowed in names),
		// which frees the name itself; the password hash can match no password.
		_, err := tx.Exec(`update users set username = ?, username_key = ?, display_name = '', email = null,
			email_verified = 0, password_hash = '!', role = 'member', deleted_at = ? where id = ?`,
			FormerMember, fmt.Sprintf("#deleted-%d", userID), now, userID)
		if err != nil {
			return fmt.Errorf("account: delete member %d: %w", userID, err)
		}
		return nil
	})
}

// PrivacyRoutes mounts the member's data rights (P15), the export and account deletion,
// and the check that the login cookie stuck (P7).
func (h *Handlers) PrivacyRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /login/check", h.cookieCheck)
	mux.HandleFunc("GET /me/export", h.export)
	mux.HandleFunc("GET /me/delete", h.deleteForm)
	mux.HandleFunc("POST /me/delete", h.deleteAccount)
}

// loginLanding is where a new session goes first: /login/check, which then sends the
// member on to next.
func loginLanding(next string) string { return "/login/check?next=" + url.QueryEscape(next) }

// cookieCheck is where logging in lands: with the cookie it goes on to where the member
// was headed; without, it explains why logging in cannot work (P7).
func (h *Handlers) cookieCheck(w http.ResponseWriter, r *http.Request) {
	next := web.SafeNext(r.URL.Query().Get("next"))
	if UserFrom(r.Context()) != nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	h.web.Render(w, r, http.StatusOK, views.CookieCheck(h.web.Page(r, "Cookies are off", ""), url.QueryEscape(next)))
}

func (h *Handlers) deleteForm(w http.ResponseWriter, r *http.Request) {
	u := UserFrom(r.Context())
	if u == nil {
		web.RequireLogin(w, r)
		return
	}
	d := views.DeleteAccountData{Username: u.Username, Choice: "anonymise"}
	h.web.Render(w, r, http.StatusOK, views.DeleteAccount(h.web.Page(r, "Delete your account", "me"), d))
}

func (h *Handlers) deleteAccount(w http.ResponseWriter, r *http.Request) {
	u := UserFrom(r.Context())
	if u == nil {
		web.RequireLogin(w, r)
		return
	}
	if err := web.ParseForm(w, r); err != nil {
		h.web.BadInput(w, r, err)
		return
	}
	d := views.DeleteAccountData{Username: u.Username, Choice: r.PostFormValue("content")}
	if d.Choice != "erase" && d.Choice != "anonymise" {
		d.Errors = views.FieldError{"content": "Choose what happens to what you posted."}
	}
	if r.PostFormValue("password") == "" {
		d.Errors = views.FieldError{"password": "Enter your password to confirm it is you."}
	}
	if len(d.Errors) > 0 {
		h.web.Render(w, r, http.StatusUnprocessableEntity, views.DeleteAccount(h.web.Page(r, "Delete your account", "me"), d))
		return
	}
	err := h.svc.DeleteAccount(r.Context(), u.ID, r.PostFormValue("password"), d.Choice == "erase")
	if errors.Is(err, ErrBadCredentials) {
		d.Errors = views.FieldError{"password": "That is not your password. Nothing was deleted; try again."}
		h.web.Render(w, r, http.StatusUnprocessableEntity, views.DeleteAccount(h.web.Page(r, "Delete your account", "me"), d))
		return
	}
	if errors.Is(err, ErrLastAdmin) {
		d.Errors = views.FieldError{"form": err.Error()}
		h.web.Render(w, r, http.StatusConflict, views.DeleteAccount(h.web.Page(r, "Delete your account", "me"), d))
		return
	}
	if err != nil {
		h.web.ServerError(w, r, err)
		return
	}
	h.clearCookie(w)
	// The page is drawn for the anonymous reader they now are.
	r = r.WithContext(WithUser(r.Context(), nil))
	text := "Your account and your personal details are gone, and you are logged out."
	if d.Choice == "erase" {
		text += " What you posted was erased."
	} else {
		text += " What you posted stays, shown as written by a former member."
	}
	h.web.Render(w, r, http.StatusOK, views.Message(h.web.Page(r, "Account deleted", ""), "Account deleted", text, "/", "Go to the forum"))
}
