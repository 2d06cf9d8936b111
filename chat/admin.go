package chat

import (
	"errors"
	"net/http"
	"net/url"

	"stoa/account"
	"stoa/views"
	"stoa/web"
)

// savedText says what the admin's last change did.
var savedText = map[string]string{
	"created":  "Room created.",
	"renamed":  "Room saved.",
	"archived": "Room archived: it stays readable and accepts no new messages.",
	"reopened": "Room reopened: members can write in it again.",
}

// requireAdmin returns the logged-in admin, or answers for anyone else.
func (h *Handlers) requireAdmin(w http.ResponseWriter, r *http.Request) (*account.User, bool) {
	u := account.UserFrom(r.Context())
	if u == nil {
		web.RequireLogin(w, r)
		return nil, false
	}
	if !u.IsAdmin() {
		h.web.Forbidden(w, r, ErrNotAdmin.Error())
		return nil, false
	}
	return u, true
}

func (h *Handlers) admin(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.requireAdmin(w, r); !ok {
		return
	}
	h.renderAdmin(w, r, http.StatusOK, views.ChatAdminData{Saved: savedText[r.URL.Query().Get("saved")]})
}

func (h *Handlers) renderAdmin(w http.ResponseWriter, r *http.Request, status int, d views.ChatAdminData) {
	rooms, err := h.svc.store.Rooms(r.Context())
	if err != nil {
		h.web.ServerError(w, r, err)
		return
	}
	for _, room := range rooms {
		d.Rooms = append(d.Rooms, roomItem(room))
	}
	h.web.Render(w, r, status, views.ChatAdmin(h.web.Page(r, "Manage chat rooms", "chat"), d))
}

func adminDone(w http.ResponseWriter, r *http.Request, saved, slug string) {
	http.Redirect(w, r, "/chat/admin?saved="+saved+"#room-"+url.PathEscape(slug), http.StatusSeeOther)
}

func (h *Handlers) createRoom(w http.ResponseWriter, r *http.Request) {
	u, ok := h.requireAdmin(w, r)
	if !ok {
		return
	}
	if err := web.ParseForm(w, r); err != nil {
		h.web.BadInput(w, r, err)
		return
	}
	slug, name, topic := r.PostFormValue("slug"), r.PostFormValue("name"), r.PostFormValue("topic")
	room, err := h.svc.CreateRoom(r.Context(), u, slug, name, topic)
	var input *InputError
	switch {
	case errors.As(err, &input):
		h.renderAdmin(w, r, http.StatusUnprocessableEntity, views.ChatAdminData{Slug: slug, Name: name, Topic: topic, Errors: input.Fields})
	case err != nil:
		h.web.ServerError(w, r, err)
	default:
		adminDone(w, r, "created", room.Slug)
	}
}

func (h *Handlers) updateRoom(w http.ResponseWriter, r *http.Request) {
	u, ok := h.requireAdmin(w, r)
	if !ok {
		return
	}
	room, ok := h.loadRoom(w, r)
	if !ok {
		return
	}
	if err := web.ParseForm(w, r); err != nil {
		h.web.BadInput(w, r, err)
		return
	}
	err := h.svc.UpdateRoom(r.Context(), u, room, r.PostFormValue("name"), r.PostFormValue("topic"))
	var input *InputError
	switch {
	case errors.As(err, &input):
		h.renderAdmin(w, r, http.StatusUnprocessableEntity, views.ChatAdminData{RoomSlug: room.Slug, RoomErrors: input.Fields})
	case err != nil:
		h.web.ServerError(w, r, err)
	default:
		adminDone(w, r, "renamed", room.Slug)
	}
}

func (h *Handlers) archiveRoom(w http.ResponseWriter, r *http.Request) {
	u, ok := h.requireAdmin(w, r)
	if !ok {
		return
	}
	room, ok := h.loadRoom(w, r)
	if !ok {
		return
	}
	if err := web.ParseForm(w, r); err != nil {
		h.web.BadInput(w, r, err)
		return
	}
	archived := r.PostFormValue("archived") != "0"
	if err := h.svc.SetArchived(r.Context(), u, room, archived); err != nil {
		h.web.ServerError(w, r, err)
		return
	}
	saved := "archived"
	if !archived {
		saved = "reopened"
	}
	adminDone(w, r, saved, room.Slug)
}
