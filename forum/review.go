package forum

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"stoa/account"
	"stoa/storage"
	"stoa/watchwords"
	"stoa/web"
)

// Why a post waits for a moderator's approval (posts.review).
const (
	ReviewWatchedWord = "watched_word"
	ReviewNewMember   = "new_member"
)

// screened is a new post's text after the watched words, and whether it waits for review.
type screened struct {
	title, body  string
	review, note string
}

// screen applies the watched words to a new post's title (empty for a reply) and body:
// a blocked word refuses it beside its field, replacements are made, and a held word or
// the new-member review makes it wait. Staff are never held, but their text is checked.
func (s *Service) screen(ctx context.Context, u *account.User, title, body string) (screened, error) {
	out := screened{title: title, body: body}
	var held string
	if title != "" {
		r := s.words.Check(title)
		if r.Blocked != nil {
			return out, r.Blocked.Refusal("title")
		}
		out.title = r.Text
		if r.Held != nil {
			held = r.Held.HeldNote()
		}
	}
	r := s.words.Check(body)
	if r.Blocked != nil {
		return out, r.Blocked.Refusal("body")
	}
	out.body = r.Text
	if r.Held != nil && held == "" {
		held = r.Held.HeldNote()
	}
	if u.IsStaff() {
		return out, nil
	}
	if held != "" {
		out.review, out.note = ReviewWatchedWord, held
		return out, nil
	}
	if n := s.site.Automod().NewMemberPosts; n > 0 {
		published, err := s.store.publishedPostCount(ctx, u.ID, n)
		if err != nil {
			return out, err
		}
		if published < n {
			out.review, out.note = ReviewNewMember, fmt.Sprintf("New member: post %d of the first %d", published+1, n)
		}
	}
	return out, nil
}

// refuseDuplicate refuses a body the member already posted within the site's duplicate
// window. It is not the double-submit guard (the form token), which returns the first
// post instead: this catches the same text sent again on purpose, from a new form. now is
// the time the post would be written at.
func (s *Service) refuseDuplicate(ctx context.Context, u *account.User, body string, now time.Time) error {
	window := s.site.Automod().DuplicateWindow()
	if window <= 0 {
		return nil
	}
	sources, err := s.store.recentSources(ctx, u.ID, now.Add(-window))
	if err != nil {
		return err
	}
	if watchwords.Repeats(body, sources) {
		return errDuplicate(window)
	}
	return nil
}

func errDuplicate(window time.Duration) *web.Error {
	return web.Invalid("body", fmt.Sprintf("You posted this same text in the last %d minutes. Write something new, or edit the earlier post; your text is kept below.", int(window/time.Minute)))
}

// held marks p, just inserted, as waiting for review, and its thread too when p opens
// it: both are hidden from everyone but the author and staff until approved.
func (s *Service) held(tx *storage.Tx, p *Post, sc screened, now time.Time) error {
	p.Review, p.Hidden = sc.review, true
	return s.store.setReview(tx, p, sc.review, sc.note, now)
}

// WaitingPost is a post waiting for review, with its thread and why it waits.
type WaitingPost struct {
	Post   *Post
	Thread *Thread
	Note   string
}

// PostsInReview lists the posts waiting for review, oldest first.
func (s *Service) PostsInReview(ctx context.Context, limit int) ([]WaitingPost, error) {
	return s.store.postsInReview(ctx, limit)
}

var errNotWaiting = web.Refused(http.StatusConflict, "This post is not waiting for review any more: another moderator decided a moment ago.")

// ApprovePost publishes a post that waited for review, inside moderation's transaction:
// it is shown, and the notifications of a new post are sent now. Its author is told.
func (s *Service) ApprovePost(tx *storage.Tx, id int64, now time.Time) (*Post, *Thread, error) {
	p, t, err := s.store.postInTx(tx, id)
	if err != nil {
		return nil, nil, err
	}
	if p.Review == "" || p.Deleted {
		return nil, nil, errNotWaiting
	}
	if err := s.store.clearReview(tx, p); err != nil {
		return nil, nil, err
	}
	p.Review, p.Hidden = "", false
	if p.Number == 1 {
		t.Hidden, t.InReview = false, false
	}
	if err := s.notify(tx, p, t, s.render.Render(p.Source).Mentions, true); err != nil {
		return nil, nil, err
	}
	return p, t, s.tellReviewed(tx, p, t, "approved")
}

// RejectPost deletes a post that waited for review, inside moderation's transaction, and
// tells its author; nobody else ever saw it.
func (s *Service) RejectPost(tx *storage.Tx, id int64, now time.Time) (*Post, *Thread, error) {
	p, t, err := s.store.postInTx(tx, id)
	if err != nil {
		return nil, nil, err
	}
	if p.Review == "" || p.Deleted {
		return nil, nil, errNotWaiting
	}
	if err := s.store.deletePost(tx, p, now); err != nil {
		return nil, nil, err
	}
	p.Deleted = true
	return p, t, s.tellReviewed(tx, p, t, "rejected")
}

func (s *Service) tellReviewed(tx *storage.Tx, p *Post, t *Thread, what string) error {
	noun := "reply"
	if p.Number == 1 {
		noun = "new thread"
	}
	subject := fmt.Sprintf("%s your %s in “%s”", what, noun, t.Title)
	if what == "rejected" {
		subject += ": it will not be published. Read the community agreement before posting again"
	}
	_, err := s.notifier.Notify(tx, account.Notification{UserID: p.AuthorID, Kind: account.NotifyReview,
		Subject: subject, URL: fmt.Sprintf("/p/%d", p.ID), Key: fmt.Sprintf("review:post:%d", p.ID)})
	return err
}
