package privacy

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"html"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"stoa/storage"
)

// Enquiry is a message to the site's staff through /contact (P9).
type Enquiry struct {
	ID        int64
	UserID    int64 // the member who sent it, 0 for an anonymous visitor
	Username  string
	HasReply  bool // an anonymous sender left an address for the answer
	Subject   string
	Body      string
	Status    string // "open", "answered" or "closed"
	CreatedAt time.Time
	UpdatedAt time.Time
	Messages  []EnquiryMessage
	Unread    int // staff answers the member has not read
}

// EnquiryMessage is an answer from staff or a follow-up from the sender.
type EnquiryMessage struct {
	ID        int64
	FromStaff bool
	Author    string
	Body      string
	CreatedAt time.Time
	Read      bool
}

// Enquiries stores enquiries and their answers.
type Enquiries struct {
	db      *storage.DB
	members Members
	mailer  Mailer
	baseURL string
	now     func() time.Time
}

// NewEnquiries returns the enquiry store on db; mailer may be nil (answers then reach
// members in the app only, and anonymous senders cannot be answered).
func NewEnquiries(db *storage.DB, members Members, mailer Mailer, baseURL string) *Enquiries {
	return &Enquiries{db: db, members: members, mailer: mailer, baseURL: baseURL, now: time.Now}
}

// Limits on enquiries.
const (
	maxSubjectRunes = 150
	maxEnquiryBytes = 16 << 10
)

func checkMessage(body string, fields map[string]string) {
	switch {
	case strings.TrimSpace(body) == "":
		fields["body"] = "Write your message."
	case len(body) > maxEnquiryBytes:
		fields["body"] = fmt.Sprintf("Shorten your message to %d KiB.", maxEnquiryBytes>>10)
	}
}

// Submit stores an enquiry from a member (userID) or an anonymous visitor (userID 0, who
// may leave replyTo).
func (e *Enquiries) Submit(ctx context.Context, userID int64, replyTo, subject, body string) (int64, error) {
	subject, replyTo = strings.TrimSpace(subject), strings.TrimSpace(replyTo)
	fields := map[string]string{}
	if n := utf8.RuneCountInString(subject); n == 0 || n > maxSubjectRunes || strings.ContainsAny(subject, "\r\n") {
		fields["subject"] = fmt.Sprintf("Write a subject of up to %d characters.", maxSubjectRunes)
	}
	checkMessage(body, fields)
	if userID != 0 {
		replyTo = "" // members get the answer on their account page (and by mail if they gave an address)
	} else if replyTo != "" {
		if a, err := mail.ParseAddress(replyTo); err != nil || a.Address != replyTo || len(replyTo) > 254 {
			fields["reply_to"] = "Enter an email address like name@example.org, or leave it empty."
		}
	}
	if len(fields) > 0 {
		return 0, &InputError{Fields: fields}
	}
	var id int64
	now := e.now().Unix()
	err := e.db.Write(ctx, func(tx *storage.Tx) error {
		var uid any
		if userID != 0 {
			uid = userID
		}
		res, err := tx.Exec("insert into enquiries(user_id, reply_to, subject, body, created_at, updated_at) values (?, ?, ?, ?, ?, ?)",
			uid, replyTo, subject, body, now, now)
		if err != nil {
			return fmt.Errorf("privacy: save enquiry: %w", err)
		}
		id, err = res.LastInsertId()
		return err
	})
	return id, err
}

const enquiryColumns = `e.id, coalesce(e.user_id, 0), e.reply_to != '', e.subject, e.body, e.status, e.created_at, e.updated_at,
	(select count(*) from enquiry_messages m where m.enquiry_id = e.id and m.from_staff = 1 and m.read_at is null)`

func scanEnquiry(row interface{ Scan(...any) error }) (*Enquiry, error) {
	var q Enquiry
	var created, updated int64
	if err := row.Scan(&q.ID, &q.UserID, &q.HasReply, &q.Subject, &q.Body, &q.Status, &created, &updated, &q.Unread); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	q.CreatedAt, q.UpdatedAt = time.Unix(created, 0).UTC(), time.Unix(updated, 0).UTC()
	return &q, nil
}

func (e *Enquiries) list(ctx context.Context, query string, args ...any) ([]Enquiry, error) {
	rows, err := e.db.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("privacy: list enquiries: %w", err)
	}
	defer rows.Close()
	var out []Enquiry
	for rows.Next() {
		q, err := scanEnquiry(rows)
		if err != nil {
			return nil, fmt.Errorf("privacy: list enquiries: %w", err)
		}
		out = append(out, *q)
	}
	return out, rows.Err()
}

// Inbox lists enquiries with a status ("" for all), most recently active first.
func (e *Enquiries) Inbox(ctx context.Context, status string, limit, offset int) ([]Enquiry, error) {
	return e.list(ctx, "select "+enquiryColumns+" from enquiries e where (? = '' or e.status = ?) order by e.updated_at desc, e.id desc limit ? offset ?",
		status, status, limit, offset)
}

// OpenCount returns how many enquiries wait for an answer, for the staff inbox link.
func (e *Enquiries) OpenCount(ctx context.Context) (int, error) {
	var n int
	err := e.db.QueryRow(ctx, "select count(*) from enquiries where status = 'open'").Scan(&n)
	return n, err
}

// ForMember lists a member's own enquiries, newest first.
func (e *Enquiries) ForMember(ctx context.Context, userID int64) ([]Enquiry, error) {
	return e.list(ctx, "select "+enquiryColumns+" from enquiries e where e.user_id = ? order by e.updated_at desc, e.id desc", userID)
}

// UnreadAnswers returns how many staff answers a member has not read.
func (e *Enquiries) UnreadAnswers(ctx context.Context, userID int64) (int, error) {
	var n int
	err := e.db.QueryRow(ctx, `select count(*) from enquiry_messages m join enquiries e on e.id = m.enquiry_id
		where e.user_id = ? and m.from_staff = 1 and m.read_at is null`, userID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("privacy: unread answers of %d: %w", userID, err)
	}
	return n, nil
}

// Get loads an enquiry with its messages.
func (e *Enquiries) Get(ctx context.Context, id int64) (*Enquiry, error) {
	q, err := scanEnquiry(e.db.QueryRow(ctx, "select "+enquiryColumns+" from enquiries e where e.id = ?", id))
	if err != nil {
		return nil, fmt.Errorf("privacy: load enquiry %d: %w", id, err)
	}
	rows, err := e.db.Query(ctx, `select id, from_staff, coalesce(author_id, 0), body, created_at, read_at is not null
		from enquiry_messages where enquiry_id = ? order by id`, id)
	if err != nil {
		return nil, fmt.Errorf("privacy: messages of enquiry %d: %w", id, err)
	}
	defer rows.Close()
	var authors []int64
	for rows.Next() {
		var m EnquiryMessage
		var author, at int64
		if err := rows.Scan(&m.ID, &m.FromStaff, &author, &m.Body, &at, &m.Read); err != nil {
			return nil, fmt.Errorf("privacy: messages of enquiry %d: %w", id, err)
		}
		m.CreatedAt = time.Unix(at, 0).UTC()
		q.Messages = append(q.Messages, m)
		authors = append(authors, author)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i, a := range authors {
		q.Messages[i].Author = e.name(ctx, a)
		if a == 0 && q.Messages[i].FromStaff {
			q.Messages[i].Author = "former member"
		}
	}
	q.Username = e.name(ctx, q.UserID)
	return q, nil
}

// name is a member's username, or a stand-in for anonymous and deleted accounts.
func (e *Enquiries) name(ctx context.Context, id int64) string {
	if id == 0 {
		return ""
	}
	m, err := e.members.ByID(ctx, id)
	if err != nil {
		return "former member"
	}
	return m.Username
}

// Answer adds a staff answer, delivered in the app to a member (and by email when they
// gave an address) or by email to an anonymous sender's reply address. closeIt marks the
// enquiry closed instead of answered.
func (e *Enquiries) Answer(ctx context.Context, staff *Member, id int64, body string, closeIt bool) error {
	fields := map[string]string{}
	checkMessage(body, fields)
	if len(fields) > 0 {
		return &InputError{Fields: fields}
	}
	q, err := e.Get(ctx, id)
	if err != nil {
		return err
	}
	var to string
	var userID int64
	if q.UserID != 0 {
		if m, err := e.members.ByID(ctx, q.UserID); err == nil {
			to, userID = m.MailTo(), m.ID
		}
	} else {
		if err := e.db.QueryRow(ctx, "select reply_to from enquiries where id = ?", id).Scan(&to); err != nil {
			return fmt.Errorf("privacy: reply address of enquiry %d: %w", id, err)
		}
	}
	status := "answered"
	if closeIt {
		status = "closed"
	}
	now := e.now().Unix()
	return e.db.Write(ctx, func(tx *storage.Tx) error {
		if _, err := tx.Exec("insert into enquiry_messages(enquiry_id, author_id, from_staff, body, created_at) values (?, ?, 1, ?, ?)",
			id, staff.ID, body, now); err != nil {
			return fmt.Errorf("privacy: answer enquiry %d: %w", id, err)
		}
		if _, err := tx.Exec("update enquiries set status = ?, updated_at = ? where id = ?", status, now, id); err != nil {
			return fmt.Errorf("privacy: answer enquiry %d: %w", id, err)
		}
		if to == "" || e.mailer == nil {
			return nil
		}
		return e.mailer.Enqueue(tx, e.answerMail(q, to, userID, body))
	})
}

func (e *Enquiries) answerMail(q *Enquiry, to string, userID int64, body string) Mail {
	text := "Hello,\n\nThe team of this site answered your enquiry \"" + q.Subject + "\":\n\n" + body + "\n"
	htm := "<p>Hello,</p><p>The team of this site answered your enquiry “" + html.EscapeString(q.Subject) + "”:</p><blockquote>" +
		strings.ReplaceAll(html.EscapeString(body), "\n", "<br>") + "</blockquote>"
	if userID != 0 {
		link := fmt.Sprintf("%s/me/enquiries/%d", e.baseURL, q.ID)
		text += "\nRead it and reply on the site: " + link + "\n"
		htm += `<p><a href="` + html.EscapeString(link) + `">Read it and reply on the site</a></p>`
	} else {
		text += "\nTo write again, use the contact form: " + e.baseURL + "/contact\n"
	}
	return Mail{To: to, Subject: "Re: " + q.Subject, Text: text, HTML: htm, Kind: "enquiry", UserID: userID}
}

// FollowUp adds a member's message to their own enquiry and reopens it.
func (e *Enquiries) FollowUp(ctx context.Context, userID, id int64, body string) error {
	fields := map[string]string{}
	checkMessage(body, fields)
	if len(fields) > 0 {
		return &InputError{Fields: fields}
	}
	now := e.now().Unix()
	return e.db.Write(ctx, func(tx *storage.Tx) error {
		res, err := tx.Exec("update enquiries set status = 'open', updated_at = ? where id = ? and user_id = ?", now, id, userID)
		if err != nil {
			return fmt.Errorf("privacy: reopen enquiry %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		_, err = tx.Exec("insert into enquiry_messages(enquiry_id, author_id, from_staff, body, created_at) values (?, ?, 0, ?, ?)",
			id, userID, body, now)
		if err != nil {
			return fmt.Errorf("privacy: follow up enquiry %d: %w", id, err)
		}
		return nil
	})
}

// MarkRead records that the member read the staff answers on their enquiry.
func (e *Enquiries) MarkRead(ctx context.Context, userID, id int64) error {
	return e.db.Write(ctx, func(tx *storage.Tx) error {
		_, err := tx.Exec(`update enquiry_messages set read_at = ? where enquiry_id = ? and from_staff = 1 and read_at is null
			and exists (select 1 from enquiries e where e.id = ? and e.user_id = ?)`, e.now().Unix(), id, id, userID)
		if err != nil {
			return fmt.Errorf("privacy: mark enquiry %d read: %w", id, err)
		}
		return nil
	})
}
