package forum

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"stoa/account"
	"stoa/storage"
	"stoa/web"
)

type rowQuerier interface {
	QueryRow(query string, args ...any) *sql.Row
}

// watchState reports whether a member watches a thread, and whether they ever chose
// (a thread's author watches it until they choose otherwise).
func watchState(q rowQuerier, userID, threadID int64) (watching, set bool, err error) {
	err = q.QueryRow("select watching from thread_watches where user_id = ? and thread_id = ?", userID, threadID).Scan(&watching)
	if errors.Is(err, sql.ErrNoRows) {
		return false, false, nil
	}
	if err != nil {
		return false, false, fmt.Errorf("forum: watch state of %d in %d: %w", userID, threadID, err)
	}
	return watching, true, nil
}

func (e *Extras) watchState(ctx context.Context, userID, threadID int64) (bool, bool, error) {
	return watchState(ctxQuerier{ctx, e.svc.db}, userID, threadID)
}

// ctxQuerier runs QueryRow on the read pool with a request's context.
type ctxQuerier struct {
	ctx context.Context
	db  *storage.DB
}

func (c ctxQuerier) QueryRow(query string, args ...any) *sql.Row {
	return c.db.QueryRow(c.ctx, query, args...)
}

// txQuerier runs QueryRow inside a write transaction, through the writer's statement
// cache.
type txQuerier struct {
	db *storage.DB
	tx *storage.Tx
}

func (q txQuerier) QueryRow(query string, args ...any) *sql.Row {
	return q.tx.QueryRow(query, args...)
}

// threadWatchers lists, inside tx, the members watching a thread. They come as one row
// so that the query runs through the writer's statement cache, which holds single-row
// queries.
func threadWatchers(db *storage.DB, tx *storage.Tx, threadID int64) ([]int64, error) {
	var list sql.NullString
	if err := tx.QueryRow(`select group_concat(user_id) from
		(select user_id from thread_watches where thread_id = ? and watching = 1)`, threadID).Scan(&list); err != nil {
		return nil, fmt.Errorf("forum: watchers of %d: %w", threadID, err)
	}
	if !list.Valid || list.String == "" {
		return nil, nil
	}
	fields := strings.Split(list.String, ",")
	ids := make([]int64, 0, len(fields))
	for _, f := range fields {
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("forum: watchers of %d: %q: %w", threadID, f, err)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// Watch starts (on) or stops a member watching a thread: a watcher is notified of every
// reply. Stopping also silences reply notifications for the thread's author.
func (e *Extras) Watch(ctx context.Context, u *account.User, threadID int64, on bool) error {
	t, err := e.svc.store.ThreadByID(ctx, threadID)
	if err != nil {
		return err
	}
	if t.Deleted || t.Hidden && !u.IsStaff() {
		return storage.ErrNotFound
	}
	return e.svc.db.Write(ctx, func(tx *storage.Tx) error {
		_, err := tx.Exec(`insert into thread_watches(user_id, thread_id, watching) values (?, ?, ?)
			on conflict(user_id, thread_id) do update set watching = excluded.watching`, u.ID, threadID, on)
		if err != nil {
			return fmt.Errorf("forum: watch %d by %d: %w", threadID, u.ID, err)
		}
		return nil
	})
}

func (e *Extras) watch(w http.ResponseWriter, r *http.Request) {
	u := account.UserFrom(r.Context())
	if u == nil {
		web.RequireLogin(w, r)
		return
	}
	id, ok := pathID(r)
	if !ok {
		e.web.NotFound(w, r)
		return
	}
	if err := web.ParseForm(w, r); err != nil {
		e.web.BadInput(w, r, err)
		return
	}
	err := e.Watch(r.Context(), u, id, r.PostFormValue("watch") == "1")
	if errors.Is(err, storage.ErrNotFound) {
		e.web.NotFound(w, r)
		return
	}
	if err != nil {
		e.web.ServerError(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/t/%d", id), http.StatusSeeOther)
}
