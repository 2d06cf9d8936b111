package account

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"stoa/storage"
	"stoa/views"
	"stoa/web"
)

// ResetTTL is how long a password reset link works.
const ResetTTL = time.Hour

func (f *EmailFlows) forgotForm(w http.ResponseWriter, r *http.Request) {
	f.web.Render(w, r, http.StatusOK, views.Forgot(f.web.Page(r, "Forgot your password?", ""),
		views.ForgotForm{MailOff: !f.outbox.Configured()}))
}

// forgot queues a reset link for every account the username or address names. The answer
// is the same page whether or not any account matched, and the same work is done either
// way, so the page cannot be used to find out who is registered.
func (f *EmailFlows) forgot(w http.ResponseWriter, r *http.Request) {
	if err := web.ParseForm(w, r); err != nil {
		f.web.BadInput(w, r, err)
		return
	}
	login := strings.TrimSpace(r.PostFormValue("login"))
	if login == "" || len(login) > 254 {
		f.web.Render(w, r, http.StatusUnprocessableEntity, views.Forgot(f.web.Page(r, "Forgot your password?", ""),
			views.ForgotForm{Login: login, MailOff: !f.outbox.Configured(),
				Errors: views.FieldError{"login": "Enter your username or the email address of your account."}}))
		return
	}
	// Both limits are checked, so a blocked client does not use up a person's allowance.
	byLogin, byClient := f.forgotByLogin.Allow(strings.ToLower(login)), f.forgotByClient.Allow(clientKey(r))
	if !byLogin || !byClient {
		w.Header().Set("Retry-After", "1200")
		f.web.Error(w, r, http.StatusTooManyRequests, "Slow down",
			"Several reset links were asked for in a short time. Check your inbox and spam folder for the ones already sent, or try again in 20 minutes.")
		return
	}
	err := f.store.db.Write(r.Context(), func(tx *storage.Tx) error {
		rows, err := tx.Query(`select id, username, email from users where deleted_at is null and email is not null
			and (username_key = ? or lower(email) = lower(?))`, UsernameKey(login), login)
		if err != nil {
			return fmt.Errorf("account: find account for reset: %w", err)
		}
		type match struct {
			id              int64
			username, email string
		}
		var found []match
		for rows.Next() {
			var m match
			if err := rows.Scan(&m.id, &m.username, &m.email); err != nil {
				rows.Close()
				return fmt.Errorf("account: find account for reset: %w", err)
			}
			found = append(found, m)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("account: find account for reset: %w", err)
		}
		for _, m := range found {
			token := NewToken()
			if err := insertMailToken(tx, token, m.id, purposeReset, m.email, f.now(), ResetTTL); err != nil {
				return err
			}
			msg, err := f.outbox.Compose("reset", m.email, map[string]string{
				"Username": m.username, "Link": f.outbox.BaseURL() + "/reset/" + token})
			if err != nil {
				return err
			}
			msg.UserID = m.id
			if err := f.outbox.Enqueue(tx, msg); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		f.web.ServerError(w, r, err)
		return
	}
	f.web.Render(w, r, http.StatusOK, views.Message(f.web.Page(r, "Check your email", ""), "Check your email",
		"If an account with that username or email address has an email address, we have sent it a link to choose a new password. "+
			"The link works once, within an hour. If nothing arrives in a few minutes, check your spam folder.", "/login", "Back to log in"))
}

func (f *EmailFlows) resetForm(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	t, err := f.store.peekMailToken(r.Context(), token, purposeReset, f.now())
	if err != nil {
		f.linkFailed(w, r, err, "Ask for a new reset link; it works for an hour.", "/forgot", "Ask for a new link")
		return
	}
	u, err := f.store.ByID(r.Context(), t.UserID)
	if err != nil {
		f.web.ServerError(w, r, err)
		return
	}
	f.web.Render(w, r, http.StatusOK, views.ResetPassword(f.web.Page(r, "Choose a new password", ""),
		views.ResetForm{Token: token, Username: u.Username}))
}

// reset sets the new password, uses the link up and ends every session of the account:
// whoever might have known the old password is logged out everywhere.
func (f *EmailFlows) reset(w http.ResponseWriter, r *http.Request) {
	if err := web.ParseForm(w, r); err != nil {
		f.web.BadInput(w, r, err)
		return
	}
	token, password := r.PathValue("token"), r.PostFormValue("password")
	if msg := ValidatePassword(password); msg != "" {
		t, err := f.store.peekMailToken(r.Context(), token, purposeReset, f.now())
		if err != nil {
			f.linkFailed(w, r, err, "Ask for a new reset link; it works for an hour.", "/forgot", "Ask for a new link")
			return
		}
		u, err := f.store.ByID(r.Context(), t.UserID)
		if err != nil {
			f.web.ServerError(w, r, err)
			return
		}
		f.web.Render(w, r, http.StatusUnprocessableEntity, views.ResetPassword(f.web.Page(r, "Choose a new password", ""),
			views.ResetForm{Token: token, Username: u.Username, Errors: views.FieldError{"password": msg}}))
		return
	}
	hash, err := HashPassword(password)
	if err != nil {
		f.web.ServerError(w, r, err)
		return
	}
	err = f.store.db.Write(r.Context(), func(tx *storage.Tx) error {
		t, err := takeMailToken(tx, token, purposeReset, f.now())
		if err != nil {
			return err
		}
		if _, err := tx.Exec("update users set password_hash = ? where id = ?", hash, t.UserID); err != nil {
			return fmt.Errorf("account: set password of %d: %w", t.UserID, err)
		}
		// Opening the link proved the address works and is theirs.
		if _, err := tx.Exec("update users set email_verified = 1 where id = ? and email = ?", t.UserID, t.Email); err != nil {
			return fmt.Errorf("account: confirm email of %d: %w", t.UserID, err)
		}
		if err := deleteMailTokens(tx, t.UserID, purposeReset); err != nil {
			return err
		}
		return DeleteSessionsOf(tx, t.UserID)
	})
	if err != nil {
		f.linkFailed(w, r, err, "Ask for a new reset link; it works for an hour.", "/forgot", "Ask for a new link")
		return
	}
	// This browser's session ended with the others; the next request forgets its cookie.
	f.web.Render(w, r, http.StatusOK, views.Message(f.web.Page(r, "Password changed", ""), "Password changed",
		"Your new password is saved, and every device that was logged in to your account has been logged out. Log in with the new password.",
		"/login", "Log in"))
}
