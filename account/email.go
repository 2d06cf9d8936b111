package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"stoa/mail"
	"stoa/ratelimit"
	"stoa/storage"
	"stoa/views"
	"stoa/web"
)

// ConfirmTTL is how long an address confirmation link works.
const ConfirmTTL = 48 * time.Hour

// EmailFlows serves what needs the member's email: confirming an address, changing or
// removing it, and resetting a forgotten password.
type EmailFlows struct {
	svc    *Service
	store  *Store
	outbox *mail.Outbox
	web    *web.Responder
	now    func() time.Time

	forgotByLogin  *ratelimit.Keyed // per username or address asked for: no mailbombing one person
	forgotByClient *ratelimit.Keyed // per client address: no sweeping through many accounts
	byMember       *ratelimit.Keyed // password checks and confirmation mails per member
}

// NewEmailFlows returns the email pages; mail goes through outbox.
func NewEmailFlows(svc *Service, outbox *mail.Outbox, w *web.Responder) *EmailFlows {
	return &EmailFlows{
		svc: svc, store: svc.store, outbox: outbox, web: w, now: svc.now,
		forgotByLogin:  ratelimit.New(20*time.Minute, 3),
		forgotByClient: ratelimit.New(2*time.Minute, 10),
		byMember:       ratelimit.New(time.Minute, 5),
	}
}

// Routes mounts the email and password reset pages.
func (f *EmailFlows) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /forgot", f.forgotForm)
	mux.HandleFunc("POST /forgot", f.forgot)
	mux.HandleFunc("GET /reset/{token}", f.resetForm)
	mux.HandleFunc("POST /reset/{token}", f.reset)
	mux.HandleFunc("GET /me/email", f.emailPage)
	mux.HandleFunc("POST /me/email", f.changeEmail)
	mux.HandleFunc("POST /me/email/resend", f.resendConfirmation)
	mux.HandleFunc("POST /me/email/remove", f.removeEmail)
	mux.HandleFunc("GET /me/email/confirm/{token}", f.confirmForm)
	mux.HandleFunc("POST /me/email/confirm/{token}", f.confirm)
}

// AfterCreate queues the confirmation mail for an address given at registration; the
// server registers it with Service.AfterCreate so it shares the account's transaction.
func (f *EmailFlows) AfterCreate(tx *storage.Tx, userID int64) error {
	var username string
	var email sql.NullString
	if err := tx.QueryRow("select username, email from users where id = ?", userID).Scan(&username, &email); err != nil {
		return fmt.Errorf("account: load new member %d: %w", userID, err)
	}
	if email.String == "" {
		return nil
	}
	return f.queueConfirmation(tx, userID, username, email.String)
}

// queueConfirmation stores a fresh confirmation link for address, replacing any earlier
// one, and queues the mail that carries it.
func (f *EmailFlows) queueConfirmation(tx *storage.Tx, userID int64, username, address string) error {
	if err := deleteMailTokens(tx, userID, purposeConfirm); err != nil {
		return err
	}
	token := NewToken()
	if err := insertMailToken(tx, token, userID, purposeConfirm, address, f.now(), ConfirmTTL); err != nil {
		return err
	}
	m, err := f.outbox.Compose("confirm", address, map[string]string{
		"Username": username, "Email": address, "Valid": "48 hours",
		"Link": f.outbox.BaseURL() + "/me/email/confirm/" + token,
	})
	if err != nil {
		return err
	}
	m.UserID = userID
	return f.outbox.Enqueue(tx, m)
}

// ConfirmedEmail returns the member's address when they confirmed it, else "": the only
// address notices may be sent to.
func (s *Store) ConfirmedEmail(ctx context.Context, userID int64) (string, error) {
	var email string
	err := s.db.QueryRow(ctx, `select coalesce(email, '') from users
		where id = ? and email_verified = 1 and deleted_at is null`, userID).Scan(&email)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("account: confirmed email of %d: %w", userID, err)
	}
	return email, nil
}

// ConfirmedEmailTx is ConfirmedEmail inside a write transaction, for features that queue
// mail in the same transaction as the action that causes it.
func ConfirmedEmailTx(tx *storage.Tx, userID int64) (string, error) {
	var email string
	err := tx.QueryRow(`select coalesce(email, '') from users
		where id = ? and email_verified = 1 and deleted_at is null`, userID).Scan(&email)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("account: confirmed email of %d: %w", userID, err)
	}
	return email, nil
}

// pendingEmail returns the address a member asked to change to and has not confirmed yet.
func (s *Store) pendingEmail(ctx context.Context, userID int64, current string, now time.Time) (string, error) {
	var email string
	err := s.db.QueryRow(ctx, `select email from account_tokens where user_id = ? and purpose = ?
		and expires_at > ? and email <> ? order by created_at desc limit 1`, userID, purposeConfirm, now.Unix(), current).Scan(&email)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("account: pending email of %d: %w", userID, err)
	}
	return email, nil
}

func (f *EmailFlows) emailPage(w http.ResponseWriter, r *http.Request) {
	u := UserFrom(r.Context())
	if u == nil {
		web.RequireLogin(w, r)
		return
	}
	f.renderEmail(w, r, u, http.StatusOK, views.EmailSettings{})
}

// renderEmail shows the address page with the member's current state filled in.
func (f *EmailFlows) renderEmail(w http.ResponseWriter, r *http.Request, u *User, status int, d views.EmailSettings) {
	fresh, err := f.store.ByID(r.Context(), u.ID)
	if err != nil {
		f.web.ServerError(w, r, err)
		return
	}
	d.Current, d.Confirmed, d.MailOff = fresh.Email, fresh.EmailVerified, !f.outbox.Configured()
	if d.Pending, err = f.store.pendingEmail(r.Context(), u.ID, fresh.Email, f.now()); err != nil {
		f.web.ServerError(w, r, err)
		return
	}
	f.web.Render(w, r, status, views.EmailSettingsPage(f.web.Page(r, "Email address", "me"), d))
}

// checkPassword verifies the logged-in member's password, rate-limited per member; it
// returns the message to show when it fails.
func (f *EmailFlows) checkPassword(ctx context.Context, u *User, password string) (string, error) {
	if !f.byMember.Allow(fmt.Sprint(u.ID)) {
		return "Too many attempts. Wait a few minutes, then try again.", nil
	}
	_, hash, err := f.store.passwordHash(ctx, u.Username)
	if err != nil {
		return "", err
	}
	ok, err := CheckPassword(hash, password)
	if err != nil {
		return "", fmt.Errorf("account: check password of %d: %w", u.ID, err)
	}
	if !ok {
		return "That is not your password. Enter the password you log in with.", nil
	}
	return "", nil
}

func (f *EmailFlows) changeEmail(w http.ResponseWriter, r *http.Request) {
	u := UserFrom(r.Context())
	if u == nil {
		web.RequireLogin(w, r)
		return
	}
	if err := web.ParseForm(w, r); err != nil {
		f.web.BadInput(w, r, err)
		return
	}
	d := views.EmailSettings{NewEmail: r.PostFormValue("email"), Errors: views.FieldError{}}
	address, msg := NormalizeEmail(d.NewEmail)
	switch {
	case msg != "":
		d.Errors["email"] = msg
	case address == "":
		d.Errors["email"] = "Enter the new address. To remove your address, use “Remove address” below."
	}
	if msg, err := f.checkPassword(r.Context(), u, r.PostFormValue("password")); err != nil {
		f.web.ServerError(w, r, err)
		return
	} else if msg != "" {
		d.Errors["password"] = msg
	}
	if len(d.Errors) > 0 {
		f.renderEmail(w, r, u, http.StatusUnprocessableEntity, d)
		return
	}
	err := f.svc.store.db.Write(r.Context(), func(tx *storage.Tx) error {
		var current sql.NullString
		var confirmed bool
		if err := tx.QueryRow("select email, email_verified from users where id = ?", u.ID).Scan(&current, &confirmed); err != nil {
			return fmt.Errorf("account: load email of %d: %w", u.ID, err)
		}
		if strings.EqualFold(current.String, address) && confirmed {
			return errSameAddress
		}
		if err := f.queueConfirmation(tx, u.ID, u.Username, address); err != nil {
			return err
		}
		if current.String == "" || !confirmed || strings.EqualFold(current.String, address) {
			return nil
		}
		// Tell the confirmed address it is being replaced: if someone else is logged in
		// as this member, the owner hears of it where the intruder cannot intercept it.
		m, err := f.outbox.Compose("email_changing", current.String, map[string]string{"Username": u.Username, "NewEmail": address})
		if err != nil {
			return err
		}
		m.UserID = u.ID
		return f.outbox.Enqueue(tx, m)
	})
	switch {
	case errors.Is(err, errSameAddress):
		d.Errors["email"] = "That is already your confirmed address."
		f.renderEmail(w, r, u, http.StatusUnprocessableEntity, d)
		return
	case err != nil:
		f.web.ServerError(w, r, err)
		return
	}
	f.renderEmail(w, r, u, http.StatusOK, views.EmailSettings{Notice: "We sent a confirmation link to " + address +
		". Your address changes when you open it; the link works for 48 hours."})
}

var errSameAddress = errors.New("account: address unchanged")

func (f *EmailFlows) resendConfirmation(w http.ResponseWriter, r *http.Request) {
	u := UserFrom(r.Context())
	if u == nil {
		web.RequireLogin(w, r)
		return
	}
	if !f.byMember.Allow(fmt.Sprint(u.ID)) {
		f.web.Error(w, r, http.StatusTooManyRequests, "Slow down", "We sent several links in a short time. Wait a few minutes, check your spam folder, then try again.")
		return
	}
	var sentTo string
	err := f.store.db.Write(r.Context(), func(tx *storage.Tx) error {
		var current sql.NullString
		var confirmed bool
		if err := tx.QueryRow("select email, email_verified from users where id = ?", u.ID).Scan(&current, &confirmed); err != nil {
			return fmt.Errorf("account: load email of %d: %w", u.ID, err)
		}
		if current.String == "" || confirmed {
			return nil
		}
		sentTo = current.String
		return f.queueConfirmation(tx, u.ID, u.Username, current.String)
	})
	if err != nil {
		f.web.ServerError(w, r, err)
		return
	}
	notice := "Your address needs no confirmation."
	if sentTo != "" {
		notice = "We sent a new confirmation link to " + sentTo + ". Earlier links no longer work."
	}
	f.renderEmail(w, r, u, http.StatusOK, views.EmailSettings{Notice: notice})
}

func (f *EmailFlows) removeEmail(w http.ResponseWriter, r *http.Request) {
	u := UserFrom(r.Context())
	if u == nil {
		web.RequireLogin(w, r)
		return
	}
	if err := web.ParseForm(w, r); err != nil {
		f.web.BadInput(w, r, err)
		return
	}
	if msg, err := f.checkPassword(r.Context(), u, r.PostFormValue("password")); err != nil {
		f.web.ServerError(w, r, err)
		return
	} else if msg != "" {
		f.renderEmail(w, r, u, http.StatusUnprocessableEntity, views.EmailSettings{Errors: views.FieldError{"remove-password": msg}})
		return
	}
	err := f.store.db.Write(r.Context(), func(tx *storage.Tx) error {
		if _, err := tx.Exec("update users set email = null, email_verified = 0 where id = ?", u.ID); err != nil {
			return fmt.Errorf("account: remove email of %d: %w", u.ID, err)
		}
		if err := deleteMailTokens(tx, u.ID, purposeConfirm); err != nil {
			return err
		}
		// Mail not yet sent would go to the address the member just withdrew.
		return f.outbox.PurgeUser(tx, u.ID)
	})
	if err != nil {
		f.web.ServerError(w, r, err)
		return
	}
	f.renderEmail(w, r, u, http.StatusOK, views.EmailSettings{Notice: "Your email address is removed. Mail waiting to be sent to it was dropped."})
}

func (f *EmailFlows) confirmForm(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	t, err := f.store.peekMailToken(r.Context(), token, purposeConfirm, f.now())
	if err != nil {
		f.linkFailed(w, r, err, "Open your email settings to get a new one.", "/me/email", "Email settings")
		return
	}
	u, err := f.store.ByID(r.Context(), t.UserID)
	if err != nil {
		f.web.ServerError(w, r, err)
		return
	}
	f.web.Render(w, r, http.StatusOK, views.ConfirmEmail(f.web.Page(r, "Confirm your email address", ""),
		views.ConfirmEmailData{Token: token, Username: u.Username, Email: t.Email}))
}

func (f *EmailFlows) confirm(w http.ResponseWriter, r *http.Request) {
	var address string
	err := f.store.db.Write(r.Context(), func(tx *storage.Tx) error {
		t, err := takeMailToken(tx, r.PathValue("token"), purposeConfirm, f.now())
		if err != nil {
			return err
		}
		address = t.Email
		if _, err := tx.Exec("update users set email = ?, email_verified = 1 where id = ?", t.Email, t.UserID); err != nil {
			return fmt.Errorf("account: confirm email of %d: %w", t.UserID, err)
		}
		return deleteMailTokens(tx, t.UserID, purposeConfirm)
	})
	if err != nil {
		f.linkFailed(w, r, err, "Open your email settings to get a new one.", "/me/email", "Email settings")
		return
	}
	next, label := "/me/email", "Your email settings"
	if UserFrom(r.Context()) == nil {
		next, label = "/login", "Log in"
	}
	f.web.Render(w, r, http.StatusOK, views.Message(f.web.Page(r, "Address confirmed", ""), "Address confirmed",
		address+" is now the confirmed address of your account.", next, label))
}

// linkFailed explains an unknown, used or expired one-time link, or reports a real error.
func (f *EmailFlows) linkFailed(w http.ResponseWriter, r *http.Request, err error, what, next, label string) {
	if !errors.Is(err, storage.ErrNotFound) {
		f.web.ServerError(w, r, err)
		return
	}
	f.web.Render(w, r, http.StatusGone, views.Message(f.web.Page(r, "This link no longer works", ""),
		"This link no longer works", "The link has expired or was already used. "+what, next, label))
}

// clientKey is the client's address, for in-memory rate limiting only (P3).
func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
