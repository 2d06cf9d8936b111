package moderation

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"stoa/account"
	"stoa/storage"
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
}

func checkMessage(field, body string) error {
	switch n := utf8.RuneCountInString(body); {
	case strings.TrimSpace(body) == "":
		return inputError(field, "Write a message first.")
	case n > MaxMessageRunes:
		return inputError(field, fmt.Sprintf("Shorten the message to %d characters or fewer (it has %d).", MaxMessageRunes, n))
	}
	return nil
}

// CurrentRules returns the community agreement's rules, or none when there is no
// agreement yet.
func (s *Service) CurrentRules(ctx context.Context) (int, []Rule, error) {
	if s.agreement == nil {
		return 0, nil, nil
	}
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
			return 0, nil, inputError("rules", fmt.Sprintf("The community agreement has no rule %d any more; it may have just changed. Check the rules and send again.", n))
		}
	}
	return version, out, nil
}

// quote is the content a notice shows the member.
type quote struct{ label, html, url string }

// insertNotice records a notice inside tx and queues its email for a confirmed address.
func (s *Service) insertNotice(tx *storage.Tx, actor, member *account.User, d NoticeDraft, version int, rules []Rule,
	q quote, sanction string, ref *Target, now time.Time) (int64, error) {
	rulesJSON, err := json.Marshal(rules)
	if err != nil {
		return 0, err
	}
	var kind string
	var target any
	if ref != nil {
		kind, target = string(ref.Kind), ref.ID
	}
	var ver any
	if version != 0 {
		ver = version
	}
	res, err := tx.Exec(`insert into notices(user_id, moderator_id, report_kind, report_target, body, html, rules,
		agreement_version, quote_label, quote_html, quote_url, sanction, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		member.ID, actor.ID, kind, target, d.Body, s.render.Render(d.Body).HTML, string(rulesJSON), ver, q.label, q.html, q.url,
		sanction, now.Unix())
	if err != nil {
		return 0, fmt.Errorf("moderation: insert notice for %d: %w", member.ID, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	label := member.Username
	if len(rules) > 0 {
		label += " (" + citeRules(rules, version) + ")"
	}
	if err := Audit(tx, actor, Entry{At: now, Action: ActSendNotice, TargetKind: "user", TargetID: member.ID,
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
	if s.mailer == nil || member.Email == "" || !member.EmailVerified {
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

const noticeColumns = `n.id, n.user_id, coalesce(u.username, 'former-member'), coalesce(n.moderator_id, 0),
	coalesce(m.username, ''), n.body, n.html, n.rules, coalesce(n.agreement_version, 0), n.quote_label, n.quote_html,
	n.quote_url, n.sanction, n.created_at, n.read_at, n.member_seen_at, n.member_seen_reply, n.staff_seen_reply,
	n.last_staff_reply, n.last_member_reply, (select count(*) from notice_replies r where r.notice_id = n.id)`

const noticeJoins = ` from notices n left join users u on u.id = n.user_id left join users m on m.id = n.moderator_id`

func scanNotice(row interface{ Scan(...any) error }) (*Notice, error) {
	var n Notice
	var rules string
	var created int64
	var read, seen sql.NullInt64
	err := row.Scan(&n.ID, &n.UserID, &n.Username, &n.ModeratorID, &n.Moderator, &n.Body, &n.HTML, &rules, &n.AgreementVersion,
		&n.QuoteLabel, &n.QuoteHTML, &n.QuoteURL, &n.Sanction, &created, &read, &seen, &n.memberSeenReply, &n.staffSeenReply,
		&n.lastStaffReply, &n.lastMemberReply, &n.ReplyCount)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, storage.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(rules), &n.Rules); err != nil {
		return nil, fmt.Errorf("moderation: rules of notice %d: %w", n.ID, err)
	}
	n.CreatedAt, n.ReadAt, n.MemberSeenAt = time.Unix(created, 0).UTC(), unix(read), unix(seen)
	return &n, nil
}

func (s *Service) listNotices(ctx context.Context, where string, args ...any) ([]*Notice, error) {
	rows, err := s.db.Query(ctx, "select "+noticeColumns+noticeJoins+" where "+where, args...)
	if err != nil {
		return nil, fmt.Errorf("moderation: list notices: %w", err)
	}
	defer rows.Close()
	var out []*Notice
	for rows.Next() {
		n, err := scanNotice(rows)
		if err != nil {
			return nil, fmt.Errorf("moderation: list notices: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// NoticesFor lists a member's notices, newest first.
func (s *Service) NoticesFor(ctx context.Context, userID int64) ([]*Notice, error) {
	return s.listNotices(ctx, "n.user_id = ? order by n.id desc", userID)
}

// RecentNotices lists notices for staff: those with replies staff have not seen first,
// then the newest.
func (s *Service) RecentNotices(ctx context.Context, limit, offset int) ([]*Notice, int, error) {
	var total int
	if err := s.db.QueryRow(ctx, "select count(*) from notices").Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("moderation: count notices: %w", err)
	}
	list, err := s.listNotices(ctx, "1 = 1 order by n.last_member_reply > n.staff_seen_reply desc, n.id desc limit ? offset ?", limit, offset)
	return list, total, err
}

// AwaitingCount is how many notices have member replies no staff member has read.
func (s *Service) AwaitingCount(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRow(ctx, "select count(*) from notices where last_member_reply > staff_seen_reply").Scan(&n); err != nil {
		return 0, fmt.Errorf("moderation: count awaiting notices: %w", err)
	}
	return n, nil
}

// UnreadCount is how many notices (or replies to them) the member has not read.
func (s *Service) UnreadCount(ctx context.Context, userID int64) (int, error) {
	var n int
	err := s.db.QueryRow(ctx,
		"select count(*) from notices where user_id = ? and (read_at is null or last_staff_reply > member_seen_reply)", userID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("moderation: count unread notices of %d: %w", userID, err)
	}
	return n, nil
}

// Notice loads one notice with its conversation. viewer must be its member or staff.
func (s *Service) Notice(ctx context.Context, viewer *account.User, id int64) (*Notice, error) {
	n, err := scanNotice(s.db.QueryRow(ctx, "select "+noticeColumns+noticeJoins+" where n.id = ?", id))
	if err != nil {
		return nil, fmt.Errorf("moderation: load notice %d: %w", id, err)
	}
	// Someone else's notice does not exist for a member: not even its number is confirmed.
	if viewer == nil || (viewer.ID != n.UserID && !viewer.IsStaff()) {
		return nil, fmt.Errorf("moderation: load notice %d: %w", id, storage.ErrNotFound)
	}
	rows, err := s.db.Query(ctx, `select r.id, coalesce(r.author_id, 0), coalesce(u.username, 'former-member'),
		r.from_staff, r.body, r.html, r.created_at from notice_replies r left join users u on u.id = r.author_id
		where r.notice_id = ? order by r.id`, id)
	if err != nil {
		return nil, fmt.Errorf("moderation: replies of notice %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var r NoticeReply
		var at int64
		if err := rows.Scan(&r.ID, &r.AuthorID, &r.Author, &r.FromStaff, &r.Body, &r.HTML, &at); err != nil {
			return nil, fmt.Errorf("moderation: replies of notice %d: %w", id, err)
		}
		r.CreatedAt = time.Unix(at, 0).UTC()
		n.Replies = append(n.Replies, &r)
	}
	return n, rows.Err()
}

// MarkSeen records that the viewer read the notice and its replies so far: the
// member's first read is the receipt staff see, and the time they last caught up tells
// staff their replies were seen. Nothing is written when nothing was new.
func (s *Service) MarkSeen(ctx context.Context, viewer *account.User, n *Notice) error {
	var last int64
	if len(n.Replies) > 0 {
		last = n.Replies[len(n.Replies)-1].ID
	}
	now := s.now().Unix()
	switch {
	case viewer.ID == n.UserID && n.Unread():
		return s.db.Write(ctx, func(tx *storage.Tx) error {
			_, err := tx.Exec(`update notices set read_at = coalesce(read_at, ?), member_seen_at = ?,
				member_seen_reply = max(member_seen_reply, ?) where id = ?`, now, now, last, n.ID)
			return err
		})
	case viewer.IsStaff() && n.AwaitingStaff():
		return s.db.Write(ctx, func(tx *storage.Tx) error {
			_, err := tx.Exec("update notices set staff_seen_reply = max(staff_seen_reply, ?) where id = ?", last, n.ID)
			return err
		})
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
		res, err := tx.Exec("insert into notice_replies(notice_id, author_id, from_staff, body, html, created_at) values (?, ?, ?, ?, ?, ?)",
			n.ID, u.ID, staff, body, html, now.Unix())
		if err != nil {
			return fmt.Errorf("moderation: reply to notice %d: %w", n.ID, err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		if !staff {
			// The member's own reply also counts as having seen everything before it.
			_, err = tx.Exec("update notices set last_member_reply = ?, member_seen_reply = max(member_seen_reply, ?) where id = ?", id, id, n.ID)
			return err
		}
		// A moderator who answers has read what came before.
		if _, err = tx.Exec("update notices set last_staff_reply = ?, staff_seen_reply = max(staff_seen_reply, ?) where id = ?", id, id, n.ID); err != nil {
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
