package account

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"stoa/bus"
	"stoa/storage"
	"stoa/views"
	"stoa/web"
)

// CookieName is the one cookie Stoa sets, and only after logging in (P7).
const CookieName = "stoa_session"

// Handlers serves registration, login, the account page and the member's data rights.
type Handlers struct {
	svc          *Service
	web          *web.Responder
	guard        Guard
	secureCookie bool
	requireEmail bool
	setup        *SetupToken
	meLinks      []views.MeLink
	// limits slow password guessing against one account from many addresses without
	// locking its owner out (login_limits.go); the server limits each address separately.
	limits *loginLimits
}

// HandlerOptions configure the account pages.
type HandlerOptions struct {
	SecureCookie bool        // set the Secure flag (the site is served over TLS)
	RequireEmail bool        // the operator requires an email address to register
	Setup        *SetupToken // one-time first-admin link, nil once an admin exists
	NoRateLimits bool        // load tests only
	// Peers are the other nodes, which share the login limits (nil: none).
	Peers *bus.Bus
	// MeLinks are the entries of the account page for what other features keep about
	// the member, in the order shown.
	MeLinks []views.MeLink
}

// NewHandlers returns the account pages. It fails only when the login limits cannot
// hear the other nodes.
func NewHandlers(svc *Service, w *web.Responder, opts HandlerOptions) (*Handlers, error) {
	h := &Handlers{svc: svc, web: w, guard: Guard{Web: w}, secureCookie: opts.SecureCookie, requireEmail: opts.RequireEmail,
		setup: opts.Setup, meLinks: opts.MeLinks}
	if !opts.NoRateLimits {
		var err error
		if h.limits, err = newLoginLimits(opts.Peers); err != nil {
			return nil, err
		}
	}
	return h, nil
}

// ExportLink is the account page's entry for downloading one's data (P15).
func ExportLink() views.MeLink {
	return views.MeLink{URL: "/me/export", Title: "Download your data",
		Text: "Everything tied to your account, as JSON files with readable pages, in one ZIP archive."}
}

// DeleteLink is the account page's entry for deleting one's account (P15).
func DeleteLink() views.MeLink {
	return views.MeLink{URL: "/me/delete", Title: "Delete your account",
		Text: "Erase your account, and choose whether your posts are erased or kept as a former member's.", Danger: true}
}

// Routes mounts the account pages.
func (h *Handlers) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /register", h.registerForm)
	mux.HandleFunc("POST /register", h.register)
	mux.HandleFunc("GET /login", h.loginForm)
	mux.HandleFunc("POST /login", h.login)
	mux.HandleFunc("GET /login/check", h.cookieCheck)
	mux.HandleFunc("POST /logout", h.logout)
	mux.HandleFunc("GET /me", h.guard.Member(h.me))
	mux.HandleFunc("GET /me/password", h.guard.Member(h.passwordForm))
	mux.HandleFunc("POST /me/password", h.guard.Member(h.changePassword))
	mux.HandleFunc("GET /me/export", h.guard.Member(h.export))
	mux.HandleFunc("GET /me/delete", h.guard.Member(h.deleteForm))
	mux.HandleFunc("POST /me/delete", h.guard.Member(h.deleteAccount))
	mux.HandleFunc("GET /avatar/{name}", h.avatar)
	mux.HandleFunc("GET /me/avatar", h.guard.Member(h.avatarForm))
	mux.HandleFunc("POST /me/avatar", h.uploadAvatar)
	mux.HandleFunc("POST /me/avatar/remove", h.guard.Member(h.removeAvatar))
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
				h.web.Fail(w, r, err)
				return
			}
			// Expired or revoked: forget the cookie and carry on as a reader.
			h.clearCookie(w)
			next.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r.WithContext(WithSession(WithUser(r.Context(), u), sessionKey(c.Value))))
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

var errEmailRequired = web.Invalid("email", "This site asks for an email address to register.")

func (h *Handlers) register(w http.ResponseWriter, r *http.Request) {
	if err := web.ParseForm(w, r); err != nil {
		h.web.BadInput(w, r, err)
		return
	}
	f := h.authForm()
	f.Username, f.Email = r.PostFormValue("username"), r.PostFormValue("email")
	var token string
	var err error
	if h.requireEmail && f.Email == "" {
		err = errEmailRequired
	} else {
		_, token, err = h.svc.Register(r.Context(), Registration{Username: f.Username, Password: r.PostFormValue("password"), Email: f.Email})
	}
	if fields, status, ok := web.FormErrors(w, err); ok {
		f.Errors = fields
		h.web.Render(w, r, status, views.Register(h.web.Page(r, "Create account", ""), f))
		return
	}
	if err != nil {
		h.web.Fail(w, r, err)
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

var errTooManyLogins = web.Refused(http.StatusTooManyRequests, "Too many login attempts for this account. Wait a few minutes, then try again, or reset your password if you forgot it.")

func (h *Handlers) login(w http.ResponseWriter, r *http.Request) {
	if err := web.ParseForm(w, r); err != nil {
		h.web.BadInput(w, r, err)
		return
	}
	f := h.authForm()
	f.Username, f.Next = r.PostFormValue("username"), web.SafeNext(r.PostFormValue("next"))
	var token string
	var err error
	name, client := UsernameKey(strings.TrimSpace(f.Username)), h.web.ClientKey(r)
	switch {
	case len(name) > maxLoginName:
		// No account has such a name; it is not worth a hash, nor a key in the limits.
		err = ErrBadCredentials
	case h.limits != nil && !h.limits.admit(name, client):
		err = errTooManyLogins
	default:
		logIn := h.svc.LogIn
		if r.PostFormValue("notices_only") == "1" {
			// A suspended member signs in to their notices only; they land there.
			logIn, f.Next = h.svc.LogInToNotices, "/notices"
		}
		_, token, err = logIn(r.Context(), f.Username, r.PostFormValue("password"))
		if h.limits != nil && (err == nil || errors.Is(err, ErrBadCredentials)) {
			h.limits.result(name, client, err == nil)
		}
	}
	if fields, status, ok := web.FormErrors(w, err); ok {
		f.Errors, f.OfferNotices = fields, IsSuspendedLogin(err)
		h.web.Render(w, r, status, views.Login(h.web.Page(r, "Log in", ""), f))
		return
	}
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	h.setCookie(w, token)
	http.Redirect(w, r, loginLanding(f.Next), http.StatusSeeOther)
}

func (h *Handlers) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(CookieName); err == nil && c.Value != "" {
		if err := h.svc.LogOut(r.Context(), c.Value); err != nil {
			h.web.Fail(w, r, err)
			return
		}
	}
	h.clearCookie(w)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (h *Handlers) me(w http.ResponseWriter, r *http.Request, u *User) {
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

// take uses the secret up if t is it, so that of requests racing with the same link only
// one goes on; give it back with restore if what it was for failed in a way the person
// can fix.
func (s *SetupToken) take(t string) bool {
	if s == nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token == "" || subtle.ConstantTimeCompare([]byte(s.token), []byte(t)) != 1 {
		return false
	}
	s.token = ""
	return true
}

func (s *SetupToken) restore(t string) {
	s.mu.Lock()
	s.token = t
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
	password := r.PostFormValue("password")
	err := checkSetupAdmin(f.Username, password)
	if err == nil {
		// Burnt before the account is made: of several requests with the link, one
		// creates the admin and the others find it used.
		if !h.setup.take(token) {
			h.web.NotFound(w, r)
			return
		}
		var session string
		if _, session, err = h.svc.CreateSetupAdmin(r.Context(), f.Username, password); err == nil {
			h.setCookie(w, session)
			http.Redirect(w, r, "/", http.StatusSeeOther)
			return
		}
		if errors.Is(err, ErrAdminExists) {
			h.web.Fail(w, r, err) // the link stays used
			return
		}
		h.setup.restore(token)
	}
	if fields, status, ok := web.FormErrors(w, err); ok {
		f.Errors = fields
		h.web.Render(w, r, status, views.Setup(h.web.Page(r, "Set up Stoa", ""), token, f))
		return
	}
	h.web.Fail(w, r, err)
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
