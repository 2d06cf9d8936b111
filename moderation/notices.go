package moderation

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"stoa/account"
	"stoa/storage"
	"stoa/web"
)

// MaxMessageRunes bounds a notice or a reply to one.
const MaxMessageRunes = 10000

// Notice is a message from the moderators to a member about their use of the site.
type Notice struct {
	ID               int64
	UserID           int64
	Username         string
	ModeratorID      int64
	Moderator        string // staff only: members see "the moderators"
	Body             string
	HTML             string
	Rules            []Rule
	AgreementVersion int
	QuoteLabel       string
	QuoteHTML        string
	QuoteURL         string
	Sanction         string
	CreatedAt        time.Time
	ReadAt           time.Time // first read by the member
	MemberSeenAt     time.Time
	memberSeenReply  int64
	staffSeenReply   int64
	lastStaffReply   int64
	lastMemberReply  int64
	ReplyCount       int
	Replies          []*NoticeReply // filled by Notice only
}

// Unread reports whether the member has not read the notice or the moderators' latest reply.
func (n *Notice) Unread() bool { return n.ReadAt.IsZero() || n.lastStaffReply > n.memberSeenReply }

// AwaitingStaff reports whether the member replied since staff last looked.
func (n *Notice) AwaitingStaff() bool { return n.lastMemberReply > n.staffSeenReply }

// NoticeReply is one message in the conversation under a notice.
type NoticeReply struct {
	ID        int64
	AuthorID  int64
	Author    string // staff only when FromStaff
	FromStaff bool
	Body      string
	HTML      string
	CreatedAt time.Time
}

// NoticeDraft is what a moderator writes.
type NoticeDraft struct {
	Body  string
	Rules []int // numbers of the rules broken
	// lifted marks the notice that tells a member a sanction was lifted: not a warning.
	lifted bool
}

func checkMessage(field, body string) error {
	switch n := utf8.RuneCountInString(body); {
	case strings.TrimSpace(body) == "":
		return web.Invalid(field, "Write a message first.")
	case n > MaxMessageRunes:
		return web.Invalid(field, fmt.Sprintf("Shorten the message to %d characters or fewer (it has %d).", MaxMessageRunes, n))
	}
	return nil
}

// CurrentRules returns the community agreement's rules, or none when there is no
// agreement yet.
func (s *Service) CurrentRules(ctx context.Context) (int, []Rule, error) {
	v, rules, err := s.agreement.CurrentRules(ctx)
	if errors.Is(err, storage.ErrNotFound) {
		return 0, nil, nil
	}
	return v, rules, err
}

// citedRules picks the chosen rules from the current agreement.
func (s *Service) citedRules(ctx context.Context, numbers []int) (int, []Rule, error) {
	if len(numbers) == 0 {
		return 0, nil, nil
	}
	version, rules, err := s.CurrentRules(ctx)
	if err != nil {
		return 0, nil, err
	}
	var out []Rule
	for _, n := range numbers {
		found := false
		for _, r := range rules {
			if r.Number == n {
				out, found = append(out, r), true
				break
			}
		}
		if !found {
			return 0, nil, web.Invalid("rules", fmt.Sprintf("The community agreement has no rule %d any more; it may have just changed. Check the rules and send again.", n))
		}
	}
	return version, out, nil
}

// quote is the content a notice shows the member.
type quote struct{ label, html, url string }

// insertNotice records a notice inside tx and queues its email for a confirmed address.
// ref is what the notice is about, when it is about something.
func (s *Service) insertNotice(tx *storage.Tx, actor, member *account.User, d NoticeDraft, version int, rules []Rule,
	q quote, sanction string, ref *Target, now time.Time) (int64, error) {
	n := newNotice{UserID: member.ID, ModeratorID: actor.ID, Body: d.Body, HTML: s.render.Render(d.Body).HTML, Rules: rules,
		AgreementVersion: version, Quote: q, Sanction: sanction, LiftedSanction: d.lifted, CreatedAt: now}
	if ref != nil {
		n.ReportKind, n.ReportTarget = string(ref.Kind), ref.ID
	}
	id, err := s.store.insertNotice(tx, n)
	if err != nil {
		return 0, err
	}
	label := member.Username
	if len(rules) > 0 {
		label += " (" + citeRules(rules, version) + ")"
	}
	if err := s.audit.Record(tx, actor, Entry{At: now, Action: ActSendNotice, TargetKind: "user", TargetID: member.ID,
		TargetUserID: member.ID, TargetLabel: label, TargetURL: fmt.Sprintf("/mod/notices/%d", id)}); err != nil {
		return 0, err
	}
	text := "The moderators of this site sent you a notice about your use of it.\n\n" + d.Body + "\n"
	if len(rules) > 0 {
		text += "\nRules of the community agreement (version " + fmt.Sprint(version) + ") that this concerns:\n"
		for _, r := range rules {
			text += fmt.Sprintf("  %d. %s\n", r.Number, r.Text)
		}
	}
	if sanction != "" {
		text += "\nWith this notice, your account was " + sanction + ".\n"
	}
	text += fmt.Sprintf("\nRead it and reply to the moderators at %s/notices/%d\n", s.baseURL, id)
	return id, s.mail(tx, member, "A notice from the moderators", text)
}

// mail queues an email to the member when they confirmed an address; otherwise the
// notice stays in-app only.
func (s *Service) mail(tx *storage.Tx, member *account.User, subject, text string) error {
	if member.Email == "" || !member.EmailVerified {
		return nil
	}
	return s.mailer.EnqueueMail(tx, Mail{UserID: member.ID, To: member.Email, Subject: subject, Text: text})
}

// citeRules writes "rules 2 and 5 of the agreement, version 3".
func citeRules(rules []Rule, version int) string {
	nums := make([]string, len(rules))
	for i, r := range rules {
		nums[i] = fmt.Sprint(r.Number)
	}
	word := "rule "
	if len(rules) > 1 {
		word = "rules "
	}
	return word + joinAnd(nums) + fmt.Sprintf(" of the agreement, version %d", version)
}

func joinAnd(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// NoticesFor lists a member's notices, newest first.
func (s *Service) NoticesFor(ctx context.Context, userID int64) ([]*Notice, error) {
	return s.store.noticesFor(ctx, userID)
}

// RecentNotices lists notices for staff: those with replies staff have not seen first,
// then the newest.
func (s *Service) RecentNotices(ctx context.Context, limit, offset int) ([]*Notice, int, error) {
	return s.store.recentNotices(ctx, limit, offset)
}

// AwaitingCount is how many notices have member replies no staff member has read.
func (s *Service) AwaitingCount(ctx context.Context) (int, error) { return s.store.awaitingCount(ctx) }

// UnreadCount is how many notices (or replies to them) the member has not read.
func (s *Service) UnreadCount(ctx context.Context, userID int64) (int, error) {
	return s.store.unreadCount(ctx, userID)
}

// Notice loads one notice with its conversation. viewer must be its member or staff.
func (s *Service) Notice(ctx context.Context, viewer *account.User, id int64) (*Notice, error) {
	n, err := s.store.notice(ctx, id)
	if err != nil {
		return nil, err
	}
	// Someone else's notice does not exist for a member: not even its number is confirmed.
	if viewer == nil || (viewer.ID != n.UserID && !viewer.IsStaff()) {
		return nil, fmt.Errorf("moderation: load notice %d: %w", id, storage.ErrNotFound)
	}
	if n.Replies, err = s.store.noticeReplies(ctx, id); err != nil {
		return nil, err
	}
	return n, nil
}

// MarkSeen records that the viewer read the notice and its replies so far: the
// member's first read is the receipt staff see, and the time they last caught up tells
// staff their replies were seen. Nothing is written when nothing was new.
func (s *Service) MarkSeen(ctx context.Context, viewer *account.User, n *Notice) error {
	var last int64
	if len(n.Replies) > 0 {
		last = n.Replies[len(n.Replies)-1].ID
	}
	now := s.now()
	switch {
	case viewer.ID == n.UserID && n.Unread():
		return s.db.Write(ctx, func(tx *storage.Tx) error { return s.store.markReadByMember(tx, n.ID, last, now) })
	case viewer.IsStaff() && n.AwaitingStaff():
		return s.db.Write(ctx, func(tx *storage.Tx) error { return s.store.markReadByStaff(tx, n.ID, last) })
	}
	return nil
}

// ReplyToNotice adds a message to a notice's conversation, from its member (silenced or
// not) or from staff.
func (s *Service) ReplyToNotice(ctx context.Context, u *account.User, n *Notice, body string) error {
	if u == nil || (u.ID != n.UserID && !u.IsStaff()) {
		return storage.ErrNotFound
	}
	if err := checkMessage("body", body); err != nil {
		return err
	}
	staff := u.ID != n.UserID
	html := s.render.Render(body).HTML
	now := s.now()
	var member *account.User
	if staff {
		var err error
		if member, err = s.accounts.ByID(ctx, n.UserID); err != nil && !IsNotFound(err) {
			return err
		}
	}
	return s.db.Write(ctx, func(tx *storage.Tx) error {
		if err := s.store.insertNoticeReply(tx, n.ID, u.ID, staff, body, html, now); err != nil {
			return err
		}
		if member == nil {
			return nil
		}
		return s.mail(tx, member, "The moderators replied to your notice",
			"The moderators replied in the conversation about a notice they sent you:\n\n"+body+
				fmt.Sprintf("\n\nRead it and answer at %s/notices/%d\n", s.baseURL, n.ID))
	})
}
