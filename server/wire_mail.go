package server

import (
	"context"
	"net/http"
)

// mailParts holds what wireMail builds: the durable outbox and SMTP delivery (mail/).
type mailParts struct{}

// wireMail builds the durable outbox and SMTP delivery (mail/) and mounts its routes.
func (a *App) wireMail(ctx context.Context, mux *http.ServeMux) error {
	return nil
}
