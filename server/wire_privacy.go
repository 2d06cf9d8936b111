package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"stoa/account"
	"stoa/chat"
	"stoa/mail"
	"stoa/moderation"
	"stoa/privacy"
	"stoa/storage"
	"stoa/views"
)

// privacyParts holds what wirePrivacy builds: policies, analytics, enquiries (privacy/).
type privacyParts struct {
	// policies holds the versioned policies; chat records policies.CurrentVersion(ctx,
	// privacy.PrivacyPolicy) with each disclosure acknowledgement, and the account service
	// records what a new member accepted.
	policies  *privacy.Policies
	prefs     *privacy.Preferences
	enquiries *privacy.Enquiries
	analytics *privacy.Analytics
}

// analyticsFlushEvery is how long page-view counts stay in memory before being added to
// the daily totals; a clean shutdown flushes the rest.
const analyticsFlushEvery = 5 * time.Minute

// retentionEvery is how often expired sessions and old deleted content are purged.
const retentionEvery = time.Hour

// wirePrivacy builds policies, analytics and enquiries (privacy/), which chat, moderation
// and the account service use; its pages are mounted by mountPrivacy once the account
// service, whose export they offer, exists.
func (a *App) wirePrivacy(ctx context.Context) error {
	opts := privacy.Options{
		Render:  func(src string) string { return a.renderer.Render(src).HTML },
		Members: privacyMembers{a.accountStore},
		Mailer:  privacyMailer{o: a.mail.outbox, log: a.log},
		BaseURL: a.cfg.BaseURL,
		// Chat keeps the privacy policy's version; chat is built after privacy, so the
		// link is looked up when a version is saved.
		VersionChanged: func() {
			if a.chat.service != nil {
				a.chat.service.InvalidatePolicyVersion()
			}
			a.bus.Publish(chat.SubjectPolicy, nil)
		},
	}
	p := &a.privacy
	p.policies = privacy.NewPolicies(a.db, opts)
	if err := p.policies.Seed(ctx); err != nil {
		return err
	}
	p.prefs = privacy.NewPreferences(a.db, opts)
	p.enquiries = privacy.NewEnquiries(a.db, opts)
	p.analytics = privacy.NewAnalytics(a.db)
	p.analytics.Start(analyticsFlushEvery, func(err error) { a.log.Error("analytics flush failed", "err", err) })
	a.closers = append(a.closers, func() {
		if err := p.analytics.Stop(); err != nil {
			a.log.Error("analytics flush at shutdown failed", "err", err)
		}
	})

	banners := privacy.NewBanners(p.policies, p.enquiries)
	a.banners = append(a.banners, func(r *http.Request, u *account.User) []views.Banner {
		return banners.For(r, u.ID, u.IsStaff())
	})
	a.moderation.AdminLinks = append(a.moderation.AdminLinks, privacy.AdminLinks()...)
	return nil
}

// startRetention starts purging what is kept past its time (expired sessions, deleted
// content) once every part it purges is built.
func (a *App) startRetention() {
	r := privacy.NewRetention(func(what string, err error) { a.log.Error("purge failed", "what", what, "err", err) },
		privacy.Purge{Name: "expired sessions", Run: a.accountStore.DeleteExpiredSessions},
		privacy.Purge{Name: "deleted forum posts", Run: func(ctx context.Context, now time.Time) error {
			return a.forum.Service.PurgeDeleted(ctx, now.Add(-privacy.DeletedContentRetention))
		}},
		privacy.Purge{Name: "deleted chat messages", Run: func(ctx context.Context, now time.Time) error {
			return a.chat.service.PurgeDeleted(ctx, now.Add(-privacy.DeletedContentRetention))
		}})
	r.Start(retentionEvery)
	a.closers = append(a.closers, r.Stop)
}

// mountPrivacy mounts privacy's pages (policies, preferences, enquiries, analytics,
// audited access to personal data).
func (a *App) mountPrivacy(mux *http.ServeMux) {
	p := &a.privacy
	privacy.NewHandlers(privacy.HandlerDeps{
		Policies: p.policies, Prefs: p.prefs, Enquiries: p.enquiries, Analytics: p.analytics,
		Members: privacyMembers{a.accountStore},
		Auditor: auditLog{log: a.moderation.audit, accounts: a.accountStore},
		Export:  a.accounts.Export,
		Viewer: func(r *http.Request) *privacy.Member {
			if u := account.UserFrom(r.Context()); u != nil {
				return memberOf(u)
			}
			return nil
		},
		Guard: privacyGuard{account.Guard{Web: a.web}},
		Web:   a.web,
	}).Routes(mux)
}

// privacyMiddleware counts page views for the anonymous statistics (P4); app.go puts it
// in the middleware chain.
func (a *App) privacyMiddleware(next http.Handler) http.Handler {
	return a.privacy.analytics.Middleware(next)
}

func memberOf(u *account.User) *privacy.Member {
	return &privacy.Member{ID: u.ID, Username: u.Username, Email: u.Email, Confirmed: u.EmailVerified, Staff: u.IsStaff(), Admin: u.IsAdmin()}
}

// privacyGuard checks privacy's routes with account's one guard, showing the member to
// privacy as privacy sees members.
type privacyGuard struct{ g account.Guard }

func (p privacyGuard) Member(h privacy.MemberHandler) http.HandlerFunc {
	return p.g.Member(func(w http.ResponseWriter, r *http.Request, u *account.User) { h(w, r, memberOf(u)) })
}

func (p privacyGuard) Staff(h privacy.MemberHandler) http.HandlerFunc {
	return p.g.Staff(func(w http.ResponseWriter, r *http.Request, u *account.User) { h(w, r, memberOf(u)) })
}

func (p privacyGuard) Admin(h privacy.MemberHandler) http.HandlerFunc {
	return p.g.Admin(func(w http.ResponseWriter, r *http.Request, u *account.User) { h(w, r, memberOf(u)) })
}

// privacyMembers shows privacy the accounts it needs, without privacy importing account.
// A missing member is storage.ErrNotFound, which is privacy.ErrNotFound.
type privacyMembers struct{ store *account.Store }

func (m privacyMembers) ByID(ctx context.Context, id int64) (*privacy.Member, error) {
	u, err := m.store.ByID(ctx, id)
	if err != nil {
		return nil, err
	}
	return memberOf(u), nil
}

func (m privacyMembers) ByUsername(ctx context.Context, name string) (*privacy.Member, error) {
	u, err := m.store.ByUsername(ctx, name)
	if err != nil {
		return nil, err
	}
	return memberOf(u), nil
}

func (m privacyMembers) WithEmail(ctx context.Context) ([]privacy.Member, error) {
	users, err := m.store.WithConfirmedEmail(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]privacy.Member, 0, len(users))
	for _, u := range users {
		out = append(out, *memberOf(u))
	}
	return out, nil
}

// privacyMailer queues privacy's mail in the outbox.
type privacyMailer struct {
	o   *mail.Outbox
	log *slog.Logger
}

// Enqueue skips a mail the outbox refuses as malformed (an address that slipped past the
// checks of its time), so that one bad address cannot stop a policy change or an
// announcement from reaching everyone else.
func (m privacyMailer) Enqueue(tx *storage.Tx, x privacy.Mail) error {
	err := m.o.Enqueue(tx, mail.Message{To: x.To, Subject: x.Subject, Text: x.Text, HTML: x.HTML, Kind: x.Kind,
		UserID: x.UserID, Headers: x.Headers})
	if errors.Is(err, mail.ErrInvalid) {
		m.log.Warn("privacy: mail skipped", "kind", x.Kind, "user", x.UserID, "err", err)
		return nil
	}
	return err
}

// auditLog writes staff access to personal data into moderation's audit log (P12, P13).
type auditLog struct {
	log      *moderation.AuditLog
	accounts *account.Store
}

func (l auditLog) Record(ctx context.Context, actorID int64, action string, targetUserID int64, reason string) error {
	actor, err := l.accounts.ByID(ctx, actorID)
	if err != nil {
		return err
	}
	target, err := l.accounts.ByID(ctx, targetUserID)
	if err != nil {
		return err
	}
	return l.log.RecordAccess(ctx, actor, target, moderation.Action(action), reason)
}
