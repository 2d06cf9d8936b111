package forum

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"stoa/account"
	"stoa/markup"
	"stoa/storage"
	"stoa/views"
	"stoa/web"
)

// Extras are the forum features built on threads and posts: search, feeds, reactions,
// unread tracking, watching, mention and reply notifications, and thread management.
type Extras struct {
	svc        *Service
	accounts   *account.Store
	notifier   *account.Notifier
	web        *web.Responder
	log        *slog.Logger
	baseURL    string
	chatSearch ChatSearch
	now        func() time.Time
}

// ExtrasOptions are what the forum extras are built from.
type ExtrasOptions struct {
	Accounts *account.Store
	Notifier *account.Notifier
	Web      *web.Responder
	Log      *slog.Logger
	// BaseURL is the site's public URL, for feeds, which readers fetch from elsewhere.
	BaseURL string
}

// NewExtras builds the forum extras on svc and hooks them into its posts and pages.
func NewExtras(svc *Service, o ExtrasOptions) *Extras {
	e := &Extras{svc: svc, accounts: o.Accounts, notifier: o.Notifier, web: o.Web, log: o.Log,
		baseURL: strings.TrimRight(o.BaseURL, "/"), now: time.Now}
	if e.log == nil {
		e.log = slog.Default()
	}
	svc.AfterPost(e.afterPost)
	svc.ext = e
	return e
}

// Routes mounts the extras' pages and actions.
func (e *Extras) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /search", e.searchPage)
	mux.HandleFunc("GET /feed.atom", e.latestFeed)
	mux.HandleFunc("GET /c/{slug}/feed.atom", e.categoryFeed)
	mux.HandleFunc("GET /t/{id}/feed.atom", e.threadFeed)
	mux.HandleFunc("POST /p/{id}/react", e.react)
	mux.HandleFunc("POST /t/{id}/watch", e.watch)
	mux.HandleFunc("POST /t/{id}/manage", e.manage)
	mux.HandleFunc("POST /read-all", e.readAll)
}

func postKey(id int64) string { return fmt.Sprintf("post:%d", id) }

// afterPost keeps the search index, the author's reading position and notifications in
// step with a post, inside the transaction that publishes, edits or deletes it.
func (e *Extras) afterPost(tx *storage.Tx, p *Post, t *Thread) error {
	if p.Deleted {
		// Search filters deleted posts out; nobody should be sent to a deleted post.
		return e.notifier.Retract(tx, postKey(p.ID))
	}
	// A post never edited is new, or is being hidden or shown again by moderators: then
	// the notifications it caused already exist, and notifying is a no-op.
	isNew := p.EditedAt.IsZero()
	if !isNew {
		// insertPost indexed the post's text; an edit's Markdown was indexed by the
		// update trigger, and search shows the text of the HTML.
		if _, err := tx.Exec("update post_search set body = ? where rowid = ?", searchText(p.HTML), p.ID); err != nil {
			return fmt.Errorf("forum: index post %d: %w", p.ID, err)
		}
	}
	if isNew && !p.Hidden {
		// Writing a post means having read the thread up to it.
		if err := markRead(e.svc.db, tx, p.AuthorID, t.ID, p.Number); err != nil {
			return err
		}
	}
	if p.Hidden || t.Hidden {
		return nil
	}
	return e.notify(tx, p, t, isNew)
}

// notify tells mentioned members, the thread's author and its watchers about a post.
// Mentions go first: a member both mentioned and replied to gets the mention, once.
// An edit notifies only members newly mentioned in it.
func (e *Extras) notify(tx *storage.Tx, p *Post, t *Thread, isNew bool) error {
	n := account.Notification{ActorID: p.AuthorID, Subject: t.Title, URL: fmt.Sprintf("/p/%d", p.ID), Key: postKey(p.ID)}
	if strings.Contains(p.Source, "@") {
		n.Kind = account.NotifyMention
		if err := e.notifier.NotifyMentioned(tx, e.svc.render.Render(p.Source).Mentions, n); err != nil {
			return err
		}
	}
	if !isNew || p.Number == 1 {
		return nil
	}
	if watching, set, err := watchState(txQuerier{e.svc.db, tx}, t.AuthorID, t.ID); err != nil {
		return err
	} else if watching || !set {
		n.Kind, n.UserID = account.NotifyReply, t.AuthorID
		if _, err := e.notifier.Notify(tx, n); err != nil {
			return err
		}
	}
	watchers, err := threadWatchers(e.svc.db, tx, t.ID)
	if err != nil {
		return err
	}
	n.Kind = account.NotifyWatching
	for _, id := range watchers {
		n.UserID = id
		if _, err := e.notifier.Notify(tx, n); err != nil {
			return err
		}
	}
	return nil
}

// searchText is the text of a post's HTML as search indexes it, without the two control
// characters that mark matches in search results.
func searchText(html string) string {
	return strings.Map(func(r rune) rune {
		if r == markOpen || r == markClose {
			return ' '
		}
		return r
	}, markup.Excerpt(html, MaxBodyBytes))
}

// threadPage adds reactions, watching and staff tools to a thread page, and records how
// far the member has read.
func (e *Extras) threadPage(ctx context.Context, u *account.User, t *Thread, d *views.ThreadData) error {
	if e == nil {
		return nil
	}
	if err := e.addReactions(ctx, u, t, d.Posts); err != nil {
		return err
	}
	if u == nil {
		return nil
	}
	watching, set, err := e.watchState(ctx, u.ID, t.ID)
	if err != nil {
		return err
	}
	d.Extras = views.ThreadExtras{CanWatch: true, Watching: watching || (!set && u.ID == t.AuthorID),
		Author: u.ID == t.AuthorID, Staff: u.IsStaff()}
	if u.IsStaff() {
		cats, err := e.svc.store.Categories(ctx)
		if err != nil {
			return err
		}
		for _, c := range cats {
			d.Extras.Categories = append(d.Extras.Categories, views.CategoryOption{Slug: c.Slug, Name: c.Name, Current: c.ID == t.CategoryID})
		}
	}
	return e.recordRead(ctx, u, t, d.Posts)
}

// logErr logs a failure that should not break the page it decorates.
func (e *Extras) logErr(msg string, err error) {
	if err != nil {
		e.log.Error(msg, "err", err)
	}
}
