package account

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"stoa/ratelimit"
	"stoa/storage"
	"stoa/views"
	"stoa/web"
)

// CookieName is the one cookie Stoa sets, and only after logging in (P7).
const CookieName = "stoa_session"

// Handlers serves registration, login and the account page.
type Handlers struct {
	svc          *Service
	web          *web.Responder
	secureCookie bool
	requireEmail bool
	setup        *SetupToken
	meLinks      []views.MeLink
	// perAccount slows password guessing against one account from many addresses; the
	// server limits each address separately.
	perAccount *ratelimit.Keyed
}

// HandlerOptions configure the account pages.
type HandlerOptions struct {
	SecureCookie bool        // set the Secure flag (the site is served over TLS)
	RequireEmail bool        // the operator requires an email address to register
	Setup        *SetupToken // one-time first-admin link, nil once an admin exists
	NoRateLimits bool        // load tests only
}

// NewHandlers returns the account pages.
func NewHandlers(svc *Service, w *web.Responder, opts HandlerOptions) *Handlers {
	h := &Handlers{svc: svc, web: w, secureCookie: opts.SecureCookie, requireEmail: opts.RequireEmail, setup: opts.Setup}
	if !opts.NoRateLimits {
		h.perAccount = ratelimit.New(time.Minute, 10)
	}
	return h
}

// AddMeLink adds an entry to the account page, for features other packages own.
func (h *Handlers) AddMeLink(l views.MeLink) { h.meLinks = append(h.meLinks, l) }

// Routes mounts the account pages.
func (h *Handlers) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /register", h.registerForm)
	mux.HandleFunc("POST /register", h.register)
	mux.HandleFunc("GET /login", h.loginForm)
	mux.HandleFunc("POST /login", h.login)
	mux.HandleFunc("POST /logout", h.logout)
	mux.HandleFunc("GET /me", h.me)
	mux.HandleFunc("GET /setup/{token}", h.setupForm)
	mux.HandleFunc("POST /setup/{token}", h.setupCreate)
}

// Middleware puts the member whose session cookie the request carries into its context.
// Anonymous requests pass through untouched: no cookie is ever set for them.
func (h *Handlers) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(CookieName)
		if err != nil || c.Value == "" {
			next.ServeHTTP(w, r)
			return
		}
		u, err := h.svc.SessionUser(r.Context(), c.Value)
		if err != nil {
			if !errors.Is(err, storage.ErrNotFound) {
				h.web.ServerError(w, r, err)
				return
			}
			// Expired or revoked: forget the cookie and carry on as a reader.
			h.clearCookie(w)
			next.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r.WithContext(WithUser(r.Context(), u)))
	})
}

func (h *Handlers) setCookie(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: token, Path: "/", HttpOnly: true,
		Secure: h.secureCookie, SameSite: http.SameSiteLaxMode, MaxAge: int(SessionTTL / time.Second)})
}

func (h *Handlers) clearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/", HttpOnly: true,
		Secure: h.secureCookie, SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

func (h *Handlers) authForm() views.AuthForm {
	return views.AuthForm{RequireEmail: h.requireEmail, AgreementURL: "/policies/agreement"}
}

func (h *Handlers) registerForm(w http.ResponseWriter, r *http.Request) {
	if UserFrom(r.Context()) != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	h.web.Render(w, r, http.StatusOK, views.Register(h.web.Page(r, "Create account", ""), h.authForm()))
}

func (h *Handlers) register(w http.ResponseWriter, r *http.Request) {
	if err := web.ParseForm(w, r); err != nil {
		h.web.BadInput(w, r, err)
		return
	}
	f := h.authForm()
	f.Username, f.Email = r.PostFormValue("username"), r.PostFormValue("email")
	if h.requireEmail && f.Email == "" {
		f.Errors = views.FieldError{"email": "This site asks for an email address to register."}
		h.web.Render(w, r, http.StatusUnprocessableEntity, views.Register(h.web.Page(r, "Create account", ""), f))
		return
	}
	_, token, err := h.svc.Register(r.Context(), Registration{Username: f.Username, Password: r.PostFormValue("password"), Email: f.Email})
	var fields FieldErrors
	if errors.As(err, &fields) {
		f.Errors = views.FieldError(fields)
		h.web.Render(w, r, http.StatusUnprocessableEntity, views.Register(h.web.Page(r, "Create account", ""), f))
		return
	}
	if err != nil {
		h.web.ServerError(w, r, err)
		return
	}
	h.setCookie(w, token)
	http.Redirect(w, r, loginLanding("/"), http.StatusSeeOther)
}

func (h *Handlers) loginForm(w http.ResponseWriter, r *http.Request) {
	f := h.authForm()
	f.Next = web.SafeNext(r.URL.Query().Get("next"))
	h.web.Render(w, r, http.StatusOK, views.Login(h.web.Page(r, "Log in", ""), f))
}

func (h *Handlers) login(w http.ResponseWriter, r *http.Request) {
	if err := web.ParseForm(w, r); err != nil {
		h.web.BadInput(w, r, err)
		return
	}
	f := h.authForm()
	f.Username, f.Next = r.PostFormValue("username"), web.SafeNext(r.PostFormValue("next"))
	if h.perAccount != nil && !h.perAccount.Allow(UsernameKey(strings.TrimSpace(f.Username))) {
		f.Errors = views.FieldError{"form": "Too many login attempts for this account. Wait a minute, then try again."}
		h.web.Render(w, r, http.StatusTooManyRequests, views.Login(h.web.Page(r, "Log in", ""), f))
		return
	}
	_, token, err := h.svc.LogIn(r.Context(), f.Username, r.PostFormValue("password"))
	switch {
	case errors.Is(err, ErrBadCredentials):
		f.Errors = views.FieldError{"form": "That username and password do not match. Check them and try again."}
		h.web.Render(w, r, http.StatusUnauthorized, views.Login(h.web.Page(r, "Log in", ""), f))
		return
	case isRestriction(err):
		f.Errors = views.FieldError{"form": err.Error()}
		h.web.Render(w, r, http.StatusForbidden, views.Login(h.web.Page(r, "Log in", ""), f))
		return
	case err != nil:
		h.web.ServerError(w, r, err)
		return
	}
	h.setCookie(w, token)
	http.Redirect(w, r, loginLanding(f.Next), http.StatusSeeOther)
}

// RestrictionError is implemented by sanction errors (from Restrictions) whose text is
// meant for the member, such as "Your account is suspended until …".
type RestrictionError interface {
	error
	Restriction() bool
}

func isRestriction(err error) bool {
	var re RestrictionError
	return errors.As(err, &re)
}

func (h *Handlers) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(CookieName); err == nil && c.Value != "" {
		if err := h.svc.LogOut(r.Context(), c.Value); err != nil {
			h.web.ServerError(w, r, err)
			return
		}
	}
	h.clearCookie(w)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (h *Handlers) me(w http.ResponseWriter, r *http.Request) {
	u := UserFrom(r.Context())
	if u == nil {
		web.RequireLogin(w, r)
		return
	}
	d := views.MeData{Username: u.Username, DisplayName: u.DisplayName, Email: u.Email, Role: string(u.Role),
		Joined: u.CreatedAt.Format("2 January 2006"), Links: h.meLinks}
	h.web.Render(w, r, http.StatusOK, views.Me(h.web.Page(r, "Your account", "me"), d))
}

// SetupToken is the one-time secret in the first-admin link printed at start.
type SetupToken struct {
	mu    sync.Mutex
	token string
}

// NewSetupToken returns a fresh one-time setup secret.
func NewSetupToken() *SetupToken { return &SetupToken{token: NewToken()} }

// Value returns the secret, or "" once it was used.
func (s *SetupToken) Value() string {
	if s == nil {
		return ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.token
}

func (s *SetupToken) matches(t string) bool {
	v := s.Value()
	return v != "" && subtle.ConstantTimeCompare([]byte(v), []byte(t)) == 1
}

func (s *SetupToken) use() {
	s.mu.Lock()
	s.token = ""
	s.mu.Unlock()
}

func (h *Handlers) setupForm(w http.ResponseWriter, r *http.Request) {
	if !h.setup.matches(r.PathValue("token")) {
		h.web.NotFound(w, r)
		return
	}
	h.web.Render(w, r, http.StatusOK, views.Setup(h.web.Page(r, "Set up Stoa", ""), r.PathValue("token"), views.AuthForm{Username: "admin"}))
}

func (h *Handlers) setupCreate(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	if !h.setup.matches(token) {
		h.web.NotFound(w, r)
		return
	}
	if err := web.ParseForm(w, r); err != nil {
		h.web.BadInput(w, r, err)
		return
	}
	f := views.AuthForm{Username: r.PostFormValue("username")}
	_, session, err := h.svc.CreateSetupAdmin(r.Context(), f.Username, r.PostFormValue("password"))
	var fields FieldErrors
	switch {
	case errors.As(err, &fields):
		f.Errors = views.FieldError(fields)
	case errors.Is(err, ErrUsernameTaken):
		f.Errors = views.FieldError{"username": "That username is taken. Please choose another."}
	case err != nil:
		h.web.ServerError(w, r, err)
		return
	}
	if err != nil {
		h.web.Render(w, r, http.StatusUnprocessableEntity, views.Setup(h.web.Page(r, "Set up Stoa", ""), token, f))
		return
	}
	h.setup.use()
	h.setCookie(w, session)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
