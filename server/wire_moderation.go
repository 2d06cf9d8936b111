package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"stoa/bus"
	"stoa/chat"
	"stoa/forum"
	"stoa/mail"
	"stoa/moderation"
	"stoa/privacy"
	"stoa/storage"
	"stoa/views"
)

// moderationParts holds moderation's parts: the audit log and the sanctions check, built
// from the database before anything else, and the service wireModeration builds last.
type moderationParts struct {
	// audit is the append-only log of staff actions; the forum's thread management and
	// privacy's staff access to personal data record into it.
	audit *moderation.AuditLog
	// sanctions is the check every package consults before a member logs in or posts.
	sanctions *moderation.Sanctions
	service   *moderation.Service
	// AdminLinks are the entries other features add to the /admin dashboard: append to it
	// in a wire function that runs before wireModeration. Categories, members and roles,
	// and the audit log are always listed.
	AdminLinks []views.MeLink
}

// newModerationParts builds what moderation offers the packages below it; they need
// only the database.
func newModerationParts(db *storage.DB, peers *bus.Bus) (moderationParts, error) {
	sanctions, err := moderation.NewSanctions(db, peers)
	return moderationParts{audit: moderation.NewAuditLog(db), sanctions: sanctions}, err
}

// wireModeration builds reports, the review queue, notices and sanctions (moderation/)
// and mounts its routes.
func (a *App) wireModeration(mux *http.ServeMux) {
	svc := moderation.New(moderation.Options{
		DB:        a.db,
		Accounts:  a.accountStore,
		Forum:     forumPosts{a.forum.Service},
		Chat:      chatMessages{a.chat.service},
		Sanctions: a.moderation.sanctions,
		Audit:     a.moderation.audit,
		Agreement: agreementRules{a.privacy.policies},
		Mailer:    noticeMailer{a.mail.outbox},
		Renderer:  a.renderer,
		BaseURL:   a.cfg.BaseURL,
		Automod:   a.site.Automod,
	})
	a.moderation.service = svc
	h := moderation.NewHandlers(svc, a.web, a.moderation.AdminLinks)
	h.Routes(mux)
	a.banners = append(a.banners, h.Banners)
}

// agreementRules gives moderation the numbered rules of the current community agreement.
type agreementRules struct{ p *privacy.Policies }

func (g agreementRules) CurrentRules(ctx context.Context) (int, []moderation.Rule, error) {
	pol, err := g.p.Current(ctx, privacy.Agreement)
	if errors.Is(err, privacy.ErrNotFound) {
		return 0, nil, nil
	}
	if err != nil {
		return 0, nil, err
	}
	var rules []moderation.Rule
	for _, r := range pol.Rules() {
		rules = append(rules, moderation.Rule{Number: r.Number, Text: r.Text})
	}
	return pol.Version, rules, nil
}

// noticeMailer queues notices' email in the outbox, in the notice's transaction.
type noticeMailer struct{ o *mail.Outbox }

func (m noticeMailer) EnqueueMail(tx *storage.Tx, x moderation.Mail) error {
	return m.o.Enqueue(tx, mail.Message{To: x.To, Subject: x.Subject, Text: x.Text, Kind: "notice", UserID: x.UserID})
}

// forumPosts lets moderation review, hide, delete and close forum posts and threads.
type forumPosts struct{ svc *forum.Service }

func (f forumPosts) Posts(ctx context.Context, ids []int64) ([]*moderation.ForumPost, error) {
	posts, threads, err := f.svc.Store().PostsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*moderation.ForumPost, 0, len(posts))
	for _, p := range posts {
		t := threads[p.ThreadID]
		if t == nil {
			return nil, fmt.Errorf("server: post %d: thread %d: %w", p.ID, p.ThreadID, storage.ErrNotFound)
		}
		out = append(out, &moderation.ForumPost{ID: p.ID, ThreadID: p.ThreadID, AuthorID: p.AuthorID, Author: p.Author,
			Number: p.Number, Source: p.Source, HTML: p.HTML, Hidden: p.Hidden, Deleted: p.Deleted, ThreadTitle: t.Title,
			ThreadURL: t.URL(), ThreadLocked: t.Locked, ThreadHidden: t.Hidden, ThreadDeleted: t.Deleted})
	}
	return out, nil
}

func (f forumPosts) SetPostHidden(tx *storage.Tx, id int64, hidden bool, now time.Time) error {
	_, _, err := f.svc.SetPostHidden(tx, id, hidden, now)
	return err
}

func (f forumPosts) DeletePost(tx *storage.Tx, id int64, now time.Time) error {
	_, _, err := f.svc.DeletePostAsStaff(tx, id, now)
	return err
}

func (f forumPosts) SetThreadLocked(tx *storage.Tx, threadID int64, locked bool) error {
	return f.svc.SetThreadLocked(tx, threadID, locked)
}

// chatMessages lets moderation report and delete chat messages.
type chatMessages struct{ s *chat.Service }

func (c chatMessages) Messages(ctx context.Context, ids []int64) ([]*moderation.ChatMessage, error) {
	msgs, err := c.s.Store().MessagesByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*moderation.ChatMessage, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, &moderation.ChatMessage{ID: m.ID, AuthorID: m.AuthorID, Author: m.Author, Room: m.Room,
			Source: m.Source, HTML: m.HTML, URL: m.URL(), Hidden: m.Hidden, Deleted: m.Deleted})
	}
	return out, nil
}

func (c chatMessages) DeleteMessage(tx *storage.Tx, id int64) error {
	return c.s.DeleteByStaffTx(tx, id)
}

func (c chatMessages) EndChats(tx *storage.Tx, userID int64, reason string) {
	c.s.EndChats(tx, userID, reason)
}

func (f forumPosts) PostsInReview(ctx context.Context, limit int) ([]*moderation.WaitingItem, error) {
	posts, err := f.svc.PostsInReview(ctx, limit)
	if err != nil {
		return nil, err
	}
	out := make([]*moderation.WaitingItem, 0, len(posts))
	for _, w := range posts {
		out = append(out, waitingPost(w.Post, w.Thread, w.Note))
	}
	return out, nil
}

// waitingPost describes a post waiting for review, for the queue and the audit log.
func waitingPost(p *forum.Post, t *forum.Thread, note string) *moderation.WaitingItem {
	where := "Reply in “" + t.Title + "”"
	if p.Number == 1 {
		where = "New thread “" + t.Title + "”"
	}
	return &moderation.WaitingItem{Kind: moderation.TargetPost, ID: p.ID, AuthorID: p.AuthorID, Author: p.Author,
		Where: where, URL: fmt.Sprintf("/p/%d", p.ID), HTML: p.HTML, Note: note, At: p.CreatedAt}
}

func (f forumPosts) ApprovePost(tx *storage.Tx, id int64, now time.Time) (*moderation.WaitingItem, error) {
	p, t, err := f.svc.ApprovePost(tx, id, now)
	if err != nil {
		return nil, err
	}
	return waitingPost(p, t, "approved"), nil
}

func (f forumPosts) RejectPost(tx *storage.Tx, id int64, now time.Time) (*moderation.WaitingItem, error) {
	p, t, err := f.svc.RejectPost(tx, id, now)
	if err != nil {
		return nil, err
	}
	return waitingPost(p, t, "rejected"), nil
}

func (c chatMessages) SetMessageHidden(tx *storage.Tx, id int64, hidden bool) error {
	return c.s.SetHiddenByStaffTx(tx, id, hidden)
}

func (c chatMessages) HeldMessages(ctx context.Context, limit int) ([]*moderation.WaitingItem, error) {
	held, err := c.s.HeldMessages(ctx, limit)
	if err != nil {
		return nil, err
	}
	out := make([]*moderation.WaitingItem, 0, len(held))
	for _, h := range held {
		out = append(out, waitingMessage(h))
	}
	return out, nil
}

func waitingMessage(h *chat.HeldMessage) *moderation.WaitingItem {
	return &moderation.WaitingItem{Kind: moderation.TargetMessage, ID: h.ID, AuthorID: h.AuthorID, Author: h.Author,
		Where: "Chat message in #" + h.Room, URL: "/chat/" + h.Room, HTML: h.HTML, Note: h.Note, At: h.CreatedAt}
}

func (c chatMessages) ApproveHeld(tx *storage.Tx, id int64) (*moderation.WaitingItem, error) {
	h, err := c.s.ApproveHeldTx(tx, id)
	if err != nil {
		return nil, err
	}
	return waitingMessage(h), nil
}

func (c chatMessages) RejectHeld(tx *storage.Tx, id int64) (*moderation.WaitingItem, error) {
	h, err := c.s.RejectHeldTx(tx, id)
	if err != nil {
		return nil, err
	}
	return waitingMessage(h), nil
}
