package chat

import (
	"net/http"
	"net/url"

	"stoa/account"
	"stoa/views"
	"stoa/web"
)

// AdminLink is chat's entry on the administration dashboard: the page that manages rooms.
func AdminLink() views.MeLink {
	return views.MeLink{URL: "/chat/admin", Title: "Chat rooms",
		Text: "Create chat rooms, rename them, change their topics, and archive or reopen them."}
}

// savedText says what the admin's last change did.
var savedText = map[string]string{
	"created":  "Room created.",
	"renamed":  "Room saved.",
	"archived": "Room archived: it stays readable and accepts no new messages.",
	"reopened": "Room reopened: members can write in it again.",
}

func (h *Handlers) admin(w http.ResponseWriter, r *http.Request, _ *account.User) {
	h.renderAdmin(w, r, http.StatusOK, views.ChatAdminData{Saved: savedText[r.URL.Query().Get("saved")]})
}

func (h *Handlers) renderAdmin(w http.ResponseWriter, r *http.Request, status int, d views.ChatAdminData) {
	rooms, err := h.svc.store.Rooms(r.Context())
	if err != nil {
		h.web.Fail(w, r, err)
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

func (h *Handlers) createRoom(w http.ResponseWriter, r *http.Request, u *account.User) {
	slug, name, topic := r.PostFormValue("slug"), r.PostFormValue("name"), r.PostFormValue("topic")
	room, err := h.svc.CreateRoom(r.Context(), u, slug, name, topic)
	if err != nil {
		fields, status, ok := web.FormErrors(w, err)
		if !ok {
			h.web.Fail(w, r, err)
			return
		}
		h.renderAdmin(w, r, status, views.ChatAdminData{Slug: slug, Name: name, Topic: topic, Errors: fields})
		return
	}
	adminDone(w, r, "created", room.Slug)
}

func (h *Handlers) updateRoom(w http.ResponseWriter, r *http.Request, u *account.User) {
	room, err := h.loadRoom(r)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	if err := h.svc.UpdateRoom(r.Context(), u, room, r.PostFormValue("name"), r.PostFormValue("topic")); err != nil {
		fields, status, ok := web.FormErrors(w, err)
		if !ok {
			h.web.Fail(w, r, err)
			return
		}
		h.renderAdmin(w, r, status, views.ChatAdminData{RoomSlug: room.Slug, RoomErrors: fields})
		return
	}
	adminDone(w, r, "renamed", room.Slug)
}

func (h *Handlers) archiveRoom(w http.ResponseWriter, r *http.Request, u *account.User) {
	room, err := h.loadRoom(r)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	archived := r.PostFormValue("archived") != "0"
	if err := h.svc.SetArchived(r.Context(), u, room, archived); err != nil {
		h.web.Fail(w, r, err)
		return
	}
	saved := "archived"
	if !archived {
		saved = "reopened"
	}
	adminDone(w, r, saved, room.Slug)
}
