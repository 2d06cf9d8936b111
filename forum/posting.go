package forum

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"stoa/account"
	"stoa/markup"
	"stoa/storage"
	"stoa/web"
)

// NewThread is what the composer submits.
type NewThread struct {
	CategoryID int64
	Title      string
	Body       string
	Token      string // one-time form token: a repeated submit returns the first thread
	Confirm    bool   // the author confirmed publishing despite detector findings
}

// NewReply is what the reply form submits.
type NewReply struct {
	ThreadID int64
	Body     string
	Token    string
	Confirm  bool
}

// draft is a post with everything derived from its text, worked out before the write so
// that the writer's transaction, which every post and chat message waits for, runs SQL
// and nothing else.
type draft struct {
	post     *Post
	mentions []string // members the text mentions, to notify
	text     string   // what search indexes: the plain text of the HTML
}

func (s *Service) draft(u *account.User, body string, at time.Time) draft {
	r := s.render.Render(body)
	return draft{
		post:     &Post{AuthorID: u.ID, Author: u.Username, Source: body, HTML: r.HTML, CreatedAt: at},
		mentions: r.Mentions,
		text:     searchText(r.HTML),
	}
}

// searchText is the text of a post's HTML as search indexes it: its author's own words,
// without what it quotes (found in the post that wrote it), and without the two control
// characters that mark matches in search results.
func searchText(html string) string {
	return strings.Map(func(r rune) rune {
		if r == markOpen || r == markClose {
			return ' '
		}
		return r
	}, markup.OwnText(html, MaxBodyBytes))
}

// CreateThread publishes a thread and its first post.
func (s *Service) CreateThread(ctx context.Context, u *account.User, in NewThread) (*Thread, error) {
	if err := s.CanPost(ctx, u); err != nil {
		return nil, err
	}
	in.Title = strings.TrimSpace(in.Title)
	fields := map[string]string{}
	checkTitle(in.Title, fields)
	checkBody(in.Body, fields)
	if err := web.InvalidFields(fields); err != nil {
		return nil, err
	}
	if err := hold(in.Confirm, in.Title, in.Body); err != nil {
		return nil, err
	}
	if t, err := s.threadByToken(ctx, u, in.Token); !errors.Is(err, storage.ErrNotFound) {
		return t, err
	}
	sc, err := s.screen(ctx, u, in.Title, in.Body)
	if err != nil {
		return nil, err
	}
	in.Title, in.Body = sc.title, sc.body
	now := s.now() // read once: the date of the post, and the duplicate window
	if err := s.refuseDuplicate(ctx, u, in.Body, now); err != nil {
		// The same form sent twice at once: the first may have committed since the
		// token was checked, and then this is its repeat, not a duplicate.
		if t, terr := s.threadByToken(ctx, u, in.Token); terr == nil {
			return t, nil
		}
		return nil, err
	}
	if err := s.keepPace(u); err != nil {
		return nil, err
	}
	d := s.draft(u, in.Body, now)
	t := &Thread{CategoryID: in.CategoryID, AuthorID: u.ID, Author: u.Username, Title: in.Title, Slug: Slugify(in.Title),
		CreatedAt: now, LastPostAt: now, PostCount: 1}
	p := d.post
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		if err := s.store.insertThread(tx, t); err != nil {
			return err
		}
		p.ThreadID = t.ID
		if err := s.store.insertPost(tx, p, in.Token); err != nil {
			return err
		}
		if err := s.store.queueForIndex(tx, p.ID, t.Title, d.text); err != nil {
			return err
		}
		tx.AfterCommit(s.index.queued)
		if sc.review != "" {
			// Waiting for review: hidden, and nobody is notified until it is approved.
			t.Hidden, t.InReview = true, true
			if err := s.held(tx, p, sc, now); err != nil {
				return err
			}
			return s.store.markRead(tx, p.AuthorID, t.ID, p.Number)
		}
		return s.published(tx, p, t, d.mentions)
	})
	if errors.Is(err, errDuplicateSubmit) {
		// The same form, sent twice at once: the first submit made the thread.
		return s.threadByToken(ctx, u, in.Token)
	}
	if err != nil {
		return nil, err
	}
	return t, nil
}

// threadByToken finds the thread the member already started with token, or returns
// storage.ErrNotFound.
func (s *Service) threadByToken(ctx context.Context, u *account.User, token string) (*Thread, error) {
	if token == "" {
		return nil, storage.ErrNotFound
	}
	_, threadID, err := s.store.PostIDByToken(ctx, u.ID, token)
	if err != nil {
		return nil, err
	}
	return s.store.ThreadByID(ctx, threadID)
}

// postByToken finds the post the member already submitted with token, or returns
// storage.ErrNotFound.
func (s *Service) postByToken(ctx context.Context, u *account.User, token string) (*Post, error) {
	if token == "" {
		return nil, storage.ErrNotFound
	}
	postID, _, err := s.store.PostIDByToken(ctx, u.ID, token)
	if err != nil {
		return nil, err
	}
	return s.store.PostByID(ctx, postID)
}

// Reply adds a post to a thread, which it returns with the post. Whether the thread
// still takes replies is checked again inside the write: a thread closed while the reply
// was on its way refuses it.
func (s *Service) Reply(ctx context.Context, u *account.User, in NewReply) (*Post, *Thread, error) {
	t, err := s.Thread(ctx, u, in.ThreadID)
	if err != nil {
		return nil, nil, err
	}
	if err := s.CanPost(ctx, u); err != nil {
		return nil, nil, err
	}
	fields := map[string]string{}
	checkBody(in.Body, fields)
	if err := web.InvalidFields(fields); err != nil {
		return nil, nil, err
	}
	if t.Locked && !u.IsStaff() {
		return nil, nil, ErrLocked
	}
	if err := hold(in.Confirm, in.Body); err != nil {
		return nil, nil, err
	}
	if p, err := s.postByToken(ctx, u, in.Token); !errors.Is(err, storage.ErrNotFound) {
		if err != nil {
			return nil, nil, err
		}
		return p, t, nil
	}
	sc, err := s.screen(ctx, u, "", in.Body)
	if err != nil {
		return nil, nil, err
	}
	in.Body = sc.body
	now := s.now() // read once: the date of the post, and the duplicate window
	if err := s.refuseDuplicate(ctx, u, in.Body, now); err != nil {
		// As for a thread: a racing repeat of the same form returns the first reply.
		if p, perr := s.postByToken(ctx, u, in.Token); perr == nil {
			return p, t, nil
		}
		return nil, nil, err
	}
	if err := s.keepPace(u); err != nil {
		return nil, nil, err
	}
	d := s.draft(u, in.Body, now)
	p := d.post
	p.ThreadID = t.ID
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		// What does not need the thread's row comes first: on PostgreSQL, counting the
		// reply locks that row until the commit, and every other reply to the thread
		// waits for it.
		if err := s.autoWatch(tx, u, t); err != nil {
			return err
		}
		hidden, err := s.store.countReply(tx, t.ID, now, u.IsStaff())
		if err != nil {
			return err
		}
		if err := s.store.insertPost(tx, p, in.Token); err != nil {
			return err
		}
		if err := s.store.queueForIndex(tx, p.ID, "", d.text); err != nil {
			return err
		}
		tx.AfterCommit(s.index.queued)
		if sc.review != "" {
			// Waiting for review: hidden, and nobody is notified until it is approved.
			if err := s.held(tx, p, sc, now); err != nil {
				return err
			}
			return s.store.markRead(tx, p.AuthorID, t.ID, p.Number)
		}
		// The thread as read before the write, hidden as it is now: its author does not
		// change, and its title only when the author's account is erased.
		at := *t
		at.Hidden = hidden
		return s.published(tx, p, &at, d.mentions)
	})
	if errors.Is(err, errDuplicateSubmit) {
		// The same form, sent twice at once: the first submit made the post.
		if p, err = s.postByToken(ctx, u, in.Token); err != nil {
			return nil, nil, err
		}
	} else if err != nil {
		return nil, nil, err
	}
	return p, t, nil
}

// autoWatch makes a member who replies to t watch it, inside the reply's write, unless
// they turned that off or chose about this thread before (a thread they stopped
// watching stays unwatched). Its author watches it already.
func (s *Service) autoWatch(tx *storage.Tx, u *account.User, t *Thread) error {
	if u.ID == t.AuthorID {
		return nil
	}
	on, err := s.notifier.AutoWatch(tx, u.ID)
	if err != nil || !on {
		return err
	}
	return s.store.watchUnlessChosen(tx, u.ID, t.ID)
}

// published records, in the write that publishes p in t, what goes with a new post:
// its author has read the thread up to it, and the members it concerns are notified.
func (s *Service) published(tx *storage.Tx, p *Post, t *Thread, mentions []string) error {
	if err := s.store.markRead(tx, p.AuthorID, t.ID, p.Number); err != nil {
		return err
	}
	if t.Hidden {
		// Only staff can post in a hidden thread; nobody else can follow a link to it.
		return nil
	}
	return s.notify(tx, p, t, mentions, true)
}

func postKey(id int64) string { return fmt.Sprintf("post:%d", id) }

// notify tells mentioned members, the thread's author and its watchers about a post.
// Mentions go first: a member both mentioned and replied to gets the mention, once.
// An edit (isNew false) notifies only members newly mentioned in it.
func (s *Service) notify(tx *storage.Tx, p *Post, t *Thread, mentions []string, isNew bool) error {
	n := account.Notification{ActorID: p.AuthorID, Subject: t.Title, URL: fmt.Sprintf("/p/%d", p.ID), Key: postKey(p.ID)}
	if len(mentions) > 0 {
		n.Kind = account.NotifyMention
		if err := s.notifier.NotifyMentioned(tx, mentions, n); err != nil {
			return err
		}
	}
	if !isNew || p.Number == 1 {
		return nil
	}
	author, watchers, err := s.store.replyAudience(tx, t.ID, t.AuthorID)
	if err != nil {
		return err
	}
	if author {
		n.Kind, n.UserID = account.NotifyReply, t.AuthorID
		if _, err := s.notifier.Notify(tx, n); err != nil {
			return err
		}
	}
	n.Kind = account.NotifyWatching
	_, err = s.notifier.NotifyAll(tx, watchers, n)
	return err
}
