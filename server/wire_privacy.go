package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"stoa/account"
	"stoa/mail"
	"stoa/moderation"
	"stoa/privacy"
	"stoa/storage"
	"stoa/views"
)

// privacyParts holds what wirePrivacy builds: policies, the data export, analytics, enquiries (privacy/).
type privacyParts struct {
	// policies holds the versioned policies; chat records policies.CurrentVersion(ctx,
	// privacy.PrivacyPolicy) with each disclosure acknowledgement.
	policies  *privacy.Policies
	prefs     *privacy.Preferences
	enquiries *privacy.Enquiries
	analytics *privacy.Analytics
	handlers  *privacy.Handlers
	// retention purges what is kept past its time (expired sessions, deleted content);
	// features wired later add their own purge with retention.Add.
	retention *privacy.Retention
}

// analyticsFlushEvery is how long page-view counts stay in memory before being added to
// the daily totals; a clean shutdown flushes the rest.
const analyticsFlushEvery = 5 * time.Minute

// retentionEvery is how often expired sessions and old deleted content are purged.
const retentionEvery = time.Hour

// wirePrivacy builds policies, the data export, analytics, enquiries (privacy/) and mounts its routes.
func (a *App) wirePrivacy(ctx context.Context, mux *http.ServeMux) error {
	members := privacyMembers{a.accountStore}
	var mailer privacy.Mailer
	if a.mail.outbox != nil {
		mailer = privacyMailer{o: a.mail.outbox, log: a.log}
	}
	render := func(src string) string { return a.renderer.Render(src).HTML }
	p := &a.privacy
	p.policies = privacy.NewPolicies(a.db, privacy.PolicyOptions{Render: render, Members: members, Mailer: mailer, BaseURL: a.cfg.BaseURL})
	if err := p.policies.Seed(ctx); err != nil {
		return err
	}
	p.prefs = privacy.NewPreferences(a.db, members, mailer, render, a.cfg.BaseURL)
	p.enquiries = privacy.NewEnquiries(a.db, members, mailer, a.cfg.BaseURL)
	p.analytics = privacy.NewAnalytics(a.db)
	p.analytics.Start(analyticsFlushEvery, func(err error) { a.log.Error("analytics flush failed", "err", err) })
	a.closers = append(a.closers, func() {
		if err := p.analytics.Stop(); err != nil {
			a.log.Error("analytics flush at shutdown failed", "err", err)
		}
	})

	p.retention = privacy.NewRetention(func(what string, err error) { a.log.Error("purge failed", "what", what, "err", err) })
	p.retention.Add("expired sessions", a.accountStore.DeleteExpiredSessions)
	p.retention.Start(retentionEvery)
	a.closers = append(a.closers, p.retention.Stop)

	// Registration records which policy versions the new member accepted.
	a.accounts.AfterCreate(p.policies.Accept)
	// Each package's share of a member's data, for /me/export and /me/delete (P15); the
	// forum adds its own share in wireForum.
	a.accounts.AddDataSource(privacy.DataSource{Policies: p.policies, Prefs: p.prefs, Enquiries: p.enquiries})
	if a.mail.outbox != nil {
		a.accounts.AddDataSource(queuedMail{a.mail.outbox})
	}

	p.handlers = privacy.NewHandlers(privacy.HandlerDeps{
		Policies: p.policies, Prefs: p.prefs, Enquiries: p.enquiries, Analytics: p.analytics, Members: members,
		Auditor: auditLog{db: a.db, accounts: a.accountStore},
		Export:  a.accounts.Export,
		Viewer: func(r *http.Request) *privacy.Member {
			if u := account.UserFrom(r.Context()); u != nil {
				return memberOf(u)
			}
			return nil
		},
		Web: a.web,
	})
	p.handlers.Routes(mux)
	a.accountHandlers.PrivacyRoutes(mux)
	a.banners = append(a.banners, func(r *http.Request, u *account.User) []views.Banner {
		out := append(p.handlers.Banners(r, u.ID), p.handlers.EnquiryBanners(r, u.ID)...)
		if u.IsStaff() {
			out = append(out, p.handlers.InboxBanners(r)...)
		}
		return out
	})
	a.moderation.AdminLinks = append(a.moderation.AdminLinks, privacy.AdminLinks()...)
	for _, l := range []views.MeLink{
		{URL: "/me/export", Title: "Download your data", Text: "Everything tied to your account, as JSON files with readable pages, in one ZIP archive."},
		{URL: "/me/preferences", Title: "Contact preferences", Text: "Choose whether administrators may email you announcements. Off unless you turn it on."},
		{URL: "/me/enquiries", Title: "Your enquiries", Text: "Messages you sent to the team through the contact form, and their answers."},
		{URL: "/me/delete", Title: "Delete your account", Text: "Erase your account, and choose whether your posts are erased or kept as a former member's.", Danger: true},
	} {
		a.accountHandlers.AddMeLink(l)
	}
	return nil
}

// privacyMiddleware counts page views for the anonymous statistics (P4); app.go puts it
// in the middleware chain.
func (a *App) privacyMiddleware(next http.Handler) http.Handler {
	if a.privacy.analytics == nil {
		return next
	}
	return a.privacy.analytics.Middleware(next)
}

func memberOf(u *account.User) *privacy.Member {
	return &privacy.Member{ID: u.ID, Username: u.Username, Email: u.Email, Confirmed: u.EmailVerified, Staff: u.IsStaff(), Admin: u.IsAdmin()}
}

// privacyMembers shows privacy the accounts it needs, without privacy importing account.
type privacyMembers struct{ store *account.Store }

func notFound(err error) error {
	if errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("%w: %w", privacy.ErrNotFound, err)
	}
	return err
}

func (m privacyMembers) ByID(ctx context.Context, id int64) (*privacy.Member, error) {
	u, err := m.store.ByID(ctx, id)
	if err != nil {
		return nil, notFound(err)
	}
	return memberOf(u), nil
}

func (m privacyMembers) ByUsername(ctx context.Context, name string) (*privacy.Member, error) {
	u, err := m.store.ByUsername(ctx, name)
	if err != nil {
		return nil, notFound(err)
	}
	return memberOf(u), nil
}

func (m privacyMembers) WithEmail(ctx context.Context) ([]privacy.Member, error) {
	const page = 500
	var out []privacy.Member
	for off := 0; ; off += page {
		users, err := m.store.ListUsers(ctx, page, off)
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			if u.Email != "" && u.EmailVerified {
				out = append(out, *memberOf(u))
			}
		}
		if len(users) < page {
			return out, nil
		}
	}
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

// queuedMail erases mail still waiting for a member who deletes their account (P15).
type queuedMail struct{ o *mail.Outbox }

func (queuedMail) ExportUser(context.Context, int64, func(string, any) error) error { return nil }

func (q queuedMail) EraseUser(tx *storage.Tx, userID int64, _ bool) error {
	return q.o.PurgeUser(tx, userID)
}

// auditLog writes staff access to personal data into moderation's audit log (P12, P13).
type auditLog struct {
	db       *storage.DB
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
	return l.db.Write(ctx, func(tx *storage.Tx) error {
		return moderation.Audit(tx, actor, moderation.Entry{Action: moderation.Action(action), TargetKind: "user",
			TargetID: target.ID, TargetUserID: target.ID, TargetLabel: target.Username, TargetURL: "/u/" + target.Username, Reason: reason})
	})
}
