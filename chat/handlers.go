package chat

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"stoa/account"
	"stoa/views"
	"stoa/web"
)

// PageSize is how many messages a room page shows.
const PageSize = 50

// Handlers serves chat's pages and its WebSocket endpoint.
type Handlers struct {
	svc   *Service
	web   *web.Responder
	guard account.Guard
	ws    *wsUpgrader
	page  int
}

// HandlerConfig configures chat's handlers.
type HandlerConfig struct {
	// AllowedOrigins are origins (scheme://host[:port]) besides the request's own host
	// that may open chat WebSockets, such as the site's public URL behind a proxy.
	AllowedOrigins []string
}

// NewHandlers returns chat's HTTP handlers.
func NewHandlers(svc *Service, w *web.Responder, cfg HandlerConfig) *Handlers {
	return &Handlers{svc: svc, web: w, guard: account.Guard{Web: w}, ws: newUpgrader(svc.limits, cfg.AllowedOrigins), page: PageSize}
}

// Routes mounts chat's pages.
func (h *Handlers) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /chat", h.rooms)
	mux.HandleFunc("GET /chat/{$}", h.rooms)
	mux.HandleFunc("GET /chat/admin", h.guard.Admin(h.admin))
	mux.HandleFunc("POST /chat/admin/rooms", h.guard.Admin(h.createRoom))
	mux.HandleFunc("POST /chat/admin/rooms/{room}", h.guard.Admin(h.updateRoom))
	mux.HandleFunc("POST /chat/admin/rooms/{room}/archive", h.guard.Admin(h.archiveRoom))
	mux.HandleFunc("GET /chat/{room}", h.roomPage)
	mux.HandleFunc("GET /chat/{room}/ws", h.socket)
	mux.HandleFunc("POST /chat/{room}/messages", h.guard.Member(h.post))
	mux.HandleFunc("POST /chat/{room}/ack", h.guard.Member(h.ack))
	mux.HandleFunc("POST /chat/{room}/mode", h.guard.Staff(h.setMode))
	mux.HandleFunc("GET /chat/{room}/messages/{id}/edit", h.guard.Member(h.editForm))
	mux.HandleFunc("POST /chat/{room}/messages/{id}/edit", h.guard.Member(h.edit))
	mux.HandleFunc("GET /chat/{room}/messages/{id}/delete", h.guard.Member(h.deleteForm))
	mux.HandleFunc("POST /chat/{room}/messages/{id}/delete", h.guard.Member(h.delete))
}

func roomItem(r *Room) views.ChatRoomItem {
	return views.ChatRoomItem{Slug: r.Slug, Name: r.Name, Topic: r.Topic, Messages: r.Messages, LastAt: r.LastAt, Archived: r.Archived(),
		SlowSeconds: r.SlowSeconds, Frozen: !r.FrozenAt.IsZero()}
}

func (h *Handlers) rooms(w http.ResponseWriter, r *http.Request) {
	rooms, err := h.svc.store.Rooms(r.Context())
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	u := account.UserFrom(r.Context())
	unread, err := h.svc.UnreadCounts(r.Context(), u)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	d := views.ChatRoomsData{Admin: u.IsAdmin()}
	for _, room := range rooms {
		item := roomItem(room)
		item.Unread = unread[room.ID]
		if room.Archived() {
			d.Archived = append(d.Archived, item)
		} else {
			d.Rooms = append(d.Rooms, item)
		}
	}
	h.web.Render(w, r, http.StatusOK, views.ChatRooms(h.web.Page(r, "Chat", "chat"), d))
}

// loadRoom loads the room named in the path, or storage.ErrNotFound.
func (h *Handlers) loadRoom(r *http.Request) (*Room, error) {
	return h.svc.store.RoomBySlug(r.Context(), r.PathValue("room"))
}

func (h *Handlers) roomPage(w http.ResponseWriter, r *http.Request) {
	room, err := h.loadRoom(r)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	h.renderRoom(w, r, room, http.StatusOK, views.ChatRoomData{Token: account.NewToken(), ModeSaved: r.URL.Query().Get("mode") == "saved"})
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
		h.web.Fail(w, r, err)
		return
	}
	d.Room, d.Live = roomItem(room), before <= 0
	if more && len(msgs) > 0 {
		d.OlderURL = fmt.Sprintf("/chat/%s?before=%d", room.Slug, msgs[0].ID)
	}
	if len(msgs) > 0 && d.Live {
		d.LastID = msgs[len(msgs)-1].ID
	}
	for i, m := range msgs {
		v := messageView(u, m)
		v.Grouped = i > 0 && followsOn(msgs[i-1], m)
		d.Messages = append(d.Messages, v)
	}
	if d.Live && r.Method == http.MethodGet && d.LastID > 0 {
		if err := h.svc.MarkRead(ctx, u, room, d.LastID); err != nil {
			h.web.Fail(w, r, err)
			return
		}
	}
	if d.Rooms, err = h.sidebar(r, u, room); err != nil {
		h.web.Fail(w, r, err)
		return
	}
	d.Staff = u.IsStaff()
	switch {
	case room.Archived():
		d.SendReason = ErrArchived.Message
	case u == nil:
		d.SendReason = "Log in or create an account to chat. Reading and watching need no account and set no cookie."
	default:
		d.Viewer = u.Username
		if err := h.svc.restrictions.CanPost(ctx, u.ID); err != nil {
			d.SendReason = err.Error()
			break
		}
		if !room.FrozenAt.IsZero() && !u.IsStaff() {
			d.SendReason = ErrFrozen.Message
			break
		}
		d.CanSend = true
		if d.NeedsAck, err = h.svc.NeedsAck(ctx, u, room); err != nil {
			h.web.Fail(w, r, err)
			return
		}
	}
	if u != nil {
		d.Viewer = u.Username
	}
	h.web.Render(w, r, status, views.ChatRoom(h.web.Page(r, "#"+room.Name, "chat"), d))
}

// GroupWindow is how soon after an author's message their next one is shown as part of
// the same group, without their name again (chat.js groups live messages the same way).
const GroupWindow = 5 * time.Minute

// followsOn reports whether m continues prev's group: the same member, moments later.
func followsOn(prev, m *Message) bool {
	return m.AuthorID != 0 && prev.AuthorID == m.AuthorID && m.CreatedAt.Sub(prev.CreatedAt) < GroupWindow
}

// sidebar lists the open rooms (and the current one, even archived) with the member's
// unread counts, which are read after the page marked its own room read.
func (h *Handlers) sidebar(r *http.Request, u *account.User, current *Room) ([]views.ChatRoomLink, error) {
	rooms, err := h.svc.store.Rooms(r.Context())
	if err != nil {
		return nil, err
	}
	unread, err := h.svc.UnreadCounts(r.Context(), u)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(rooms, func(i, j int) bool { return rooms[i].Name < rooms[j].Name })
	var out []views.ChatRoomLink
	for _, room := range rooms {
		if room.Archived() && room.ID != current.ID {
			continue
		}
		out = append(out, views.ChatRoomLink{Slug: room.Slug, Name: room.Name, Unread: unread[room.ID], Current: room.ID == current.ID})
	}
	return out, nil
}

func messageView(u *account.User, m *Message) views.ChatMessage {
	v := views.ChatMessage{ID: m.ID, Author: m.Author, HTML: m.HTML, At: m.CreatedAt, Edited: !m.EditedAt.IsZero()}
	if m.AuthorID != 0 {
		v.AuthorURL = "/u/" + m.Author
	}
	v.Own = u != nil && m.AuthorID == u.ID
	v.CanReport = u != nil && !v.Own && m.AuthorID != 0
	v.CanModerate = u.IsStaff() && !v.Own
	return v
}

// post sends a message from the plain form, for members without JavaScript: the same
// rules as the WebSocket, answered with a page.
func (h *Handlers) post(w http.ResponseWriter, r *http.Request, u *account.User) {
	room, err := h.loadRoom(r)
	if err != nil {
		h.web.Fail(w, r, err)
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
	if errors.As(err, new(*HeldError)) {
		// Kept for review: the box is emptied for the next message.
		d.Body, d.Token, d.Waiting = "", account.NewToken(), d.Error
		d.Error = ""
	}
	h.renderRoom(w, r, room, status, d)
}

// formError turns a refusal into a message on the form, or answers itself and returns
// false for any other error.
func (h *Handlers) formError(w http.ResponseWriter, r *http.Request, err error, msg *string, held *[]string) (int, bool) {
	var confirm *ConfirmError
	if errors.As(err, &confirm) {
		*held = confirm.Findings
		return http.StatusOK, true
	}
	var review *HeldError
	if errors.As(err, &review) {
		*msg = review.Message()
		return http.StatusAccepted, true
	}
	fields, status, ok := web.FormErrors(w, err)
	if !ok {
		h.web.Fail(w, r, err)
		return 0, false
	}
	*msg = fields["form"]
	return status, true
}

// ack records the room page's "I understand" button: the member knows the room is public.
// The button belongs to the message form, so a message typed before it was pressed comes
// along and is shown again, unsent, in the box.
func (h *Handlers) ack(w http.ResponseWriter, r *http.Request, u *account.User) {
	room, err := h.loadRoom(r)
	if err == nil {
		err = h.svc.Acknowledge(r.Context(), u, room)
	}
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	if body := r.PostFormValue("body"); strings.TrimSpace(body) != "" {
		token := r.PostFormValue("token")
		if token == "" {
			token = account.NewToken()
		}
		h.renderRoom(w, r, room, http.StatusOK, views.ChatRoomData{Body: body, Token: token})
		return
	}
	http.Redirect(w, r, "/chat/"+room.Slug+"#chat-form", http.StatusSeeOther)
}

// ownMessage loads the member's own message named in the path, with its room.
func (h *Handlers) ownMessage(r *http.Request, u *account.User) (*Message, *Room, error) {
	room, err := h.loadRoom(r)
	if err != nil {
		return nil, nil, err
	}
	id, ok := web.PathID(r, "id")
	if !ok {
		return nil, nil, errNoMessage
	}
	m, _, err := h.svc.ownMessage(r.Context(), u, id, room.ID)
	return m, room, err
}

func (h *Handlers) editForm(w http.ResponseWriter, r *http.Request, u *account.User) {
	m, room, err := h.ownMessage(r, u)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	d := views.ChatEditData{Room: roomItem(room), ID: m.ID, Body: m.Source}
	h.web.Render(w, r, http.StatusOK, views.ChatEdit(h.web.Page(r, "Edit message", "chat"), d))
}

func (h *Handlers) edit(w http.ResponseWriter, r *http.Request, u *account.User) {
	m, room, err := h.ownMessage(r, u)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	body := r.PostFormValue("body")
	if _, err = h.svc.Edit(r.Context(), u, m.ID, body, r.PostFormValue("confirm") == "1"); err == nil {
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

// deleteForm asks before a member deletes their own message, for pages without
// JavaScript; the room page's script asks in place instead.
func (h *Handlers) deleteForm(w http.ResponseWriter, r *http.Request, u *account.User) {
	m, room, err := h.ownMessage(r, u)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	d := views.ChatDeleteData{Room: roomItem(room), ID: m.ID, HTML: m.HTML}
	h.web.Render(w, r, http.StatusOK, views.ChatDeleteConfirm(h.web.Page(r, "Delete message", "chat"), d))
}

func (h *Handlers) delete(w http.ResponseWriter, r *http.Request, u *account.User) {
	m, room, err := h.ownMessage(r, u)
	if err == nil {
		_, err = h.svc.Delete(r.Context(), u, m.ID)
	}
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/chat/"+room.Slug, http.StatusSeeOther)
}

// setMode is the moderators' form on the room page: slow mode and freeze.
func (h *Handlers) setMode(w http.ResponseWriter, r *http.Request, u *account.User) {
	room, err := h.loadRoom(r)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	slow, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("slow")))
	if err != nil {
		slow = -1 // refused below with the message that says what to write
	}
	err = h.svc.SetRoomMode(r.Context(), u, room, slow, r.PostFormValue("frozen") == "1")
	if err == nil {
		http.Redirect(w, r, chatRoomPath(room.Slug)+"?mode=saved", http.StatusSeeOther)
		return
	}
	d := views.ChatRoomData{Token: account.NewToken()}
	status, ok := h.formError(w, r, err, &d.ModeError, &d.Held)
	if !ok {
		return
	}
	if fields := web.AsError(err); fields != nil && fields.Fields["slow"] != "" {
		d.ModeError = fields.Fields["slow"]
	}
	h.renderRoom(w, r, room, status, d)
}

func chatRoomPath(slug string) string { return "/chat/" + slug }
