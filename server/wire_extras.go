package server

import (
	"context"
	"fmt"
	"net/http"

	"stoa/account"
	"stoa/chat"
	"stoa/forum"
	"stoa/storage"
)

// extrasParts holds what wireExtras builds: search, notifications, feeds and reactions for the forum.
type extrasParts struct {
	// forum is search, feeds, reactions, unread tracking and thread management.
	forum *forum.Extras
}

// wireExtras builds search, notifications, feeds and reactions for the forum and mounts its routes.
func (a *App) wireExtras(ctx context.Context, mux *http.ServeMux) error {
	n := a.notifier
	x := forum.NewExtras(a.forum, forum.ExtrasOptions{Accounts: a.accountStore, Notifier: n, Web: a.web, Log: a.log, BaseURL: a.cfg.BaseURL})
	x.Routes(mux)
	a.extras = extrasParts{forum: x}
	// Pinning, closing and moving threads go into the audit log with the change.
	x.OnStaffAction(forumAudit{log: a.moderation.audit, accounts: a.accountStore, forum: a.forumStore}.record)
	if svc := a.chat.service; svc != nil {
		wireChatExtras(svc, n, x)
	}

	return nil
}

// wireChatExtras indexes chat messages for search, notifies members mentioned in chat,
// and gives the search page its chat tab: forum and chat do not know each other.
func wireChatExtras(svc *chat.Service, n *account.Notifier, x *forum.Extras) {
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
	x.SetChatSearch(func(ctx context.Context, match, author string, limit, offset int) ([]forum.ChatHit, int, error) {
		hits, total, err := svc.Store().Search(ctx, match, author, limit, offset)
		out := make([]forum.ChatHit, 0, len(hits))
		for _, h := range hits {
			out = append(out, forum.ChatHit{URL: h.URL(), Room: h.RoomName, RoomURL: "/chat/" + h.Room,
				Author: h.Author, Snippet: h.Snippet, CreatedAt: h.CreatedAt})
		}
		return out, total, err
	})
}
