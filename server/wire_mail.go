package server

import (
	"context"
	"net/http"

	"stoa/account"
	"stoa/mail"
	"stoa/views"
)

// mailParts holds what wireMail builds: the durable outbox and SMTP delivery (mail/).
type mailParts struct {
	// outbox queues every email Stoa sends; other features call outbox.Enqueue in their
	// own transaction. Without --smtp-url it keeps mail queued until there is one.
	outbox *mail.Outbox
}

// wireMail builds the durable outbox and SMTP delivery (mail/) and mounts its admin page.
// Everything that sends mail is built after it.
func (a *App) wireMail(ctx context.Context, mux *http.ServeMux) error {
	a.mail.outbox = mail.NewOutbox(a.db, mail.Config{
		SMTPURL: a.cfg.SMTPURL,
		From:    a.cfg.SMTPFrom,
		BaseURL: a.cfg.BaseURL,
		Site:    a.site,
		Log:     a.log,
	})
	if err := a.mail.outbox.Start(ctx); err != nil {
		return err
	}
	a.closers = append(a.closers, a.mail.outbox.Close)
	outbox := a.mail.outbox
	a.metrics.gauge("stoa_mail_outbox_queued", "Mail waiting in the outbox to be sent.", func() float64 {
		queued, _, _ := outbox.Counts(context.Background())
		return float64(queued)
	})
	a.metrics.gauge("stoa_mail_outbox_failed", "Mail that failed after every retry.", func() float64 {
		_, failed, _ := outbox.Counts(context.Background())
		return float64(failed)
	})
	if a.cfg.SMTPURL == "" {
		a.log.Info("mail: no --smtp-url set; mail stays queued until one is")
	}
	guard := account.Guard{Web: a.web}
	mail.NewHandlers(outbox, a.web, func(next http.HandlerFunc) http.HandlerFunc {
		return guard.Admin(func(w http.ResponseWriter, r *http.Request, _ *account.User) { next(w, r) })
	}).Routes(mux)
	a.moderation.AdminLinks = append(a.moderation.AdminLinks, views.MeLink{URL: "/admin/mail", Title: "Mail outbox",
		Text: "Mail waiting to be sent or that failed, with buttons to retry it."})
	return nil
}
