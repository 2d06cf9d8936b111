package chat

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"stoa/account"
	"stoa/storage"
	"stoa/views"
	"stoa/web"
)

// PageSize is how many messages a room page shows.
const PageSize = 50

// Handlers serves chat's pages and its WebSocket endpoint.
type Handlers struct {
	svc  *Service
	web  *web.Responder
	ws   *wsUpgrader
	page int
}

// HandlerConfig configures chat's handlers.
type HandlerConfig struct {
	// AllowedOrigins are origins (scheme://host[:port]) besides the request's own host
	// that may open chat WebSockets, such as the site's public URL behind a proxy.
	AllowedOrigins []string
}

// NewHandlers returns chat's HTTP handlers.
func NewHandlers(svc *Service, w *web.Responder, cfg HandlerConfig) *Handlers {
	return &Handlers{svc: svc, web: w, ws: newUpgrader(svc.limits, cfg.AllowedOrigins), page: PageSize}
}

// Routes mounts chat's pages.
func (h *Handlers) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /chat", h.rooms)
	mux.HandleFunc("GET /chat/{$}", h.rooms)
	mux.HandleFunc("GET /chat/admin", h.admin)
	mux.HandleFunc("POST /chat/admin/rooms", h.createRoom)
	mux.HandleFunc("POST /chat/admin/rooms/{room}", h.updateRoom)
	mux.HandleFunc("POST /chat/admin/rooms/{room}/archive", h.archiveRoom)
	mux.HandleFunc("GET /chat/{room}", h.room)
	mux.HandleFunc("GET /chat/{room}/ws", h.socket)
	mux.HandleFunc("POST /chat/{room}/messages", h.post)
	mux.HandleFunc("POST /chat/{room}/ack", h.ack)
	mux.HandleFunc("GET /chat/{room}/messages/{id}/edit", h.editForm)
	mux.HandleFunc("POST /chat/{room}/messages/{id}/edit", h.edit)
	mux.HandleFunc("POST /chat/{room}/messages/{id}/delete", h.delete)
}

func roomItem(r *Room) views.ChatRoomItem {
	return views.ChatRoomItem{Slug: r.Slug, Name: r.Name, Topic: r.Topic, Messages: r.Messages, LastAt: r.LastAt, Archived: r.Archived()}
}

func (h *Handlers) rooms(w http.ResponseWriter, r *http.Request) {
	rooms, err := h.svc.store.Rooms(r.Context())
	if err != nil {
		h.web.ServerError(w, r, err)
		return
	}
	d := views.ChatRoomsData{Admin: account.UserFrom(r.Context()).IsAdmin()}
	for _, room := range rooms {
		if room.Archived() {
			d.Archived = append(d.Archived, roomItem(room))
		} else {
			d.Rooms = append(d.Rooms, roomItem(room))
		}
	}
	h.web.Render(w, r, http.StatusOK, views.ChatRooms(h.web.Page(r, "Chat", "chat"), d))
}

func (h *Handlers) loadRoom(w http.ResponseWriter, r *http.Request) (*Room, bool) {
	room, err := h.svc.store.RoomBySlug(r.Context(), r.PathValue("room"))
	if errors.Is(err, storage.ErrNotFound) {
		h.web.NotFound(w, r)
		return nil, false
	}
	if err != nil {
		h.web.ServerError(w, r, err)
		return nil, false
	}
	return room, true
}

func (h *Handlers) room(w http.ResponseWriter, r *http.Request) {
	room, ok := h.loadRoom(w, r)
	if !ok {
		return
	}
	h.renderRoom(w, r, room, http.StatusOK, views.ChatRoomData{Token: account.NewToken()})
}

// renderRoom shows a room page; d carries the composer's state after a failed post.
func (h *Handlers) renderRoom(w http.ResponseWriter, r *http.Request, room *Room, status int, d views.ChatRoomData) {
	ctx := r.Context()
	u := account.UserFrom(ctx)
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	if r.Method != http.MethodGet {
		before = 0
	}
	msgs, more, err := h.svc.store.Latest(ctx, room.ID, before, h.page)
	if err != nil {
		h.web.ServerError(w, r, err)
		return
	}
	d.Room, d.Live = roomItem(room), before <= 0
	if more && len(msgs) > 0 {
		d.OlderURL = fmt.Sprintf("/chat/%s?before=%d", room.Slug, msgs[0].ID)
	}
	if len(msgs) > 0 && d.Live {
		d.LastID = msgs[len(msgs)-1].ID
	}
	for _, m := range msgs {
		d.Messages = append(d.Messages, messageView(u, m))
	}
	switch {
	case room.Archived():
		d.SendReason = "This room is archived: its history stays readable, but it accepts no new messages."
	case u == nil:
		d.SendReason = "Log in or create an account to chat. Reading and watching need no account and set no cookie."
	default:
		d.Viewer = u.Username
		if err := h.svc.restrictions.CanPost(ctx, u.ID); err != nil {
			d.SendReason = err.Error()
			break
		}
		d.CanSend = true
		if d.NeedsAck, err = h.svc.NeedsAck(ctx, u, room); err != nil {
			h.web.ServerError(w, r, err)
			return
		}
	}
	if u != nil {
		d.Viewer = u.Username
	}
	h.web.Render(w, r, status, views.ChatRoom(h.web.Page(r, "#"+room.Name, "chat"), d))
}

func messageView(u *account.User, m *Message) views.ChatMessage {
	v := views.ChatMessage{ID: m.ID, Author: m.Author, HTML: m.HTML, At: m.CreatedAt, Edited: !m.EditedAt.IsZero()}
	if m.AuthorID != 0 {
		v.AuthorURL = "/u/" + m.Author
	}
	v.Own = u != nil && m.AuthorID == u.ID
	v.CanReport = u != nil && !v.Own && m.AuthorID != 0
	return v
}

// post sends a message from the plain form, for members without JavaScript: the same
// rules as the WebSocket, answered with a page.
func (h *Handlers) post(w http.ResponseWriter, r *http.Request) {
	room, ok := h.loadRoom(w, r)
	if !ok {
		return
	}
	u := account.UserFrom(r.Context())
	if u == nil {
		web.RequireLogin(w, r)
		return
	}
	if err := web.ParseForm(w, r); err != nil {
		h.web.BadInput(w, r, err)
		return
	}
	in := Input{Body: r.PostFormValue("body"), Token: r.PostFormValue("token"), Confirm: r.PostFormValue("confirm") == "1"}
	m, err := h.svc.Send(r.Context(), u, room, in)
	if err == nil {
		http.Redirect(w, r, fmt.Sprintf("/chat/%s#m%d", room.Slug, m.ID), http.StatusSeeOther)
		return
	}
	d := views.ChatRoomData{Body: in.Body, Token: in.Token}
	status, ok := h.formError(w, r, err, &d.Error, &d.Held)
	if !ok {
		return
	}
	h.renderRoom(w, r, room, status, d)
}

// formError turns a refusal into a message on the form, or answers itself and returns
// false for an unexpected error.
func (h *Handlers) formError(w http.ResponseWriter, r *http.Request, err error, msg *string, held *[]string) (int, bool) {
	var e *Error
	var confirm *ConfirmError
	switch {
	case errors.As(err, &confirm):
		*held = confirm.Findings
		return http.StatusOK, true
	case errors.As(err, &e):
		*msg = e.Message
		switch e.Code {
		case CodeRateLimited:
			return http.StatusTooManyRequests, true
		case CodeForbidden, CodeSilenced:
			return http.StatusForbidden, true
		case CodeTooLarge:
			return http.StatusRequestEntityTooLarge, true
		}
		return http.StatusUnprocessableEntity, true
	case errors.Is(err, ErrClosed):
		*msg = "The server is restarting and did not keep this message. Send it again in a moment."
		return http.StatusServiceUnavailable, true
	}
	h.web.ServerError(w, r, err)
	return 0, false
}

// ack records the room page's "I understand" button: the member knows the room is public.
func (h *Handlers) ack(w http.ResponseWriter, r *http.Request) {
	room, ok := h.loadRoom(w, r)
	if !ok {
		return
	}
	u := account.UserFrom(r.Context())
	if u == nil {
		web.RequireLogin(w, r)
		return
	}
	if err := h.svc.Acknowledge(r.Context(), u, room); err != nil {
		h.web.ServerError(w, r, err)
		return
	}
	http.Redirect(w, r, "/chat/"+room.Slug+"#chat-form", http.StatusSeeOther)
}

// loadOwn loads the member's own message named in the path, or answers.
func (h *Handlers) loadOwn(w http.ResponseWriter, r *http.Request) (*account.User, *Message, *Room, bool) {
	room, ok := h.loadRoom(w, r)
	if !ok {
		return nil, nil, nil, false
	}
	u := account.UserFrom(r.Context())
	if u == nil {
		web.RequireLogin(w, r)
		return nil, nil, nil, false
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.web.NotFound(w, r)
		return nil, nil, nil, false
	}
	m, _, err := h.svc.ownMessage(r.Context(), u, id, room.ID)
	var e *Error
	switch {
	case errors.As(err, &e) && e.Code == CodeBadRequest:
		h.web.NotFound(w, r)
		return nil, nil, nil, false
	case errors.As(err, &e):
		h.web.Forbidden(w, r, e.Message)
		return nil, nil, nil, false
	case err != nil:
		h.web.ServerError(w, r, err)
		return nil, nil, nil, false
	}
	return u, m, room, true
}

func (h *Handlers) editForm(w http.ResponseWriter, r *http.Request) {
	_, m, room, ok := h.loadOwn(w, r)
	if !ok {
		return
	}
	d := views.ChatEditData{Room: roomItem(room), ID: m.ID, Body: m.Source}
	h.web.Render(w, r, http.StatusOK, views.ChatEdit(h.web.Page(r, "Edit message", "chat"), d))
}

func (h *Handlers) edit(w http.ResponseWriter, r *http.Request) {
	u, m, room, ok := h.loadOwn(w, r)
	if !ok {
		return
	}
	if err := web.ParseForm(w, r); err != nil {
		h.web.BadInput(w, r, err)
		return
	}
	body := r.PostFormValue("body")
	_, err := h.svc.Edit(r.Context(), u, m.ID, body, r.PostFormValue("confirm") == "1")
	if err == nil {
		http.Redirect(w, r, fmt.Sprintf("/chat/%s#m%d", room.Slug, m.ID), http.StatusSeeOther)
		return
	}
	d := views.ChatEditData{Room: roomItem(room), ID: m.ID, Body: body, Errors: views.FieldError{}}
	var msg string
	var held []string
	status, ok := h.formError(w, r, err, &msg, &held)
	if !ok {
		return
	}
	if msg != "" {
		d.Errors["body"] = msg
	}
	if len(held) > 0 {
		d.Hold = &views.Hold{Findings: held}
	}
	h.web.Render(w, r, status, views.ChatEdit(h.web.Page(r, "Edit message", "chat"), d))
}

func (h *Handlers) delete(w http.ResponseWriter, r *http.Request) {
	u, m, room, ok := h.loadOwn(w, r)
	if !ok {
		return
	}
	if _, err := h.svc.Delete(r.Context(), u, m.ID); err != nil {
		h.web.ServerError(w, r, err)
		return
	}
	http.Redirect(w, r, "/chat/"+room.Slug, http.StatusSeeOther)
}
