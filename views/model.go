// Package views holds every templ component of Stoa and the plain structs they take.
// It imports nothing else of Stoa's: handlers translate their data into these structs.
package views

import "time"

// Viewer is the logged-in member as the page chrome needs them; nil for anonymous readers.
type Viewer struct {
	Username      string
	Name          string
	Staff         bool
	Admin         bool
	UnreadNotices int
	Notifications int
}

// Banner is a site-wide message shown above the content, such as an unread notice.
type Banner struct {
	Kind   string // "notice", "policy", "info"
	Text   string
	Link   string
	Action string // label of the link
}

// Page is what the layout needs besides the content.
type Page struct {
	Title   string
	Viewer  *Viewer
	Section string // highlighted navigation entry: "forum", "chat", "search", "mod", "me"
	Banners []Banner
	// Feed, when set, is advertised as the page's Atom feed.
	Feed string
	// SiteName and SiteDescription are what the admin calls the site and says about it;
	// an empty name reads "Stoa".
	SiteName        string
	SiteDescription string
}

// Site is the site's name as pages show it.
func (p Page) Site() string {
	if p.SiteName == "" {
		return "Stoa"
	}
	return p.SiteName
}

// FieldError is the message shown under one form field.
type FieldError map[string]string

// CategoryItem is a category in lists.
type CategoryItem struct {
	Slug        string
	Name        string
	Description string
	Threads     int
	Posts       int
	LastPostAt  time.Time
}

// CategoryOption is a category in a select list.
type CategoryOption struct {
	Slug    string
	Name    string
	Current bool
}

// ThreadItem is one row of a thread list.
type ThreadItem struct {
	ID          int64
	URL         string
	Title       string
	Author      string
	Category    string
	CategoryURL string
	Replies     int
	LastPostAt  time.Time
	Pinned      bool
	Locked      bool
	Unread      bool
	FirstUnread string
}

// Post is one post on a thread page.
type Post struct {
	ID        int64
	Number    int
	Anchor    string
	Author    string
	AuthorURL string
	HTML      string
	CreatedAt time.Time
	EditedAt  time.Time
	Deleted   bool
	Hidden    bool
	// HiddenNote says who sees a hidden post, in the words its viewer needs: the public
	// sees only the note, its author is told they alone and staff see it.
	HiddenNote string
	CanEdit    bool
	CanDelete  bool
	CanReport  bool
	Revisions  int
	// QuoteURL opens the reply form with this post quoted.
	QuoteURL  string
	Reactions []Reaction
	CanReact  bool
}

// Reaction is a count of one kind of reaction on a post.
type Reaction struct {
	Kind  string // also names its icon, /static/reactions/KIND.svg
	Label string
	Count int
	Mine  bool
}

// Pager links to neighbouring pages of a list.
type Pager struct {
	Page    int
	Pages   int
	PrevURL string
	NextURL string
}

// Hold is a submission kept back by the personal-information detector until its author
// confirms it.
type Hold struct {
	Findings []string
}
