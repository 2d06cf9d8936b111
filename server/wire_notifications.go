package server

import (
	"context"
	"fmt"
	"net/http"

	"stoa/account"
	"stoa/chat"
	"stoa/mail"
	"stoa/storage"
)

// notificationParts holds what wireNotifications builds: members' notifications of
// mentions, replies and watched threads, in Stoa and by email.
type notificationParts struct {
	// notifier records notifications; the forum and chat notify members through it.
	notifier *account.Notifier
}

// wireNotifications builds the notifier and its pages, and has chat messages notify the
// members they mention.
func (a *App) wireNotifications(ctx context.Context, mux *http.ServeMux) error {
	n := account.NewNotifier(a.db, a.cfg.BaseURL)
	if outbox := a.mail.outbox; outbox != nil {
		n.SetMailer(func(tx *storage.Tx, userID int64, to, subject, text string) error {
			return outbox.Enqueue(tx, mail.Message{To: to, Subject: subject, Text: text, Kind: "notification", UserID: userID})
		})
	}
	a.accounts.AddDataSource(n)
	nh := account.NewNotifyHandlers(n, a.web)
	nh.Routes(mux)
	a.accountHandlers.AddMeLink(nh.MeLink())
	a.notifications = notificationParts{notifier: n}
	if svc := a.chat.service; svc != nil {
		wireChatMessages(svc, n)
	}
	return nil
}

// wireChatMessages indexes chat messages for search and notifies members mentioned in
// chat.
func wireChatMessages(svc *chat.Service, n *account.Notifier) {
	svc.AfterMessage(func(tx *storage.Tx, m *chat.Message) error {
		key := fmt.Sprintf("chat:%d", m.ID)
		if m.Deleted {
			return n.Retract(tx, key)
		}
		if err := svc.IndexText(tx, m); err != nil {
			return err
		}
		if m.Hidden || m.AuthorID == 0 {
			return nil
		}
		return n.NotifyMentioned(tx, m.Mentions, account.Notification{Kind: account.NotifyChatMention,
			ActorID: m.AuthorID, Subject: "#" + m.Room, URL: m.URL(), Key: key})
	})
}
