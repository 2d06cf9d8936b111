package privacy

import (
	"context"
	"fmt"
	"html"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"stoa/storage"
	"stoa/web"
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
	AuthorID  int64 // 0 for an anonymous sender or an erased account
	Author    string
	Body      string
	CreatedAt time.Time
	Read      bool
}

// Enquiries stores enquiries and their answers.
type Enquiries struct {
	db      *storage.DB
	store   store
	members Members
	mailer  Mailer
	baseURL string
	now     func() time.Time
}

// NewEnquiries returns the enquiry store on db; it uses Members, Mailer and BaseURL.
func NewEnquiries(db *storage.DB, opts Options) *Enquiries {
	need("NewEnquiries", opts.Members != nil, "Members")
	need("NewEnquiries", opts.Mailer != nil, "a Mailer")
	return &Enquiries{db: db, store: store{db}, members: opts.Members, mailer: opts.Mailer, baseURL: opts.BaseURL, now: time.Now}
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
	if err := web.InvalidFields(fields); err != nil {
		return 0, err
	}
	var id int64
	err := e.db.Write(ctx, func(tx *storage.Tx) error {
		var err error
		id, err = e.store.insertEnquiry(tx, userID, replyTo, subject, body, e.now())
		return err
	})
	return id, err
}

// Inbox lists enquiries with a status ("" for all), most recently active first, with the
// sender's name.
func (e *Enquiries) Inbox(ctx context.Context, status string, limit, offset int) ([]Enquiry, error) {
	list, err := e.store.inbox(ctx, status, limit, offset)
	if err != nil {
		return nil, err
	}
	for i := range list {
		list[i].Username = e.name(ctx, list[i].UserID)
	}
	return list, nil
}

// OpenCount returns how many enquiries wait for an answer, for the staff inbox link.
func (e *Enquiries) OpenCount(ctx context.Context) (int, error) {
	return e.store.openEnquiries(ctx)
}

// ForMember lists a member's own enquiries, newest first.
func (e *Enquiries) ForMember(ctx context.Context, userID int64) ([]Enquiry, error) {
	return e.store.enquiriesOf(ctx, userID)
}

// UnreadAnswers returns how many staff answers a member has not read.
func (e *Enquiries) UnreadAnswers(ctx context.Context, userID int64) (int, error) {
	return e.store.unreadAnswers(ctx, userID)
}

// Get loads an enquiry with its messages and the names of who wrote them.
func (e *Enquiries) Get(ctx context.Context, id int64) (*Enquiry, error) {
	q, err := e.store.enquiry(ctx, id)
	if err != nil {
		return nil, err
	}
	for i, m := range q.Messages {
		q.Messages[i].Author = e.name(ctx, m.AuthorID)
		if m.AuthorID == 0 && m.FromStaff {
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
	if err := web.InvalidFields(fields); err != nil {
		return err
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
	} else if to, err = e.store.replyAddress(ctx, id); err != nil {
		return err
	}
	status := "answered"
	if closeIt {
		status = "closed"
	}
	return e.db.Write(ctx, func(tx *storage.Tx) error {
		if err := e.store.insertAnswer(tx, id, staff.ID, body, status, e.now()); err != nil {
			return err
		}
		if to == "" {
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

// FollowUp adds a member's message to their own enquiry and reopens it; ErrNotFound
// when the enquiry is not theirs.
func (e *Enquiries) FollowUp(ctx context.Context, userID, id int64, body string) error {
	fields := map[string]string{}
	checkMessage(body, fields)
	if err := web.InvalidFields(fields); err != nil {
		return err
	}
	return e.store.insertFollowUp(ctx, userID, id, body, e.now())
}

// MarkRead records that the member read the staff answers on their enquiry.
func (e *Enquiries) MarkRead(ctx context.Context, userID, id int64) error {
	return e.store.markAnswersRead(ctx, userID, id, e.now())
}
