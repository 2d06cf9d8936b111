package moderation

import (
	"context"
	"errors"
	"fmt"
	"html"
	"strings"

	"stoa/account"
	"stoa/storage"
)

// TargetKind is what a report or a moderator's action is about.
type TargetKind string

// The things members can report.
const (
	TargetPost    TargetKind = "post"
	TargetMessage TargetKind = "message"
	TargetUser    TargetKind = "user"
)

// ParseTargetKind returns the kind named s, or false when s names none.
func ParseTargetKind(s string) (TargetKind, bool) {
	switch k := TargetKind(s); k {
	case TargetPost, TargetMessage, TargetUser:
		return k, true
	}
	return "", false
}

// Noun is the kind in words: "post", "chat message", "member".
func (k TargetKind) Noun() string {
	switch k {
	case TargetMessage:
		return "chat message"
	case TargetUser:
		return "member"
	}
	return "post"
}

// Target is a reportable thing as it is now.
type Target struct {
	Kind     TargetKind
	ID       int64
	UserID   int64 // the member responsible for it
	Username string
	Label    string // "Post #3 in “Welcome”"
	Text     string // Markdown source, or the profile's fields
	HTML     string // sanitised HTML as shown (for members, their escaped profile fields)
	URL      string
	// Forum state, for posts.
	ThreadID     int64
	ThreadTitle  string
	ThreadURL    string
	ThreadLocked bool
	Hidden       bool // the post or chat message itself is hidden (by moderators, or after reports)
	Deleted      bool
	// Private is true when the public cannot see it: a hidden post, a post in a hidden
	// thread, a hidden chat message.
	Private bool
}

// LoadTarget returns what kind and id name, as viewer may see it: deleted things exist
// only for staff, and hidden ones only for staff and their author.
func (s *Service) LoadTarget(ctx context.Context, viewer *account.User, kind TargetKind, id int64) (*Target, error) {
	t, err := s.loadTarget(ctx, kind, id)
	if err != nil {
		return nil, err
	}
	if !viewer.IsStaff() && (t.Deleted || t.Private && (viewer == nil || viewer.ID != t.UserID)) {
		return nil, errNoTarget(kind, id)
	}
	return t, nil
}

func (s *Service) loadTarget(ctx context.Context, kind TargetKind, id int64) (*Target, error) {
	ref := targetRef{kind, id}
	found, err := s.loadTargets(ctx, []targetRef{ref})
	if err != nil {
		return nil, err
	}
	if t := found[ref]; t != nil {
		return t, nil
	}
	return nil, errNoTarget(kind, id)
}

// targetRef names a reportable thing.
type targetRef struct {
	kind TargetKind
	id   int64
}

// loadTargets returns the things refs name as they are now, asking the forum, chat and
// accounts once each whatever the number of refs. What no longer exists is left out.
func (s *Service) loadTargets(ctx context.Context, refs []targetRef) (map[targetRef]*Target, error) {
	ids := map[TargetKind][]int64{}
	for _, r := range refs {
		ids[r.kind] = append(ids[r.kind], r.id)
	}
	out := make(map[targetRef]*Target, len(refs))
	if len(ids[TargetPost]) > 0 {
		posts, err := s.forum.Posts(ctx, unique(ids[TargetPost]))
		if err != nil {
			return nil, err
		}
		for _, p := range posts {
			out[targetRef{TargetPost, p.ID}] = postTarget(p)
		}
	}
	if len(ids[TargetMessage]) > 0 {
		msgs, err := s.chat.Messages(ctx, unique(ids[TargetMessage]))
		if err != nil {
			return nil, err
		}
		for _, m := range msgs {
			out[targetRef{TargetMessage, m.ID}] = &Target{Kind: TargetMessage, ID: m.ID, UserID: m.AuthorID, Username: m.Author,
				Label: "Chat message in #" + m.Room, Text: m.Source, HTML: m.HTML, URL: m.URL, Deleted: m.Deleted, Hidden: m.Hidden, Private: m.Hidden}
		}
	}
	if len(ids[TargetUser]) > 0 {
		users, err := s.accounts.ByIDs(ctx, unique(ids[TargetUser]))
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			out[targetRef{TargetUser, u.ID}] = memberTarget(u)
		}
	}
	return out, nil
}

func postTarget(p *ForumPost) *Target {
	return &Target{Kind: TargetPost, ID: p.ID, UserID: p.AuthorID, Username: p.Author,
		Label: fmt.Sprintf("Post #%d in “%s”", p.Number, p.ThreadTitle), Text: p.Source, HTML: p.HTML,
		URL: fmt.Sprintf("/p/%d", p.ID), ThreadID: p.ThreadID, ThreadTitle: p.ThreadTitle, ThreadURL: p.ThreadURL,
		ThreadLocked: p.ThreadLocked, Hidden: p.Hidden, Deleted: p.Deleted || p.ThreadDeleted, Private: p.Hidden || p.ThreadHidden}
}

// memberTarget is a member's profile as a reportable thing.
func memberTarget(u *account.User) *Target {
	lines := []string{"Username: " + u.Username}
	if u.DisplayName != "" {
		lines = append(lines, "Display name: "+u.DisplayName)
	}
	// The profile's fields are plain text; escaped, they are safe to show as HTML in
	// the queue and in a notice's quote.
	escaped := make([]string, len(lines))
	for i, l := range lines {
		escaped[i] = html.EscapeString(l)
	}
	return &Target{Kind: TargetUser, ID: u.ID, UserID: u.ID, Username: u.Username, Label: "Member " + u.Username,
		Text: strings.Join(lines, "\n"), HTML: "<p>" + strings.Join(escaped, "<br>") + "</p>", URL: "/u/" + u.Username}
}

// IsNotFound reports whether err means the thing asked for does not exist.
func IsNotFound(err error) bool { return errors.Is(err, storage.ErrNotFound) }
