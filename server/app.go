// Package server builds Stoa from its parts: configuration, the command line, the HTTP
// server and its middleware, and the wiring between domain packages.
package server

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"

	"stoa/account"
	"stoa/forum"
	"stoa/markup"
	"stoa/storage"
	"stoa/views"
	"stoa/web"
)

// App is a fully wired Stoa: the database, every service and the HTTP handler.
type App struct {
	cfg      Config
	log      *slog.Logger
	db       *storage.DB
	web      *web.Responder
	accounts *account.Service
	forum    *forum.Service
	setup    *account.SetupToken

	renderer        *markup.Renderer
	accountStore    *account.Store
	accountHandlers *account.Handlers
	forumStore      *forum.Store

	// Each feature's parts, built by its wire function in wire_<feature>.go.
	mail       mailParts
	privacy    privacyParts
	chat       chatParts
	moderation moderationParts
	extras     extrasParts

	metrics *metrics
	banners []func(r *http.Request, u *account.User) []views.Banner
	handler http.Handler
	closers []func()
	// onShutdown runs before the HTTP server stops, e.g. to close WebSockets with 1001.
	onShutdown []func(ctx context.Context)
}

// NewApp opens the database in cfg.DataDir and wires every package together.
func NewApp(ctx context.Context, cfg Config, log *slog.Logger) (*App, error) {
	if err := cfg.finish(); err != nil {
		return nil, err
	}
	db, err := storage.Open(ctx, cfg.DBPath(), storage.Options{})
	if err != nil {
		return nil, err
	}
	a := &App{cfg: cfg, log: log, db: db, metrics: newMetrics()}
	a.web = &web.Responder{Chrome: a.chrome, Log: log, TrustProxy: cfg.TrustProxy}
	if err := a.wire(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return a, nil
}

func (a *App) wire(ctx context.Context) error {
	a.renderer = markup.New(markup.Options{MentionURL: func(name string) string { return "/u/" + name }})
	accountStore := account.NewStore(a.db)
	a.accountStore = accountStore
	a.accounts = account.NewService(accountStore)
	a.forumStore = forum.NewStore(a.db)
	a.forum = forum.NewService(a.db, a.forumStore, a.renderer, a.accounts.Restrictions())
	if a.cfg.NoRateLimits {
		a.forum.DisableRateLimit()
	}
	if err := a.forum.EnsureDefaultCategory(ctx); err != nil {
		return err
	}

	admins, err := accountStore.CountAdmins(ctx)
	if err != nil {
		return err
	}
	if admins == 0 {
		a.setup = account.NewSetupToken()
	}

	mux := http.NewServeMux()
	accountHandlers := account.NewHandlers(a.accounts, a.web, account.HandlerOptions{
		SecureCookie: a.cfg.Secure(), RequireEmail: a.cfg.RequireEmail, Setup: a.setup, NoRateLimits: a.cfg.NoRateLimits})
	a.accountHandlers = accountHandlers
	accountHandlers.Routes(mux)
	forum.NewHandlers(a.forum, accountStore, a.web).Routes(mux)
	// Features in dependency order: mail is used by the others; moderation acts on chat.
	for _, wire := range []func(context.Context, *http.ServeMux) error{
		a.wireMail, a.wirePrivacy, a.wireNotifier, a.wireChat, a.wireModeration, a.wireExtras,
	} {
		if err := wire(ctx, mux); err != nil {
			return err
		}
	}
	a.routes(mux)

	// Built inside out, so the last wrapper runs first: a panic anywhere is caught; every
	// response is logged and carries the security headers; bodies are bounded and
	// cross-site state changes refused before any handler runs.
	var h http.Handler = a.metrics.middleware(mux)
	h = accountHandlers.Middleware(h)
	h = a.privacyMiddleware(h)
	if !a.cfg.NoRateLimits {
		h = limitForms(a.web, h)
	}
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.web.Error(w, r, http.StatusForbidden, "Request refused",
			"This form was sent from another site, so Stoa refused it to protect your account. Open the page on this site and try again.")
	}))
	h = cop.Handler(h)
	h = limitBodies(h)
	h = securityHeaders(a.cfg.Secure(), h)
	if !a.cfg.Quiet {
		h = logRequests(a.log, h)
	}
	h = recoverPanics(a.log, a.web, h)
	a.handler = h
	return nil
}

func (a *App) routes(mux *http.ServeMux) {
	static, _ := fs.Sub(views.Static, "static")
	files := http.FileServerFS(static)
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The stylesheet's URL changes with its content, so it may be cached for long.
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		files.ServeHTTP(w, r)
	})))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if err := a.db.Ping(r.Context()); err != nil {
			a.log.Error("health check failed", "err", err)
			http.Error(w, "database unavailable", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("/", a.web.NotFound)
}

// chrome builds the page frame: the viewer and every banner that applies to them.
func (a *App) chrome(r *http.Request, title, section string) views.Page {
	p := views.Page{Title: title, Section: section}
	u := account.UserFrom(r.Context())
	if u == nil {
		return p
	}
	p.Viewer = &views.Viewer{Username: u.Username, Name: u.Name(), Staff: u.IsStaff(), Admin: u.IsAdmin()}
	if n := a.extras.notifier; n != nil {
		if c, err := n.UnreadCount(r.Context(), u.ID); err == nil {
			p.Viewer.Notifications = c
		} else {
			a.log.Error("count unread notifications", "err", err)
		}
	}
	for _, b := range a.banners {
		p.Banners = append(p.Banners, b(r, u)...)
	}
	return p
}

// Handler is the whole site as one http.Handler.
func (a *App) Handler() http.Handler { return a.handler }

// DB returns the app's database.
func (a *App) DB() *storage.DB { return a.db }

// SetupURL is the one-time first-admin link, or "" when an admin exists.
func (a *App) SetupURL() string {
	if t := a.setup.Value(); t != "" {
		return a.cfg.BaseURL + "/setup/" + t
	}
	return ""
}

// Close stops background work and closes the database, committing queued writes.
func (a *App) Close() error {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
	return a.db.Close()
}

// Accounts returns the account service, for the command line and tests.
func (a *App) Accounts() *account.Service { return a.accounts }

// BaseURL is the site's public URL.
func (a *App) BaseURL() string { return a.cfg.BaseURL }
