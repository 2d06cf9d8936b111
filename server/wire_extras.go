package server

import (
	"context"
	"net/http"

	"stoa/account"
	"stoa/chat"
	"stoa/forum"
	"stoa/mail"
	"stoa/storage"
)

// extrasParts holds what wireExtras builds: search, notifications, feeds and reactions for the forum.
type extrasParts struct {
	// notifier records notifications; other features may notify members through it.
	notifier *account.Notifier
	// forum is search, feeds, reactions, unread tracking and thread management.
	forum *forum.Extras
}

// wireNotifier builds the notifier that forum and chat record notifications through.
func (a *App) wireNotifier(context.Context, *http.ServeMux) error {
	n := account.NewNotifier(a.db, a.cfg.BaseURL)
	if outbox := a.mail.outbox; outbox != nil {
		n.SetMailer(func(tx *storage.Tx, userID int64, to, subject, text string) error {
			return outbox.Enqueue(tx, mail.Message{To: to, Subject: subject, Text: text, Kind: "notification", UserID: userID})
		})
	}
	a.extras.notifier = n
	return nil
}

// wireExtras builds search, notifications, feeds and reactions for the forum and mounts its routes.
func (a *App) wireExtras(ctx context.Context, mux *http.ServeMux) error {
	n := a.extras.notifier
	a.accounts.AddDataSource(n)
	nh := account.NewNotifyHandlers(n, a.web)
	nh.Routes(mux)
	a.accountHandlers.AddMeLink(nh.MeLink())

	x := forum.NewExtras(a.forum, forum.ExtrasOptions{Accounts: a.accountStore, Notifier: n, Web: a.web, Log: a.log, BaseURL: a.cfg.BaseURL})
	a.accounts.AddDataSource(x)
	x.Routes(mux)
	a.extras.forum = x
	if mod := a.moderation.service; mod != nil {
		// Pinning, closing and moving threads go into the audit log with the change.
		x.OnStaffAction(mod.RecordForumAction)
	}
	if svc := a.chat.service; svc != nil {
		wireChatSearch(svc, x)
	}

	return nil
}

// wireChatSearch gives the search page its chat tab: forum and chat do not know each other.
func wireChatSearch(svc *chat.Service, x *forum.Extras) {
	x.SetChatSearch(func(ctx context.Context, match, author string, limit, offset int) ([]forum.ChatHit, int, error) {
		hits, total, err := svc.Search(ctx, match, author, limit, offset)
		out := make([]forum.ChatHit, 0, len(hits))
		for _, h := range hits {
			out = append(out, forum.ChatHit{URL: h.URL(), Room: h.RoomName, RoomURL: "/chat/" + h.Room,
				Author: h.Author, Snippet: h.Snippet, CreatedAt: h.CreatedAt})
		}
		return out, total, err
	})
}
