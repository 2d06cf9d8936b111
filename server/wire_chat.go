package server

import (
	"context"
	"net/http"
	"time"

	"stoa/account"
	"stoa/chat"
	"stoa/moderation"
	"stoa/privacy"
	"stoa/storage"
)

// chatParts holds what wireChat builds: chat rooms and the WebSocket hub (chat/).
type chatParts struct {
	// service is chat's rules, history and hub. Moderation uses MessageByID and
	// DeleteByStaffTx; the search page uses Search.
	service *chat.Service
}

// wireChat builds chat rooms and the WebSocket hub (chat/) and mounts its routes.
func (a *App) wireChat(ctx context.Context, mux *http.ServeMux) error {
	policies := a.privacy.policies
	// Acknowledgements record the privacy policy's version; until privacy has seeded one
	// they record version 1.
	version := func(ctx context.Context) int {
		if policies == nil {
			return 1
		}
		v, err := policies.CurrentVersion(ctx, privacy.PrivacyPolicy)
		if err != nil {
			a.log.Warn("chat: privacy policy version unknown", "err", err)
			return 1
		}
		return v
	}
	var limits chat.Limits
	if a.cfg.NoRateLimits {
		// Load tests send far faster than any person and from one address.
		limits = chat.Limits{SendBurst: 1 << 20, SendEvery: time.Microsecond, MaxConnsPerAddr: 1 << 20}
	}
	svc := chat.NewService(chat.Config{
		DB:            a.db,
		Renderer:      a.renderer,
		Restrictions:  a.moderation.sanctions,
		PolicyVersion: version,
		Notifier:      a.notifier,
		Sessions:      a.accountStore,
		Words:         a.words,
		Automod:       a.site.Automod,
		Audit:         roomAudit{a.moderation.audit},
		Log:           a.log,
		Limits:        limits,
		Peers:         a.bus,
	})
	if err := svc.EnsureDefaultRoom(ctx); err != nil {
		svc.Close()
		return err
	}
	a.chat.service = svc
	a.metrics.gauge("stoa_websocket_connections", "Open chat WebSocket connections.",
		func() float64 { return float64(svc.Hub().Connections()) })
	a.metrics.counter("stoa_chat_frames_delivered_total", "Chat frames written to WebSocket clients.",
		func() float64 { return float64(svc.Hub().Delivered()) })
	// Shutdown sends every client a 1001 close before the HTTP server stops; Close (after
	// the server stopped, before the database closes) refuses new chat writes, and those
	// in flight commit as the database closes.
	a.onShutdown = append(a.onShutdown, svc.Shutdown)
	a.closers = append(a.closers, svc.Close)
	// The site's own public URL may differ from the Host a proxy forwards.
	origins := append([]string{a.cfg.BaseURL}, a.cfg.AllowedOrigins...)
	chat.NewHandlers(svc, a.web, chat.HandlerConfig{AllowedOrigins: origins}).Routes(mux)
	a.moderation.AdminLinks = append(a.moderation.AdminLinks, chat.AdminLink())
	return nil
}

// roomAudit records moderators' changes to a room's slow mode and freeze in moderation's
// audit log.
type roomAudit struct{ log *moderation.AuditLog }

func (r roomAudit) RecordRoomMode(tx *storage.Tx, actor *account.User, room *chat.Room, summary string) error {
	return r.log.Record(tx, actor, moderation.Entry{Action: moderation.ActChangeRoomMode, TargetKind: "room", TargetID: room.ID,
		TargetLabel: summary, TargetURL: room.URL()})
}
