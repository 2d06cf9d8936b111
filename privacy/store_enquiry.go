package privacy

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"stoa/storage"
)

// insertEnquiry stores a new enquiry inside tx and returns its id; userID 0 is an
// anonymous visitor.
func (s store) insertEnquiry(tx *storage.Tx, userID int64, replyTo, subject, body string, now time.Time) (int64, error) {
	var uid any
	if userID != 0 {
		uid = userID
	}
	var id int64
	err := tx.QueryRow("insert into enquiries(user_id, reply_to, subject, body, created_at, updated_at) values (?, ?, ?, ?, ?, ?) returning id",
		uid, replyTo, subject, body, now.Unix(), now.Unix()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("privacy: save enquiry: %w", err)
	}
	return id, nil
}

const enquiryColumns = `e.id, coalesce(e.user_id, 0), case when e.reply_to <> '' then 1 else 0 end, e.subject, e.body,
	e.status, e.created_at, e.updated_at,
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

func (s store) enquiries(ctx context.Context, query string, args ...any) ([]Enquiry, error) {
	rows, err := s.db.Query(ctx, query, args...)
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

// inbox lists enquiries with a status ("" for all), most recently active first.
func (s store) inbox(ctx context.Context, status string, limit, offset int) ([]Enquiry, error) {
	return s.enquiries(ctx, "select "+enquiryColumns+` from enquiries e where (? = '' or e.status = ?)
		order by e.updated_at desc, e.id desc limit ? offset ?`, status, status, limit, offset)
}

// enquiriesOf lists a member's own enquiries, newest first.
func (s store) enquiriesOf(ctx context.Context, userID int64) ([]Enquiry, error) {
	return s.enquiries(ctx, "select "+enquiryColumns+" from enquiries e where e.user_id = ? order by e.updated_at desc, e.id desc", userID)
}

func (s store) openEnquiries(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRow(ctx, "select count(*) from enquiries where status = 'open'").Scan(&n); err != nil {
		return 0, fmt.Errorf("privacy: count open enquiries: %w", err)
	}
	return n, nil
}

func (s store) unreadAnswers(ctx context.Context, userID int64) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, `select count(*) from enquiry_messages m join enquiries e on e.id = m.enquiry_id
		where e.user_id = ? and m.from_staff = 1 and m.read_at is null`, userID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("privacy: unread answers of %d: %w", userID, err)
	}
	return n, nil
}

// enquiry loads an enquiry with its messages; each message's AuthorID is 0 for an
// anonymous sender or an erased account.
func (s store) enquiry(ctx context.Context, id int64) (*Enquiry, error) {
	q, err := scanEnquiry(s.db.QueryRow(ctx, "select "+enquiryColumns+" from enquiries e where e.id = ?", id))
	if err != nil {
		return nil, fmt.Errorf("privacy: load enquiry %d: %w", id, err)
	}
	rows, err := s.db.Query(ctx, `select id, from_staff, coalesce(author_id, 0), body, created_at,
		case when read_at is null then 0 else 1 end from enquiry_messages where enquiry_id = ? order by id`, id)
	if err != nil {
		return nil, fmt.Errorf("privacy: messages of enquiry %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var m EnquiryMessage
		var at int64
		if err := rows.Scan(&m.ID, &m.FromStaff, &m.AuthorID, &m.Body, &at, &m.Read); err != nil {
			return nil, fmt.Errorf("privacy: messages of enquiry %d: %w", id, err)
		}
		m.CreatedAt = time.Unix(at, 0).UTC()
		q.Messages = append(q.Messages, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("privacy: messages of enquiry %d: %w", id, err)
	}
	return q, nil
}

// replyAddress is the address an anonymous sender left for the answer, "" for none.
func (s store) replyAddress(ctx context.Context, id int64) (string, error) {
	var to string
	if err := s.db.QueryRow(ctx, "select reply_to from enquiries where id = ?", id).Scan(&to); err != nil {
		return "", fmt.Errorf("privacy: reply address of enquiry %d: %w", id, err)
	}
	return to, nil
}

// insertAnswer adds a staff answer inside tx and sets the enquiry's status.
func (s store) insertAnswer(tx *storage.Tx, id, staffID int64, body, status string, now time.Time) error {
	if _, err := tx.Exec("insert into enquiry_messages(enquiry_id, author_id, from_staff, body, created_at) values (?, ?, 1, ?, ?)",
		id, staffID, body, now.Unix()); err != nil {
		return fmt.Errorf("privacy: answer enquiry %d: %w", id, err)
	}
	if _, err := tx.Exec("update enquiries set status = ?, updated_at = ? where id = ?", status, now.Unix(), id); err != nil {
		return fmt.Errorf("privacy: answer enquiry %d: %w", id, err)
	}
	return nil
}

// insertFollowUp adds a member's message to their own enquiry and reopens it;
// ErrNotFound when the enquiry is not theirs.
func (s store) insertFollowUp(ctx context.Context, userID, id int64, body string, now time.Time) error {
	return s.db.Write(ctx, func(tx *storage.Tx) error {
		res, err := tx.Exec("update enquiries set status = 'open', updated_at = ? where id = ? and user_id = ?", now.Unix(), id, userID)
		if err != nil {
			return fmt.Errorf("privacy: reopen enquiry %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		_, err = tx.Exec("insert into enquiry_messages(enquiry_id, author_id, from_staff, body, created_at) values (?, ?, 0, ?, ?)",
			id, userID, body, now.Unix())
		if err != nil {
			return fmt.Errorf("privacy: follow up enquiry %d: %w", id, err)
		}
		return nil
	})
}

// markAnswersRead records that the member read the staff answers on their enquiry.
func (s store) markAnswersRead(ctx context.Context, userID, id int64, now time.Time) error {
	return s.db.Write(ctx, func(tx *storage.Tx) error {
		_, err := tx.Exec(`update enquiry_messages set read_at = ? where enquiry_id = ? and from_staff = 1 and read_at is null
			and exists (select 1 from enquiries e where e.id = ? and e.user_id = ?)`, now.Unix(), id, id, userID)
		if err != nil {
			return fmt.Errorf("privacy: mark enquiry %d read: %w", id, err)
		}
		return nil
	})
}
