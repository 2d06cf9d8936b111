// Package server builds Stoa from its parts: configuration, the command line, the HTTP
// server and its middleware, and the wiring between domain packages.
package server

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"

	"stoa/account"
	"stoa/bus"
	"stoa/forum"
	"stoa/markup"
	"stoa/moderation"
	"stoa/privacy"
	"stoa/site"
	"stoa/storage"
	"stoa/views"
	"stoa/watchwords"
	"stoa/web"
)

// App is a fully wired Stoa: the database, every service and the HTTP handler.
type App struct {
	cfg Config
	log *slog.Logger
	db  *storage.DB
	// bus carries events to and from the other nodes (none in the embedded shape); gen
	// counts the commits of every node, for caches of what any write may change.
	bus      *bus.Bus
	gen      *bus.Generation
	web      *web.Responder
	accounts *account.Service
	forum    *forum.Forum
	setup    *account.SetupToken
	// site is the site's name and description, which pages, feeds and mail show.
	site *site.Settings
	// words are the watched words forum and chat check every post and message against.
	words *watchwords.List

	renderer     *markup.Renderer
	accountStore *account.Store
	// notifier records notifications for forum and chat.
	notifier *account.Notifier

	// Each feature's parts, built by its wire function in wire_<feature>.go.
	mail       mailParts
	privacy    privacyParts
	chat       chatParts
	moderation moderationParts

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
	log = log.With("node", cfg.NodeName)
	db, err := storage.Open(ctx, cfg.Database(), storage.Options{})
	if err != nil {
		return nil, err
	}
	if !cfg.Clustered() {
		// Alone on PostgreSQL: no other node may write beside this one unheard.
		if err := db.LockSingleNode(ctx); err != nil {
			db.Close()
			return nil, err
		}
	}
	a := &App{cfg: cfg, log: log, db: db, metrics: newMetrics(cfg.NodeName)}
	a.web = &web.Responder{Chrome: a.chrome, Log: log, TrustProxy: cfg.TrustProxy}
	if err := a.openBus(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := a.wire(ctx); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

func (a *App) wire(ctx context.Context) error {
	// A mention links to the account holding the name when the text is rendered, which is
	// when it is written; a name nobody holds stays plain text, so that whoever registers
	// it later (after a deleted account's reservation) never inherits old mentions. When an
	// account is deleted, the mentions of it in others' text are unlinked (markup.Erase).
	a.renderer = markup.New(markup.Options{MentionURL: func(name string) string {
		if _, err := a.accountStore.ByUsername(context.Background(), name); err != nil {
			return ""
		}
		return "/u/" + name
	}})
	a.accountStore = account.NewStore(a.db)
	var err error
	if a.site, err = site.New(ctx, a.db, a.bus, a.log); err != nil {
		return err
	}
	if a.words, err = watchwords.New(ctx, a.db, a.bus, a.log); err != nil {
		return err
	}
	admins, err := a.accountStore.CountAdmins(ctx)
	if err != nil {
		return err
	}
	if admins == 0 {
		// With several nodes, one of them prints the link and honours it, so that there is
		// one link and it works once.
		mine, err := a.bus.Claim(ctx, "setup")
		if err != nil {
			return err
		}
		if mine {
			a.setup = account.NewSetupToken()
		} else {
			a.log.Info("no admin yet: another node printed the one-time setup link")
		}
	}
	mux := http.NewServeMux()

	// Each part is built from parts built before it, in this order:
	//   site settings, watched words          (the database alone; loaded above)
	//   moderation's audit log and sanctions  (the database alone)
	//   mail outbox                           (every feature queues mail)
	//   notifier                              (forum and chat notify members)
	//   privacy: policies, preferences, …     (chat and accounts record policy versions)
	//   chat                                  (sanctions, policies, notifier)
	//   forum                                 (sanctions, notifier, audit log, chat search)
	//   site pages and setup checklist        (forum, chat, privacy, mail, audit log)
	//   moderation                            (forum, chat, audit log, sanctions, …)
	//   accounts                              (every feature's share of a member's data)
	if a.moderation, err = newModerationParts(a.db, a.bus); err != nil {
		return err
	}
	if err := a.wireMail(ctx, mux); err != nil {
		return err
	}
	a.notifier = account.NewNotifier(a.db, account.NotifierOptions{BaseURL: a.cfg.BaseURL, Outbox: a.mail.outbox, Log: a.log})
	if err := a.wirePrivacy(ctx); err != nil {
		return err
	}
	if err := a.wireChat(ctx, mux); err != nil {
		return err
	}
	if err := a.wireForum(ctx, mux); err != nil {
		return err
	}
	a.wireSite(mux)
	a.wireModeration(mux)
	accountHandlers, err := a.wireAccounts(mux)
	if err != nil {
		return err
	}
	a.mountPrivacy(mux)
	a.startRetention()
	a.routes(mux)

	// Built inside out, so the last wrapper runs first: a panic anywhere is caught; every
	// response is logged and carries the security headers; bodies are bounded and
	// cross-site state changes refused before any handler runs.
	var h http.Handler = a.metrics.middleware(mux)
	h = limitSuspended(a.web, h)
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
		if r.URL.Path == "" || strings.HasSuffix(r.URL.Path, "/") {
			a.web.NotFound(w, r) // files, not listings of them
			return
		}
		// The stylesheet's URL changes with its content, so it may be cached for long.
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		files.ServeHTTP(w, r)
	})))
	mux.HandleFunc("GET /healthz", a.healthz)
	mux.HandleFunc("/", a.web.NotFound)
}

// chrome builds the page frame: the viewer and every banner that applies to them.
func (a *App) chrome(r *http.Request, title, section string) views.Page {
	info := a.site.Info()
	p := views.Page{Title: title, Section: section, SiteName: info.Name, SiteDescription: info.Description}
	u := account.UserFrom(r.Context())
	if u == nil {
		return p
	}
	p.Viewer = &views.Viewer{Username: u.Username, Name: u.Name(), Staff: u.IsStaff(), Admin: u.IsAdmin()}
	if c, err := a.notifier.UnreadCount(r.Context(), u.ID); err == nil {
		p.Viewer.Notifications = c
	} else {
		a.log.Error("count unread notifications", "err", err)
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

// Sanctions are moderation's sanctions as the rest of Stoa checks them, for tests that
// build a part on the site's database.
func (a *App) Sanctions() account.Restrictions { return a.moderation.sanctions }

// Forum returns the forum, for tests that call it directly.
func (a *App) Forum() *forum.Forum { return a.forum }

// Accounts returns the account service, for the command line and tests.
func (a *App) Accounts() *account.Service { return a.accounts }

// BaseURL is the site's public URL.
func (a *App) BaseURL() string { return a.cfg.BaseURL }

// wireAccounts builds the account service from every part it needs, so it is wired
// after all of them, and mounts the account pages: registration and login, the account
// page with every feature's entry, email and password reset, notifications, and the
// member's data rights (P15).
func (a *App) wireAccounts(mux *http.ServeMux) (*account.Handlers, error) {
	p := &a.privacy
	a.accounts = account.NewService(a.accountStore, account.Options{
		Restrictions: a.moderation.sanctions,
		Policies:     p.policies,
		Outbox:       a.mail.outbox,
		// Each package's share of a member's data, for /me/export and /me/delete.
		DataSources: []account.DataSource{
			a.forum.Service.DataSource(),
			privacy.DataSource{Policies: p.policies, Prefs: p.prefs, Enquiries: p.enquiries},
			a.mail.outbox,
			a.chat.service.DataSource(),
			a.moderation.service.DataSource(),
			a.notifier,
		},
		// Chat closes the WebSockets of sessions that end.
		SessionEvents: a.chat.service,
		// The admin's setting: how long a deleted account's name stays reserved.
		NameReservation: a.site.NameReservation,
	})
	email := account.NewEmailHandlers(a.accounts, a.web)
	notify := account.NewNotifyHandlers(a.notifier, a.web)
	meLinks := append([]views.MeLink{account.PasswordLink(), account.AvatarLink(), email.MeLink(), account.ExportLink()}, privacy.MeLinks()...)
	meLinks = append(meLinks, account.DeleteLink(), moderation.MeLink(), notify.MeLink())
	h, err := account.NewHandlers(a.accounts, a.web, account.HandlerOptions{
		SecureCookie: a.cfg.Secure(), RequireEmail: a.cfg.RequireEmail, Setup: a.setup, NoRateLimits: a.cfg.NoRateLimits, Peers: a.bus,
		MeLinks: meLinks})
	if err != nil {
		return nil, err
	}
	h.Routes(mux)
	email.Routes(mux)
	notify.Routes(mux)
	return h, nil
}

// healthChecks are what /healthz asks, by name: the database, and each service a
// clustered node depends on (NATS adds its own check here).
func (a *App) healthChecks() []healthCheck {
	checks := []healthCheck{{name: "database", check: a.db.Ping}}
	if a.bus.Clustered() {
		checks = append(checks, healthCheck{name: "nats", check: func(context.Context) error { return a.bus.Check() }})
	}
	return checks
}

type healthCheck struct {
	name  string
	check func(ctx context.Context) error
}

// healthz answers "ok" when every check passes, with one line per check and the node's
// name; 503 when any fails.
func (a *App) healthz(w http.ResponseWriter, r *http.Request) {
	var b strings.Builder
	failed := false
	for _, c := range a.healthChecks() {
		if err := c.check(r.Context()); err != nil {
			a.log.Error("health check failed", "check", c.name, "err", err)
			fmt.Fprintf(&b, "%s: unavailable\n", c.name)
			failed = true
			continue
		}
		fmt.Fprintf(&b, "%s: ok (%s)\n", c.name, a.healthDetail(c.name))
	}
	fmt.Fprintf(&b, "node: %s\n", a.cfg.NodeName)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if failed {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, "unavailable\n"+b.String())
		return
	}
	fmt.Fprint(w, "ok\n"+b.String())
}

func (a *App) healthDetail(name string) string {
	if name == "database" {
		return a.db.Dialect().String()
	}
	return "connected"
}
