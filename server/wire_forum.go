package server

import (
	"context"
	"net/http"
	"time"

	"stoa/chat"
	"stoa/forum"
	"stoa/privacy"
	"stoa/storage"
)

// wireForum builds the forum (forum/): categories, threads and posts, search, feeds,
// reactions, watching, unread markers and the staff's thread tools, and mounts its
// routes.
func (a *App) wireForum(ctx context.Context, mux *http.ServeMux) error {
	f, err := forum.New(forum.Options{
		DB:           a.db,
		Renderer:     a.renderer,
		Restrictions: a.accounts.Restrictions(),
		Notifier:     a.notifications.notifier,
		Audit:        forumAudit{&a.moderation},
		ChatSearch:   chatSearch(a.chat.service),
		Accounts:     a.accountStore,
		Web:          a.web,
		Log:          a.log,
		BaseURL:      a.cfg.BaseURL,
		// Load tests post far faster than any member.
		NoPostingPace: a.cfg.NoRateLimits,
	})
	if err != nil {
		return err
	}
	a.closers = append(a.closers, f.Close)
	if err := f.Service.EnsureDefaultCategory(ctx); err != nil {
		return err
	}
	a.forum = f.Service
	a.accounts.AddDataSource(f.Service.DataSource())
	a.privacy.retention.Add("deleted forum posts", func(ctx context.Context, now time.Time) error {
		return f.Service.PurgeDeleted(ctx, now.Add(-privacy.DeletedContentRetention))
	})
	f.Routes(mux)
	return nil
}

// forumAudit records the forum's staff actions (pinning, closing and moving threads,
// staff editing or deleting others' posts) in moderation's audit log. Moderation is
// built after the forum, since it acts on posts, so this finds it when an action is
// recorded. Once moderation's audit log can be built on its own, before the forum, it
// is given to the forum directly and this goes.
type forumAudit struct{ m *moderationParts }

func (f forumAudit) RecordForumAction(tx *storage.Tx, actorID int64, action, target, reason string) error {
	return f.m.service.RecordForumAction(tx, actorID, action, target, reason)
}

// chatSearch gives the forum's search page its chat tab: forum and chat do not know
// each other.
func chatSearch(svc *chat.Service) forum.ChatSearch {
	return func(ctx context.Context, match, author string, limit, offset int) ([]forum.ChatHit, int, error) {
		hits, total, err := svc.Store().Search(ctx, match, author, limit, offset)
		out := make([]forum.ChatHit, 0, len(hits))
		for _, h := range hits {
			out = append(out, forum.ChatHit{URL: h.URL(), Room: h.RoomName, RoomURL: "/chat/" + h.Room,
				Author: h.Author, Snippet: h.Snippet, CreatedAt: h.CreatedAt})
		}
		return out, total, err
	}
}
