package account

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"stoa/storage"
	"stoa/views"
	"stoa/web"
)

// AvatarLink is the account page's entry for the profile picture.
func AvatarLink() views.MeLink {
	return views.MeLink{URL: "/me/avatar", Title: "Profile picture",
		Text: "Upload a picture, or keep the pattern drawn from your username. Shown beside your posts and messages."}
}

// avatarMaxAge is how long browsers keep a picture before asking again: a new upload
// shows everywhere within it.
const avatarMaxAge = 5 * time.Minute

// avatar serves a member's picture: the one they uploaded, or the one drawn from their
// name. Readers need no account and get no cookie; nothing here reaches another site.
func (h *Handlers) avatar(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if len(name) > 64 {
		h.web.NotFound(w, r)
		return
	}
	hdr := w.Header()
	hdr.Set("Cache-Control", "public, max-age="+strconv.Itoa(int(avatarMaxAge/time.Second)))
	a, err := h.svc.AvatarOf(r.Context(), name)
	if errors.Is(err, storage.ErrNotFound) {
		hdr.Set("Content-Type", "image/svg+xml")
		// A drawn picture is text only: no script could run in it even when opened alone.
		hdr.Set("Content-Security-Policy", "default-src 'none'")
		w.Write(DrawnAvatar(name))
		return
	}
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	hdr.Set("Content-Type", a.ContentType)
	http.ServeContent(w, r, "", a.UpdatedAt, bytes.NewReader(a.Image))
}

func (h *Handlers) avatarForm(w http.ResponseWriter, r *http.Request, u *User) {
	h.renderAvatar(w, r, u, http.StatusOK, views.AvatarData{Saved: r.URL.Query().Get("saved")})
}

func (h *Handlers) renderAvatar(w http.ResponseWriter, r *http.Request, u *User, status int, d views.AvatarData) {
	d.Username = u.Username
	d.URL = "/avatar/" + u.Username
	a, err := h.svc.store.avatarByID(r.Context(), u.ID)
	switch {
	case err == nil:
		d.Uploaded = true
		d.URL += "?v=" + strconv.FormatInt(a.UpdatedAt.Unix(), 10)
	case !errors.Is(err, storage.ErrNotFound):
		h.web.Fail(w, r, err)
		return
	}
	h.web.Render(w, r, status, views.AvatarPage(h.web.Page(r, "Profile picture", "me"), d))
}

// uploadAvatar takes the picture from a multipart form. It is not behind the guard's
// form parsing, which bounds url-encoded forms far below a photo's size: it reads at
// most MaxAvatarUpload (and the form's few other bytes), all in memory, nothing on disk.
func (h *Handlers) uploadAvatar(w http.ResponseWriter, r *http.Request) {
	u := UserFrom(r.Context())
	if u == nil {
		web.RequireLogin(w, r)
		return
	}
	if err := h.svc.MayUploadAvatar(r.Context(), u.ID); err != nil {
		h.web.Fail(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxAvatarUpload+64<<10)
	var data []byte
	err := r.ParseMultipartForm(MaxAvatarUpload + 64<<10)
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		err = errAvatarTooLarge
	case err != nil:
		err = errAvatarMissing.Because(err)
	default:
		f, _, ferr := r.FormFile("avatar")
		if ferr != nil {
			err = errAvatarMissing
			break
		}
		data, err = io.ReadAll(io.LimitReader(f, MaxAvatarUpload+1))
		f.Close()
		if err == nil {
			err = h.svc.SetAvatar(r.Context(), u.ID, data)
		}
	}
	if fields, status, ok := web.FormErrors(w, err); ok {
		h.renderAvatar(w, r, u, status, views.AvatarData{Errors: fields})
		return
	}
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/me/avatar?saved=uploaded", http.StatusSeeOther)
}

func (h *Handlers) removeAvatar(w http.ResponseWriter, r *http.Request, u *User) {
	if err := h.svc.RemoveAvatar(r.Context(), u.ID); err != nil {
		h.web.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/me/avatar?saved=removed", http.StatusSeeOther)
}
