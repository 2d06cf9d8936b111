package forum

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"stoa/account"
	"stoa/storage"
	"stoa/views"
	"stoa/web"
)

// ReactionKind is one of the fixed reactions members can add to a post.
type ReactionKind struct {
	Kind  string
	Emoji string
	Label string
}

// ReactionKinds lists the reactions in the order posts show them.
func ReactionKinds() []ReactionKind {
	return []ReactionKind{
		{"like", "👍", "Thumbs up"},
		{"heart", "❤️", "Heart"},
		{"laugh", "😄", "Laugh"},
		{"hooray", "🎉", "Hooray"},
		{"thinking", "🤔", "Thinking"},
		{"eyes", "👀", "Eyes"},
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

// ErrNoReaction is returned for a reaction kind that does not exist.
var ErrNoReaction = errors.New("That reaction does not exist. Choose one of the reactions shown under the post.")

// React sets whether a member reacts to a post with kind. Setting a state rather than
// toggling makes a repeated submit harmless: the result is the same.
func (e *Extras) React(ctx context.Context, u *account.User, postID int64, kind string, on bool) error {
	if !validReaction(kind) {
		return ErrNoReaction
	}
	p, err := e.svc.store.PostByID(ctx, postID)
	if err != nil {
		return err
	}
	t, err := e.svc.store.ThreadByID(ctx, p.ThreadID)
	if err != nil {
		return err
	}
	if p.Deleted || t.Deleted || (p.Hidden || t.Hidden) && !u.IsStaff() {
		return storage.ErrNotFound
	}
	if t.Locked && !u.IsStaff() {
		return ErrLocked
	}
	if err := e.svc.restrictions.CanPost(ctx, u.ID); err != nil {
		return err
	}
	return e.svc.db.Write(ctx, func(tx *storage.Tx) error {
		var err error
		if on {
			_, err = tx.Exec(`insert into post_reactions(post_id, user_id, kind, created_at) values (?, ?, ?, ?)
				on conflict do nothing`, postID, u.ID, kind, e.now().Unix())
		} else {
			_, err = tx.Exec("delete from post_reactions where post_id = ? and user_id = ? and kind = ?", postID, u.ID, kind)
		}
		if err != nil {
			return fmt.Errorf("forum: react %s to %d by %d: %w", kind, postID, u.ID, err)
		}
		return nil
	})
}

// reactionCounts returns, for each post, how many members reacted with each kind and
// which kinds the member chose (userID 0: anonymous).
func (e *Extras) reactionCounts(ctx context.Context, userID int64, postIDs []int64) (map[int64]map[string]views.Reaction, error) {
	out := map[int64]map[string]views.Reaction{}
	if len(postIDs) == 0 {
		return out, nil
	}
	args := []any{userID}
	for _, id := range postIDs {
		args = append(args, id)
	}
	rows, err := e.svc.db.Query(ctx, `select post_id, kind, count(*), max(user_id = ?) from post_reactions
		where post_id in (?`+strings.Repeat(", ?", len(postIDs)-1)+") group by post_id, kind", args...)
	if err != nil {
		return nil, fmt.Errorf("forum: reactions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var post int64
		var r views.Reaction
		if err := rows.Scan(&post, &r.Kind, &r.Count, &r.Mine); err != nil {
			return nil, fmt.Errorf("forum: reactions: %w", err)
		}
		if out[post] == nil {
			out[post] = map[string]views.Reaction{}
		}
		out[post][r.Kind] = r
	}
	return out, rows.Err()
}

// addReactions fills in every post's reactions, every kind in order, and whether the
// member may react.
func (e *Extras) addReactions(ctx context.Context, u *account.User, t *Thread, posts []views.Post) error {
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
	counts, err := e.reactionCounts(ctx, userID, ids)
	if err != nil {
		return err
	}
	canReact := u != nil && (!t.Locked || u.IsStaff()) && e.svc.restrictions.CanPost(ctx, u.ID) == nil
	for i := range posts {
		p := &posts[i]
		if p.Deleted {
			continue
		}
		p.CanReact = canReact && !p.Hidden
		for _, k := range ReactionKinds() {
			r := counts[p.ID][k.Kind]
			r.Kind, r.Emoji, r.Label = k.Kind, k.Emoji, k.Label
			p.Reactions = append(p.Reactions, r)
		}
	}
	return nil
}

func (e *Extras) react(w http.ResponseWriter, r *http.Request) {
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
	err := e.React(r.Context(), u, id, r.PostFormValue("kind"), r.PostFormValue("on") == "1")
	switch {
	case err == nil:
		http.Redirect(w, r, fmt.Sprintf("/p/%d", id), http.StatusSeeOther)
	case errors.Is(err, storage.ErrNotFound):
		e.web.NotFound(w, r)
	case errors.Is(err, ErrNoReaction):
		e.web.Error(w, r, http.StatusBadRequest, "Unknown reaction", err.Error())
	case errors.Is(err, ErrLocked):
		e.web.Forbidden(w, r, "This thread is closed: reactions are not accepted any more.")
	default:
		if restriction := e.svc.restrictions.CanPost(r.Context(), u.ID); restriction != nil {
			e.web.Forbidden(w, r, restriction.Error())
			return
		}
		e.web.ServerError(w, r, err)
	}
}
