package forum

import (
	"context"
	"fmt"
	"net/http"

	"stoa/account"
	"stoa/storage"
	"stoa/web"
)

// Watches are the threads members watch: a watcher is notified of every reply. A
// thread's author watches it until they choose otherwise.
type Watches struct {
	svc   *Service
	store *Store
	db    *storage.DB
	web   *web.Responder
}

// Watch starts (on) or stops a member watching a thread. Stopping also silences reply
// notifications for the thread's author.
func (x *Watches) Watch(ctx context.Context, u *account.User, threadID int64, on bool) error {
	if _, err := x.svc.Thread(ctx, u, threadID); err != nil {
		return err
	}
	return x.db.Write(ctx, func(tx *storage.Tx) error { return x.store.setWatch(tx, u.ID, threadID, on) })
}

// Watching reports whether the member is notified of every reply to t.
func (x *Watches) Watching(ctx context.Context, u *account.User, t *Thread) (bool, error) {
	watching, chose, err := x.store.watchState(ctx, u.ID, t.ID)
	return watching || !chose && u.ID == t.AuthorID, err
}

func (x *Watches) watch(w http.ResponseWriter, r *http.Request, u *account.User) {
	id, ok := web.PathID(r, "id")
	if !ok {
		x.web.NotFound(w, r)
		return
	}
	if err := x.Watch(r.Context(), u, id, r.PostFormValue("watch") == "1"); err != nil {
		x.web.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/t/%d", id), http.StatusSeeOther)
}
