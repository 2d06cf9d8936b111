package server

import (
	"context"
	"errors"
	"net/http"

	"stoa/chat"
	"stoa/mail"
	"stoa/moderation"
	"stoa/privacy"
	"stoa/storage"
	"stoa/views"
)

// moderationParts holds what wireModeration builds: reports, the review queue, notices, sanctions and the audit log (moderation/).
type moderationParts struct {
	// service is moderation's rules. Its RecordForumAction has the shape of
	// forum.StaffAction, so the forum's thread management is audited too.
	service *moderation.Service
	// AdminLinks are the entries other features add to the /admin dashboard: append to it
	// in your wire function (the dashboard reads it on every visit, so wiring order does
	// not matter). Categories, members and roles, and the audit log are always listed.
	AdminLinks []views.MeLink
}

// wireModeration builds reports, the review queue, notices, sanctions and the audit log (moderation/) and mounts its routes.
func (a *App) wireModeration(ctx context.Context, mux *http.ServeMux) error {
	opts := moderation.Options{DB: a.db, Accounts: a.accountStore, Forum: a.forum, Renderer: a.renderer, BaseURL: a.cfg.BaseURL}
	// Each of these features may still be missing: moderation then cites no rules,
	// delivers notices in-app only, or cannot act on chat messages.
	if a.privacy.policies != nil {
		opts.Agreement = agreementRules{a.privacy.policies}
	}
	if a.mail.outbox != nil {
		opts.Mailer = noticeMailer{a.mail.outbox}
	}
	if a.chat.service != nil {
		opts.Chat = chatMessages{a.chat.service}
	}
	svc := moderation.New(opts)
	a.moderation.service = svc
	// Sanctions apply everywhere: login, sessions, the forum and chat all ask the account
	// service, which from now on asks moderation.
	a.accounts.SetRestrictions(svc.Restrictions())
	a.accounts.AddDataSource(svc.DataSource())
	h := moderation.NewHandlers(svc, a.web, func() []views.MeLink { return a.moderation.AdminLinks })
	h.Routes(mux)
	a.banners = append(a.banners, h.Banners)
	a.accountHandlers.AddMeLink(moderation.MeLink())
	return nil
}

// agreementRules gives moderation the numbered rules of the current community agreement.
type agreementRules struct{ p *privacy.Policies }

func (g agreementRules) CurrentRules(ctx context.Context) (int, []moderation.Rule, error) {
	pol, err := g.p.Current(ctx, privacy.Agreement)
	if errors.Is(err, privacy.ErrNotFound) {
		return 0, nil, nil
	}
	if err != nil {
		return 0, nil, err
	}
	var rules []moderation.Rule
	for _, r := range pol.Rules() {
		rules = append(rules, moderation.Rule{Number: r.Number, Text: r.Text})
	}
	return pol.Version, rules, nil
}

// noticeMailer queues notices' email in the outbox, in the notice's transaction.
type noticeMailer struct{ o *mail.Outbox }

func (m noticeMailer) EnqueueMail(tx *storage.Tx, x moderation.Mail) error {
	return m.o.Enqueue(tx, mail.Message{To: x.To, Subject: x.Subject, Text: x.Text, Kind: "notice", UserID: x.UserID})
}

// chatMessages lets moderation report and delete chat messages.
type chatMessages struct{ s *chat.Service }

func (c chatMessages) Message(ctx context.Context, id int64) (*moderation.ChatMessage, error) {
	m, err := c.s.MessageByID(ctx, id)
	if err != nil {
		return nil, err
	}
	return &moderation.ChatMessage{ID: m.ID, AuthorID: m.AuthorID, Author: m.Author, Room: m.Room, Source: m.Source,
		HTML: m.HTML, URL: m.URL(), Hidden: m.Hidden, Deleted: m.Deleted}, nil
}

func (c chatMessages) DeleteMessage(tx *storage.Tx, id int64) (func(), error) {
	// Chat tells its clients itself once tx commits.
	return nil, c.s.DeleteByStaffTx(tx, id)
}
