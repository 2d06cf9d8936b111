package server

import (
	"context"
	"net/http"

	"stoa/chat"
	"stoa/forum"
	"stoa/storage"
)

// wireForum builds the forum (forum/): categories, threads and posts, search, feeds,
// reactions, watching, unread markers and the staff's thread tools, and mounts its
// routes.
func (a *App) wireForum(ctx context.Context, mux *http.ServeMux) error {
	f, err := forum.New(forum.Options{
		DB:           a.db,
		Renderer:     a.renderer,
		Restrictions: a.moderation.sanctions,
		Notifier:     a.notifier,
		Audit:        a.moderation.audit,
		ChatSearch:   chatSearch(a.chat.service),
		Accounts:     a.accountStore,
		Web:          a.web,
		Log:          a.log,
		BaseURL:      a.cfg.BaseURL,
		Site:         a.site,
		Words:        a.words,
		// Load tests post far faster than any member.
		NoRateLimits: a.cfg.NoRateLimits,
		Generation:   a.gen.Value,
	})
	if err != nil {
		return err
	}
	a.closers = append(a.closers, f.Close)
	if err := f.Service.EnsureDefaultCategory(ctx); err != nil {
		return err
	}
	a.forum = f
	f.Routes(mux)
	return nil
}

// chatSearch gives the forum's search page its chat tab: forum and chat do not know
// each other.
func chatSearch(svc *chat.Service) forum.ChatSearch {
	return func(ctx context.Context, q storage.TextQuery, author string, candidates, limit, offset int) ([]forum.ChatHit, int, error) {
		hits, total, err := svc.Search(ctx, q, author, candidates, limit, offset)
		out := make([]forum.ChatHit, 0, len(hits))
		for _, h := range hits {
			out = append(out, forum.ChatHit{URL: h.URL(), Room: h.RoomName, RoomURL: "/chat/" + h.Room,
				Author: h.Author, Text: h.Text, CreatedAt: h.CreatedAt})
		}
		return out, total, err
	}
}
