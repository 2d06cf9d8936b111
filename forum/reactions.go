package forum

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"stoa/account"
	"stoa/storage"
	"stoa/views"
	"stoa/web"
)

// ReactionKind is one of the fixed reactions members can add to a post.
type ReactionKind struct {
	Kind  string // its icon is views/static/reactions/KIND.svg
	Label string
}

// ReactionKinds lists the reactions in the order posts show them.
func ReactionKinds() []ReactionKind {
	return []ReactionKind{
		{"like", "Thumbs up"},
		{"heart", "Heart"},
		{"laugh", "Laugh"},
		{"hooray", "Hooray"},
		{"thinking", "Thinking"},
		{"eyes", "Eyes"},
	}
}

func validReaction(kind string) bool {
	for _, k := range ReactionKinds() {
		if k.Kind == kind {
			return true
		}
	}
	return false
}

// Reactions are the fixed reactions members add to posts, and their counts under each
// post.
type Reactions struct {
	svc   *Service
	store *Store
	db    *storage.DB
	web   *web.Responder
	now   func() time.Time
}

// React sets whether a member reacts to a post with kind. Setting a state rather than
// toggling makes a repeated submit harmless: the result is the same.
func (x *Reactions) React(ctx context.Context, u *account.User, postID int64, kind string, on bool) error {
	if !validReaction(kind) {
		return ErrNoReaction
	}
	p, t, err := x.svc.Post(ctx, u, postID)
	if err != nil {
		return err
	}
	if p.Deleted || p.Hidden && !u.IsStaff() {
		return fmt.Errorf("forum: post %d is not shown: %w", postID, storage.ErrNotFound)
	}
	if t.Locked && !u.IsStaff() {
		return ErrReactionsClosed
	}
	if err := x.svc.CanPost(ctx, u); err != nil {
		return err
	}
	return x.db.Write(ctx, func(tx *storage.Tx) error {
		changed, err := x.store.setReaction(tx, postID, u.ID, kind, on, x.now())
		if err != nil || !changed || t.Hidden || p.Hidden {
			return err
		}
		return x.notify(tx, u, p, t, on)
	})
}

// reactionKey names the notification a member's reactions to a post caused: one per
// member and post, whatever the kinds, so that three reactions do not ping three times.
func reactionKey(postID, userID int64) string { return fmt.Sprintf("reaction:%d:%d", postID, userID) }

// notify tells a post's author, inside the reaction's write, that u reacted to it; when
// u takes back their last reaction to the post, the notification goes too.
func (x *Reactions) notify(tx *storage.Tx, u *account.User, p *Post, t *Thread, on bool) error {
	key := reactionKey(p.ID, u.ID)
	if !on {
		still, err := x.store.reactsTo(tx, p.ID, u.ID)
		if err != nil || still {
			return err
		}
		return x.svc.notifier.Retract(tx, key)
	}
	_, err := x.svc.notifier.Notify(tx, account.Notification{UserID: p.AuthorID, Kind: account.NotifyReaction,
		ActorID: u.ID, Subject: t.Title, URL: fmt.Sprintf("/p/%d", p.ID), Key: key})
	return err
}

func (x *Reactions) react(w http.ResponseWriter, r *http.Request, u *account.User) {
	id, ok := web.PathID(r, "id")
	if !ok {
		x.web.NotFound(w, r)
		return
	}
	if err := x.React(r.Context(), u, id, r.PostFormValue("kind"), r.PostFormValue("on") == "1"); err != nil {
		x.web.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/p/%d", id), http.StatusSeeOther)
}

// show fills in every post's reactions, every kind in order, and whether the member
// (nil: an anonymous reader) may react.
func (x *Reactions) show(ctx context.Context, u *account.User, t *Thread, posts []views.Post) error {
	ids := make([]int64, 0, len(posts))
	for _, p := range posts {
		if !p.Deleted {
			ids = append(ids, p.ID)
		}
	}
	var userID int64
	if u != nil {
		userID = u.ID
	}
	counts, err := x.store.reactionCounts(ctx, userID, ids)
	if err != nil {
		return err
	}
	canReact := u != nil && (!t.Locked || u.IsStaff()) && x.svc.CanPost(ctx, u) == nil
	for i := range posts {
		p := &posts[i]
		if p.Deleted {
			continue
		}
		p.CanReact = canReact && !p.Hidden
		for _, k := range ReactionKinds() {
			r := counts[p.ID][k.Kind]
			r.Kind, r.Label = k.Kind, k.Label
			p.Reactions = append(p.Reactions, r)
		}
	}
	return nil
}
