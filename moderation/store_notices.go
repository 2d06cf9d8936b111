package moderation

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"stoa/storage"
)

// newNotice is a notice as it is recorded.
type newNotice struct {
	UserID, ModeratorID int64
	ReportKind          string // what the notice is about, when it is about something
	ReportTarget        int64
	Body, HTML          string
	Rules               []Rule
	AgreementVersion    int
	Quote               quote
	Sanction            string
	LiftedSanction      bool // the notice tells the member a sanction was lifted
	CreatedAt           time.Time
}

// insertNotice records n inside tx and returns its id.
func (st *store) insertNotice(tx *storage.Tx, n newNotice) (int64, error) {
	rules, err := json.Marshal(n.Rules)
	if err != nil {
		return 0, fmt.Errorf("moderation: rules of a notice: %w", err)
	}
	var id int64
	err = tx.QueryRow(`insert into notices(user_id, moderator_id, report_kind, report_target, body, html, rules,
		agreement_version, quote_label, quote_html, quote_url, sanction, lifted_sanction, created_at)
		values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning id`,
		n.UserID, n.ModeratorID, n.ReportKind, nullID(n.ReportTarget), n.Body, n.HTML, string(rules),
		nullID(int64(n.AgreementVersion)), n.Quote.label, n.Quote.html, n.Quote.url, n.Sanction, n.LiftedSanction, n.CreatedAt.Unix()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("moderation: insert notice for %d: %w", n.UserID, err)
	}
	return id, nil
}

const noticeColumns = `n.id, n.user_id, coalesce(u.username, 'former-member'), coalesce(n.moderator_id, 0),
	coalesce(m.username, ''), n.body, n.html, n.rules, coalesce(n.agreement_version, 0), n.quote_label, n.quote_html,
	n.quote_url, n.sanction, n.created_at, n.read_at, n.member_seen_at, n.member_seen_reply, n.staff_seen_reply,
	n.last_staff_reply, n.last_member_reply, (select count(*) from notice_replies r where r.notice_id = n.id)`

const noticeJoins = ` from notices n left join users u on u.id = n.user_id left join users m on m.id = n.moderator_id`

func scanNotice(row scanner) (*Notice, error) {
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
	n.CreatedAt, n.ReadAt, n.MemberSeenAt = unixTime(created), unix(read), unix(seen)
	return &n, nil
}

func (st *store) listNotices(ctx context.Context, where string, args ...any) ([]*Notice, error) {
	rows, err := st.db.Query(ctx, "select "+noticeColumns+noticeJoins+" where "+where, args...)
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
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("moderation: list notices: %w", err)
	}
	return out, nil
}

// noticesFor lists a member's notices, newest first.
func (st *store) noticesFor(ctx context.Context, userID int64) ([]*Notice, error) {
	return st.listNotices(ctx, "n.user_id = ? order by n.id desc", userID)
}

// recentNotices lists a page of notices, those with replies staff have not seen first,
// with the total.
func (st *store) recentNotices(ctx context.Context, limit, offset int) ([]*Notice, int, error) {
	var total int
	if err := st.db.QueryRow(ctx, "select count(*) from notices").Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("moderation: count notices: %w", err)
	}
	list, err := st.listNotices(ctx, "1 = 1 order by n.last_member_reply > n.staff_seen_reply desc, n.id desc limit ? offset ?", limit, offset)
	return list, total, err
}

// awaitingCount is how many notices have member replies no staff member has read.
func (st *store) awaitingCount(ctx context.Context) (int, error) {
	var n int
	if err := st.db.QueryRow(ctx, "select count(*) from notices where last_member_reply > staff_seen_reply").Scan(&n); err != nil {
		return 0, fmt.Errorf("moderation: count awaiting notices: %w", err)
	}
	return n, nil
}

// unreadCount is how many of a member's notices (or replies to them) they have not read.
func (st *store) unreadCount(ctx context.Context, userID int64) (int, error) {
	var n int
	err := st.db.QueryRow(ctx,
		"select count(*) from notices where user_id = ? and (read_at is null or last_staff_reply > member_seen_reply)", userID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("moderation: count unread notices of %d: %w", userID, err)
	}
	return n, nil
}

// notice loads one notice without its conversation.
func (st *store) notice(ctx context.Context, id int64) (*Notice, error) {
	n, err := scanNotice(st.db.QueryRow(ctx, "select "+noticeColumns+noticeJoins+" where n.id = ?", id))
	if err != nil {
		return nil, fmt.Errorf("moderation: load notice %d: %w", id, err)
	}
	return n, nil
}

// noticeReplies loads the conversation under a notice, oldest first.
func (st *store) noticeReplies(ctx context.Context, id int64) ([]*NoticeReply, error) {
	rows, err := st.db.Query(ctx, `select r.id, coalesce(r.author_id, 0), coalesce(u.username, 'former-member'),
		r.from_staff, r.body, r.html, r.created_at from notice_replies r left join users u on u.id = r.author_id
		where r.notice_id = ? order by r.id`, id)
	if err != nil {
		return nil, fmt.Errorf("moderation: replies of notice %d: %w", id, err)
	}
	defer rows.Close()
	var out []*NoticeReply
	for rows.Next() {
		var r NoticeReply
		var at int64
		if err := rows.Scan(&r.ID, &r.AuthorID, &r.Author, &r.FromStaff, &r.Body, &r.HTML, &at); err != nil {
			return nil, fmt.Errorf("moderation: replies of notice %d: %w", id, err)
		}
		r.CreatedAt = unixTime(at)
		out = append(out, &r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("moderation: replies of notice %d: %w", id, err)
	}
	return out, nil
}

// markReadByMember records that the member read the notice up to reply lastReply: the
// first read is the receipt staff see.
func (st *store) markReadByMember(tx *storage.Tx, id, lastReply int64, now time.Time) error {
	_, err := tx.Exec(`update notices set read_at = coalesce(read_at, ?), member_seen_at = ?,
		member_seen_reply = case when member_seen_reply < ? then ? else member_seen_reply end where id = ?`,
		now.Unix(), now.Unix(), lastReply, lastReply, id)
	if err != nil {
		return fmt.Errorf("moderation: mark notice %d read: %w", id, err)
	}
	return nil
}

// markReadByStaff records that staff read the notice's conversation up to lastReply.
func (st *store) markReadByStaff(tx *storage.Tx, id, lastReply int64) error {
	if _, err := tx.Exec("update notices set staff_seen_reply = case when staff_seen_reply < ? then ? else staff_seen_reply end where id = ?",
		lastReply, lastReply, id); err != nil {
		return fmt.Errorf("moderation: mark notice %d read by staff: %w", id, err)
	}
	return nil
}

// insertNoticeReply adds a message to a notice's conversation. Whoever writes has read
// what came before: a member's reply also marks the notice read up to it, a moderator's
// reply marks it seen by staff.
func (st *store) insertNoticeReply(tx *storage.Tx, noticeID, authorID int64, fromStaff bool, body, html string, now time.Time) error {
	var id int64
	err := tx.QueryRow(`insert into notice_replies(notice_id, author_id, from_staff, body, html, created_at)
		values (?, ?, ?, ?, ?, ?) returning id`, noticeID, authorID, fromStaff, body, html, now.Unix()).Scan(&id)
	if err != nil {
		return fmt.Errorf("moderation: reply to notice %d: %w", noticeID, err)
	}
	// Reply ids grow, so the new one is the latest seen.
	if fromStaff {
		_, err = tx.Exec("update notices set last_staff_reply = ?, staff_seen_reply = ? where id = ?", id, id, noticeID)
	} else {
		_, err = tx.Exec("update notices set last_member_reply = ?, member_seen_reply = ? where id = ?", id, id, noticeID)
	}
	if err != nil {
		return fmt.Errorf("moderation: reply to notice %d: %w", noticeID, err)
	}
	return nil
}
