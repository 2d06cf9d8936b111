package forum

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"stoa/account"
	"stoa/markup"
	"stoa/privacy/pii"
	"stoa/ratelimit"
	"stoa/storage"
	"stoa/web"
)

// Limits on what members write.
const (
	MaxTitleRunes = 200
	MaxBodyBytes  = 64 << 10
	PostsPerPage  = 20
)

// MaxRevisions is how many earlier versions of a post are kept for staff: the first one,
// as it was published, and the latest others. Repeated edits then cannot fill the disk
// (each version holds up to MaxBodyBytes of Markdown and its HTML), nor push out of reach
// what was first published.
const MaxRevisions = 10

// Posting pace per member: a burst of PostBurst posts, then one per PostEvery. Staff are
// not limited. A member who writes faster than this is almost always a script.
const (
	PostBurst = 10
	PostEvery = 5 * time.Second
)

// Service holds the forum's rules: who may post where, what a post must be, and what
// goes with publishing, editing and deleting one.
type Service struct {
	db           *storage.DB
	store        *Store
	render       *markup.Renderer
	restrictions account.Restrictions
	notifier     Notifier
	audit        Audit
	index        *searchIndex
	pace         *ratelimit.Keyed
	paced        bool // false only for load tests (Options.NoRateLimits)
	baseURL      string
	now          func() time.Time
}

// Store returns the forum's store.
func (s *Service) Store() *Store { return s.store }

// EnsureDefaultCategory creates the "General" category when there is none.
func (s *Service) EnsureDefaultCategory(ctx context.Context) error {
	cats, err := s.store.Categories(ctx)
	if err != nil || len(cats) > 0 {
		return err
	}
	return s.store.SaveCategory(ctx, defaultCategory())
}

func defaultCategory() *Category {
	return &Category{Slug: "general", Name: "General", Description: "Anything about this community."}
}

// CategoriesSetUp reports whether an admin has shaped the categories: added one, or
// renamed or described the one Stoa starts with (the setup checklist asks for it).
func (s *Service) CategoriesSetUp(ctx context.Context) (bool, error) {
	// Asked on every page an admin opens until the checklist is done: no counts.
	cats, err := s.store.categoryNames(ctx)
	if err != nil {
		return false, err
	}
	d := defaultCategory()
	return len(cats) > 1 || len(cats) == 1 && (cats[0].Name != d.Name || cats[0].Description != d.Description), nil
}

// Thread loads a thread that u (nil: an anonymous reader) may see: a deleted thread is
// storage.ErrNotFound as much as one that never was. A thread whose opening post the
// moderators hid (t.Hidden) stays readable at its address by everyone, its opening post
// replaced by a placeholder except for its author and staff, its replies shown (issue
// 15, bug 1); it is left out of lists, search and feeds, and only staff reply to it.
func (s *Service) Thread(ctx context.Context, u *account.User, id int64) (*Thread, error) {
	t, err := s.store.ThreadByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if t.Deleted {
		return nil, fmt.Errorf("forum: thread %d is not shown: %w", id, storage.ErrNotFound)
	}
	return t, nil
}

// Post loads a post, and its thread, that u may see as far as the thread goes; the post
// itself may be hidden or deleted, which its page shows.
func (s *Service) Post(ctx context.Context, u *account.User, id int64) (*Post, *Thread, error) {
	p, err := s.store.PostByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	t, err := s.Thread(ctx, u, p.ThreadID)
	if err != nil {
		return nil, nil, err
	}
	return p, t, nil
}

// CanPost returns nil when u may post, or why not as a *web.Error (403) that the member
// can read: a sanction explains itself. Other failures (the database) are returned as
// they are.
func (s *Service) CanPost(ctx context.Context, u *account.User) error {
	err := s.restrictions.CanPost(ctx, u.ID)
	if err == nil || web.AsError(err) != nil {
		return err
	}
	var sanction interface{ Restriction() bool }
	if errors.As(err, &sanction) && sanction.Restriction() {
		return web.Refused(http.StatusForbidden, err.Error())
	}
	return err
}

// keepPace refuses a member who posts faster than the posting pace allows.
func (s *Service) keepPace(u *account.User) error {
	if !s.paced || u.IsStaff() || s.pace.Allow(strconv.FormatInt(u.ID, 10)) {
		return nil
	}
	return ErrTooFast
}

func checkBody(body string, fields map[string]string) {
	switch {
	case strings.TrimSpace(body) == "":
		fields["body"] = "Write a message before posting."
	case len(body) > MaxBodyBytes:
		fields["body"] = fmt.Sprintf("This message is %d KiB; the limit is %d KiB. Shorten it or split it into several posts.", len(body)>>10, MaxBodyBytes>>10)
	case !utf8.ValidString(body):
		fields["body"] = "This message contains characters that are not valid text. Remove them and try again."
	}
}

func checkTitle(title string, fields map[string]string) {
	n := utf8.RuneCountInString(title)
	switch {
	case strings.TrimSpace(title) == "":
		fields["title"] = "Give your thread a title."
	case n > MaxTitleRunes:
		fields["title"] = fmt.Sprintf("Shorten the title to %d characters or fewer (it has %d).", MaxTitleRunes, n)
	case !utf8.ValidString(title):
		fields["title"] = "The title contains characters that are not valid text."
	case strings.ContainsFunc(title, unicode.IsControl):
		fields["title"] = "Write the title on one line, without tabs or other control characters."
	}
}

// hold runs the personal-information detector unless the author already confirmed.
func hold(confirm bool, texts ...string) error {
	if confirm {
		return nil
	}
	var found []pii.Finding
	for _, t := range texts {
		found = append(found, pii.Detect(t)...)
	}
	if len(found) > 0 {
		return &HoldError{Findings: pii.Kinds(found)}
	}
	return nil
}

// Slugify turns a title into the readable part of a thread's address.
func Slugify(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(title) {
		switch {
		case r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= 60 {
			break
		}
	}
	s := strings.Trim(b.String(), "-")
	if s == "" {
		return "thread"
	}
	return s
}
