package mail

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"stoa/storage"
	"stoa/views"
	"stoa/web"
)

// pageSize is how many mails the admin page lists at once.
const pageSize = 50

// AdminOnly wraps a handler so that only administrators reach it: readers are sent to log
// in, other members refused, and a POST's form is read first. Mail sits below account,
// so the server passes account.Guard's Admin.
type AdminOnly func(next http.HandlerFunc) http.HandlerFunc

// Handlers serves the admin outbox page.
type Handlers struct {
	o     *Outbox
	web   *web.Responder
	admin AdminOnly
}

// NewHandlers returns the admin pages for o, open to whom admin lets through.
func NewHandlers(o *Outbox, w *web.Responder, admin AdminOnly) *Handlers {
	return &Handlers{o: o, web: w, admin: admin}
}

// Routes mounts the admin outbox page and its buttons.
func (h *Handlers) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin/mail", h.admin(h.list))
	mux.HandleFunc("POST /admin/mail/retry-failed", h.admin(h.retryFailed))
	mux.HandleFunc("POST /admin/mail/{id}/retry", h.admin(h.retry))
	mux.HandleFunc("POST /admin/mail/{id}/discard", h.admin(h.discard))
}

func (h *Handlers) list(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	page := web.PageNumber(r)
	queued, failed, err := h.o.Counts(ctx)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	items, err := h.o.List(ctx, pageSize, (page-1)*pageSize)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	d := views.MailOutbox{Configured: h.o.Configured(), Queued: queued, Failed: failed}
	d.Pager = views.Pager{Page: page, Pages: max(1, (queued+failed+pageSize-1)/pageSize)}
	if page > 1 {
		d.Pager.PrevURL = "/admin/mail?page=" + strconv.Itoa(page-1)
	}
	if page < d.Pager.Pages {
		d.Pager.NextURL = "/admin/mail?page=" + strconv.Itoa(page+1)
	}
	for _, q := range items {
		d.Items = append(d.Items, views.MailItem{ID: q.ID, Kind: q.Kind, To: MaskAddress(q.To), Subject: q.Subject,
			Failed: q.Failed, Attempts: q.Attempts, LastError: q.LastError, Created: q.CreatedAt, NextAttempt: q.NextAttempt})
	}
	h.web.Render(w, r, http.StatusOK, views.MailOutboxPage(h.web.Page(r, "Mail outbox", "admin"), d))
}

func (h *Handlers) retryFailed(w http.ResponseWriter, r *http.Request) {
	if _, err := h.o.RetryFailed(r.Context()); err != nil {
		h.web.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/mail", http.StatusSeeOther)
}

func (h *Handlers) retry(w http.ResponseWriter, r *http.Request) {
	h.act(w, r, h.o.Retry)
}

func (h *Handlers) discard(w http.ResponseWriter, r *http.Request) {
	h.act(w, r, h.o.Discard)
}

// act runs a button's action on the mail named in the path and returns to the list.
func (h *Handlers) act(w http.ResponseWriter, r *http.Request, fn func(context.Context, int64) error) {
	id, ok := web.PathID(r, "id")
	if !ok {
		h.web.NotFound(w, r)
		return
	}
	switch err := fn(r.Context(), id); {
	case errors.Is(err, storage.ErrNotFound):
		h.web.Error(w, r, http.StatusNotFound, "Mail not found",
			"That mail is no longer in the outbox: it was sent or discarded meanwhile. Go back to the outbox to see what is left.")
	case err != nil:
		h.web.Fail(w, r, err)
	default:
		http.Redirect(w, r, "/admin/mail", http.StatusSeeOther)
	}
}

// MaskAddress hides most of an address's local part, keeping what an admin needs to
// diagnose delivery: the domain.
func MaskAddress(addr string) string {
	at := strings.LastIndex(addr, "@")
	if at <= 0 {
		return "…"
	}
	r := []rune(addr[:at])
	return string(r[0]) + "…" + addr[at:]
}
