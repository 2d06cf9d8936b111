package forum

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"stoa/account"
	"stoa/storage"
	"stoa/views"
	"stoa/web"
)

// Unread tracks how far each member has read each thread, marks thread lists with what
// is new to them, and marks the notifications about posts read once they are shown.
type Unread struct {
	store    *Store
	db       *storage.DB
	notifier Notifier
	web      *web.Responder
	log      *slog.Logger
	now      func() time.Time
}

// recordRead moves the member's reading position to the last post on the page they are
// shown, and marks notifications about those posts read. It writes only when something
// changes, so rereading a thread costs no write.
func (x *Unread) recordRead(ctx context.Context, u *account.User, t *Thread, posts []views.Post) error {
	last, keys := 0, make([]string, 0, len(posts))
	var reacted []int64 // the member's own posts that have reactions
	for _, p := range posts {
		last = max(last, p.Number)
		keys = append(keys, postKey(p.ID))
		if p.Author == u.Username && hasReaction(p.Reactions) {
			reacted = append(reacted, p.ID)
		}
	}
	if last == 0 {
		return nil
	}
	// Seeing the reactions to one's post is reading their notifications.
	if len(reacted) > 0 {
		reactors, err := x.store.reactors(ctx, reacted)
		if err != nil {
			return err
		}
		for post, users := range reactors {
			for _, id := range users {
				keys = append(keys, reactionKey(post, id))
			}
		}
	}
	read, err := x.store.readPosition(ctx, u.ID, t.ID)
	if err != nil {
		return err
	}
	unread, err := x.notifier.UnreadKeys(ctx, u.ID, keys)
	if err != nil {
		return err
	}
	if read >= last && len(unread) == 0 {
		return nil
	}
	return x.db.Write(ctx, func(tx *storage.Tx) error {
		if err := x.store.markRead(tx, u.ID, t.ID, last); err != nil {
			return err
		}
		return x.notifier.MarkKeysRead(tx, u.ID, unread)
	})
}

// mark marks the rows of a thread list that have posts the member (nil: an anonymous
// reader, who gets no markers) has not read, linking each to its first unread post. A
// failure only costs the markers, so it is logged rather than failing the page.
func (x *Unread) mark(ctx context.Context, u *account.User, items []views.ThreadItem) {
	if u == nil || len(items) == 0 {
		return
	}
	first, err := x.firstUnread(ctx, u, items)
	if err != nil {
		x.log.Error("forum: unread markers", "err", err)
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
// Nothing written before the member joined, or before they last marked everything
// read, counts as new.
func (x *Unread) firstUnread(ctx context.Context, u *account.User, items []views.ThreadItem) (map[int64]int64, error) {
	cutoff := u.CreatedAt.Truncate(time.Second)
	allRead, err := x.store.allReadAt(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	if allRead.After(cutoff) {
		cutoff = allRead
	}
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	return x.store.firstUnread(ctx, u.ID, cutoff, ids)
}

// MarkAllRead makes every thread count as read for the member, as of now.
func (x *Unread) MarkAllRead(ctx context.Context, userID int64) error {
	now := x.now()
	return x.db.Write(ctx, func(tx *storage.Tx) error { return x.store.markAllRead(tx, userID, now) })
}

func (x *Unread) readAll(w http.ResponseWriter, r *http.Request, u *account.User) {
	if err := x.MarkAllRead(r.Context(), u.ID); err != nil {
		x.web.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, web.SafeNext(r.PostFormValue("next")), http.StatusSeeOther)
}

func hasReaction(rs []views.Reaction) bool {
	for _, r := range rs {
		if r.Count > 0 {
			return true
		}
	}
	return false
}
