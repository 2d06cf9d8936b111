// Package forum is Stoa's forum: categories, threads and posts, and what is built on
// them: search, feeds, reactions, watching, unread markers and the staff's thread tools.
//
// New builds every part from Options. Service holds the rules of posting; each other
// part (Search, Feeds, Reactions, Watches, Unread, StaffTools, and the pages) is a type
// with its own handlers that asks Service and Store, never the other way round. Routes
// mounts them all from one table.
package forum

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"stoa/account"
	"stoa/markup"
	"stoa/ratelimit"
	"stoa/site"
	"stoa/storage"
	"stoa/watchwords"
	"stoa/web"
)

// Notifier records notifications for members inside the transaction that causes them
// and tells which of them a member has not read; account.Notifier implements it.
type Notifier interface {
	// Notify records n for n.UserID; it is a no-op for the actor themselves, for a member
	// who turned the kind off and for a key the member was notified of already.
	Notify(tx *storage.Tx, n account.Notification) (bool, error)
	// NotifyAll is Notify for each of userIDs, in a few statements whatever their number.
	NotifyAll(tx *storage.Tx, userIDs []int64, n account.Notification) (int, error)
	// NotifyMentioned notifies the members named in mentions (usernames) of n.
	NotifyMentioned(tx *storage.Tx, mentions []string, n account.Notification) error
	// Retract removes every notification caused by key.
	Retract(tx *storage.Tx, key string) error
	// UnreadKeys returns which of keys have an unread notification for the member.
	UnreadKeys(ctx context.Context, userID int64, keys []string) ([]string, error)
	// MarkKeysRead marks the member's notifications caused by keys read.
	MarkKeysRead(tx *storage.Tx, userID int64, keys []string) error
	// AutoWatch reports whether replying to a thread makes the member watch it.
	AutoWatch(tx *storage.Tx, userID int64) (bool, error)
}

// Audit records a staff member's action on the forum in the moderation audit log, inside
// the transaction that makes the change, so that no action is made unrecorded.
type Audit interface {
	RecordForumAction(tx *storage.Tx, a StaffAction) error
}

// StaffAction is one change a staff member made to a thread or to someone else's post. It
// says what was acted on, so the audit log never reads the forum's tables.
type StaffAction struct {
	Actor       *account.User
	Action      string // ActionPin and its siblings
	ThreadID    int64
	ThreadTitle string
	PostID      int64  // zero when the action is on the whole thread
	AuthorID    int64  // who wrote the thread or the post
	Reason      string // the moderator's, maybe empty
}

// Accounts finds members by name, for the search page's author filter and profiles;
// account.Store implements it.
type Accounts interface {
	ByUsername(ctx context.Context, name string) (*account.User, error)
}

// Options are what the forum is built from. Every field is required.
type Options struct {
	DB       *storage.DB
	Renderer *markup.Renderer
	// Restrictions says whether a member may post (moderation's sanctions).
	Restrictions account.Restrictions
	Notifier     Notifier
	Audit        Audit
	// ChatSearch gives the search page its chat tab.
	ChatSearch ChatSearch
	Accounts   Accounts
	Web        *web.Responder
	Log        *slog.Logger
	// BaseURL is the site's public address, for feeds and exports, which are read away
	// from the site.
	BaseURL string
	// Site is the site's name and description, for feeds, and the automatic moderation
	// settings.
	Site *site.Settings
	// Words are the watched words posts and titles are checked against.
	Words *watchwords.List
	// NoRateLimits lets members post and search as fast as they like: for load tests
	// only.
	NoRateLimits bool
	// Generation counts the writes committed on every node sharing the database, for the
	// anonymous page cache; nil: this node's alone (DB.Generation).
	Generation func() uint64
}

// check names the options left out: a forum missing one would fail later, on some
// member's request, instead of at start.
func (o Options) check() error {
	var missing []string
	for _, f := range []struct {
		name   string
		absent bool
	}{
		{"DB", o.DB == nil}, {"Renderer", o.Renderer == nil}, {"Restrictions", o.Restrictions == nil},
		{"Notifier", o.Notifier == nil}, {"Audit", o.Audit == nil}, {"ChatSearch", o.ChatSearch == nil},
		{"Accounts", o.Accounts == nil}, {"Web", o.Web == nil}, {"Log", o.Log == nil}, {"BaseURL", o.BaseURL == ""}, {"Site", o.Site == nil}, {"Words", o.Words == nil},
	} {
		if f.absent {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return errors.New("forum: Options lack " + strings.Join(missing, ", "))
	}
	return nil
}

// Forum is the whole forum, built and ready to mount. Its parts are exported for what
// the rest of Stoa and tests call directly: moderation changes posts through Service,
// the account export takes Service.DataSource.
type Forum struct {
	Service    *Service    // the rules of posting, editing and deleting
	Search     *Search     // the search page, over posts and public chat
	Feeds      *Feeds      // Atom feeds
	Reactions  *Reactions  // reactions under posts
	Watches    *Watches    // watched threads
	Unread     *Unread     // reading positions and unread markers
	StaffTools *StaffTools // pin, close and move threads

	web        *web.Responder
	index      *searchIndex
	pages      *Pages
	posting    *Posting
	preview    *Preview
	categories *CategoryAdmin
}

// New builds the forum from o and starts its background work (the search index), which
// Close stops.
func New(o Options) (*Forum, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	store := NewStore(o.DB)
	baseURL := strings.TrimRight(o.BaseURL, "/")
	index := startSearchIndex(store, o.DB, o.Log)
	svc := &Service{db: o.DB, store: store, render: o.Renderer, restrictions: o.Restrictions, notifier: o.Notifier,
		audit: o.Audit, index: index, paced: !o.NoRateLimits, pace: ratelimit.New(PostEvery, PostBurst), baseURL: baseURL, words: o.Words, site: o.Site, now: time.Now}
	f := &Forum{
		Service:    svc,
		Search:     newSearch(store, index, o),
		Feeds:      &Feeds{svc: svc, store: store, web: o.Web, baseURL: baseURL, site: o.Site},
		Reactions:  &Reactions{svc: svc, store: store, db: o.DB, web: o.Web, now: time.Now},
		Watches:    &Watches{svc: svc, store: store, db: o.DB, web: o.Web},
		Unread:     &Unread{store: store, db: o.DB, notifier: o.Notifier, web: o.Web, log: o.Log, now: time.Now},
		StaffTools: &StaffTools{store: store, db: o.DB, audit: o.Audit, web: o.Web},
		web:        o.Web,
		index:      index,
		categories: &CategoryAdmin{svc: svc, store: store, web: o.Web},
	}
	gen := o.Generation
	if gen == nil {
		gen = o.DB.Generation
	}
	f.pages = &Pages{svc: svc, store: store, gen: gen, accounts: o.Accounts, web: o.Web, cache: newPageCache(),
		reactions: f.Reactions, watches: f.Watches, unread: f.Unread}
	f.posting = &Posting{svc: svc, store: store, web: o.Web, pages: f.pages}
	f.preview = newPreview(svc, o.Web)
	return f, nil
}

// Close stops the forum's background work; call it before closing the database.
func (f *Forum) Close() { f.index.close() }
