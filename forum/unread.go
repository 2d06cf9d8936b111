package forum

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"stoa/account"
	"stoa/storage"
	"stoa/views"
	"stoa/web"
)

// markRead records inside tx that a member has read a thread up to post number n; the
// position only ever moves forward.
func markRead(db *storage.DB, tx *storage.Tx, userID, threadID int64, n int) error {
	_, err := tx.Exec(`insert into thread_reads(user_id, thread_id, last_number) values (?, ?, ?)
		on conflict(user_id, thread_id) do update set last_number = max(last_number, excluded.last_number)`, userID, threadID, n)
	if err != nil {
		return fmt.Errorf("forum: record reading of thread %d by %d: %w", threadID, userID, err)
	}
	return nil
}

// recordRead moves the member's reading position to the last post on the page they are
// shown, and marks notifications about those posts read. It writes only when something
// changes, so rereading a thread costs no write.
func (e *Extras) recordRead(ctx context.Context, u *account.User, t *Thread, posts []views.Post) error {
	last, keys := 0, make([]string, 0, len(posts))
	for _, p := range posts {
		last = max(last, p.Number)
		keys = append(keys, postKey(p.ID))
	}
	if last == 0 {
		return nil
	}
	var read int
	err := e.svc.db.QueryRow(ctx, "select last_number from thread_reads where user_id = ? and thread_id = ?", u.ID, t.ID).Scan(&read)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("forum: reading position of %d in %d: %w", u.ID, t.ID, err)
	}
	unread, err := e.notifier.UnreadKeys(ctx, u.ID, keys)
	if err != nil {
		return err
	}
	if read >= last && len(unread) == 0 {
		return nil
	}
	return e.svc.db.Write(ctx, func(tx *storage.Tx) error {
		if err := markRead(e.svc.db, tx, u.ID, t.ID, last); err != nil {
			return err
		}
		return e.notifier.MarkKeysRead(tx, u.ID, unread)
	})
}

// readCutoff is the time before which nothing counts as new for the member: when they
// joined, or when they last marked everything read.
func (e *Extras) readCutoff(ctx context.Context, u *account.User) (int64, error) {
	cutoff := u.CreatedAt.Unix()
	var all int64
	err := e.svc.db.QueryRow(ctx, "select all_read_at from forum_read_marks where user_id = ?", u.ID).Scan(&all)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("forum: read mark of %d: %w", u.ID, err)
	}
	return max(cutoff, all), nil
}

// markUnread marks the rows of a thread list that have posts the member has not read,
// linking each to its first unread post. A failure only costs the markers.
func (e *Extras) markUnread(ctx context.Context, u *account.User, items []views.ThreadItem) {
	if e == nil || u == nil || len(items) == 0 {
		return
	}
	first, err := e.firstUnread(ctx, u, items)
	if err != nil {
		e.logErr("forum: unread markers", err)
		return
	}
	for i := range items {
		if id, ok := first[items[i].ID]; ok {
			items[i].Unread = true
			items[i].FirstUnread = fmt.Sprintf("/p/%d", id)
		}
	}
}

// firstUnread maps each listed thread that has unread posts to the first of them.
func (e *Extras) firstUnread(ctx context.Context, u *account.User, items []views.ThreadItem) (map[int64]int64, error) {
	cutoff, err := e.readCutoff(ctx, u)
	if err != nil {
		return nil, err
	}
	args := []any{cutoff, u.ID}
	for _, it := range items {
		args = append(args, it.ID)
	}
	rows, err := e.svc.db.Query(ctx, `select t.id, (select p.id from posts p
			where p.thread_id = t.id and p.number > coalesce(r.last_number, 0) and p.created_at > ?
			and p.deleted_at is null and p.hidden_at is null order by p.number limit 1)
		from threads t left join thread_reads r on r.thread_id = t.id and r.user_id = ?
		where t.id in (?`+strings.Repeat(", ?", len(items)-1)+")", args...)
	if err != nil {
		return nil, fmt.Errorf("forum: unread threads of %d: %w", u.ID, err)
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var thread int64
		var post sql.NullInt64
		if err := rows.Scan(&thread, &post); err != nil {
			return nil, fmt.Errorf("forum: unread threads of %d: %w", u.ID, err)
		}
		if post.Valid {
			out[thread] = post.Int64
		}
	}
	return out, rows.Err()
}

// MarkAllRead makes every thread count as read for the member, as of now.
func (e *Extras) MarkAllRead(ctx context.Context, userID int64, now time.Time) error {
	return e.svc.db.Write(ctx, func(tx *storage.Tx) error {
		_, err := tx.Exec(`insert into forum_read_marks(user_id, all_read_at) values (?, ?)
			on conflict(user_id) do update set all_read_at = excluded.all_read_at`, userID, now.Unix())
		if err != nil {
			return fmt.Errorf("forum: mark all read for %d: %w", userID, err)
		}
		return nil
	})
}

func (e *Extras) readAll(w http.ResponseWriter, r *http.Request) {
	u := account.UserFrom(r.Context())
	if u == nil {
		web.RequireLogin(w, r)
		return
	}
	if err := web.ParseForm(w, r); err != nil {
		e.web.BadInput(w, r, err)
		return
	}
	if err := e.MarkAllRead(r.Context(), u.ID, e.now()); err != nil {
		e.web.ServerError(w, r, err)
		return
	}
	http.Redirect(w, r, web.SafeNext(r.PostFormValue("next")), http.StatusSeeOther)
}
