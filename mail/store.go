package mail

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"stoa/storage"
)

// store is the SQL behind the outbox. Everything that depends on the database engine (the
// claim, above all) is here, so that a port to another engine swaps this file only.
type store struct {
	db *storage.DB
}

// Queued is one mail in the outbox as the worker and the admin page see it.
type Queued struct {
	ID          int64
	UserID      int64
	Kind        string
	To          string
	Subject     string
	Text        string
	HTML        string
	Headers     map[string]string
	MessageID   string
	Failed      bool
	Attempts    int
	NextAttempt time.Time
	LastError   string
	CreatedAt   time.Time
}

const queuedColumns = `id, coalesce(user_id, 0), kind, recipient, subject, body_text, body_html, headers,
	message_id, status, attempts, next_attempt_at, last_error, created_at`

func scanQueued(row interface{ Scan(...any) error }) (*Queued, error) {
	var q Queued
	var headers, status string
	var next, created int64
	if err := row.Scan(&q.ID, &q.UserID, &q.Kind, &q.To, &q.Subject, &q.Text, &q.HTML, &headers,
		&q.MessageID, &status, &q.Attempts, &next, &q.LastError, &created); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, storage.ErrNotFound
		}
		return nil, err
	}
	if err := json.Unmarshal([]byte(headers), &q.Headers); err != nil {
		return nil, fmt.Errorf("decode headers of mail %d: %w", q.ID, err)
	}
	q.Failed = status == "failed"
	q.NextAttempt = time.Unix(next, 0).UTC()
	q.CreatedAt = time.Unix(created, 0).UTC()
	return &q, nil
}

// insert queues one checked message inside tx, due now, and gives it its Message-ID,
// which is made from the row's id and therefore set once the row exists.
func (s store) insert(tx *storage.Tx, m Message, headers string, now time.Time, messageID func(id int64) string) error {
	var user any
	if m.UserID != 0 {
		user = m.UserID
	}
	var id int64
	err := tx.QueryRow(`insert into mail_outbox(user_id, kind, recipient, subject, body_text, body_html,
		headers, next_attempt_at, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?) returning id`,
		user, m.Kind, m.To, m.Subject, m.Text, m.HTML, headers, now.Unix(), now.Unix()).Scan(&id)
	if err != nil {
		return fmt.Errorf("mail: queue %s mail: %w", m.Kind, err)
	}
	if _, err := tx.Exec("update mail_outbox set message_id = ? where id = ?", messageID(id), id); err != nil {
		return fmt.Errorf("mail: queue %s mail: %w", m.Kind, err)
	}
	return nil
}

// deleteUser deletes, inside tx, every queued or failed mail for a member.
func (s store) deleteUser(tx *storage.Tx, userID int64) error {
	if _, err := tx.Exec("delete from mail_outbox where user_id = ?", userID); err != nil {
		return fmt.Errorf("mail: purge mail of %d: %w", userID, err)
	}
	return nil
}

// list returns failed mail first, then queued mail, each oldest first.
func (s store) list(ctx context.Context, limit, offset int) ([]*Queued, error) {
	rows, err := s.db.Query(ctx, "select "+queuedColumns+` from mail_outbox
		order by case when status = 'failed' then 0 else 1 end, id limit ? offset ?`, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("mail: list outbox: %w", err)
	}
	defer rows.Close()
	var out []*Queued
	for rows.Next() {
		q, err := scanQueued(rows)
		if err != nil {
			return nil, fmt.Errorf("mail: list outbox: %w", err)
		}
		out = append(out, q)
	}
	return out, rows.Err()
}

func (s store) counts(ctx context.Context) (queued, failed int, err error) {
	err = s.db.QueryRow(ctx, `select coalesce(sum(case when status = 'queued' then 1 else 0 end), 0),
		coalesce(sum(case when status = 'failed' then 1 else 0 end), 0) from mail_outbox`).Scan(&queued, &failed)
	if err != nil {
		return 0, 0, fmt.Errorf("mail: count outbox: %w", err)
	}
	return queued, failed, nil
}

// requeue makes one mail due at now with a fresh count of attempts; storage.ErrNotFound
// when it is gone.
func (s store) requeue(ctx context.Context, id int64, now time.Time) error {
	return s.db.Write(ctx, func(tx *storage.Tx) error {
		res, err := tx.Exec(`update mail_outbox set status = 'queued', attempts = 0, next_attempt_at = ?
			where id = ?`, now.Unix(), id)
		if err != nil {
			return fmt.Errorf("mail: retry %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return storage.ErrNotFound
		}
		return nil
	})
}

// requeueFailed makes every failed mail due at now and returns how many there were.
func (s store) requeueFailed(ctx context.Context, now time.Time) (int, error) {
	var n int64
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		res, err := tx.Exec(`update mail_outbox set status = 'queued', attempts = 0, next_attempt_at = ?
			where status = 'failed'`, now.Unix())
		if err != nil {
			return fmt.Errorf("mail: retry failed mail: %w", err)
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return int(n), err
}

// discard deletes one mail; storage.ErrNotFound when it is gone.
func (s store) discard(ctx context.Context, id int64) error {
	return s.db.Write(ctx, func(tx *storage.Tx) error {
		res, err := tx.Exec("delete from mail_outbox where id = ?", id)
		if err != nil {
			return fmt.Errorf("mail: discard %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return storage.ErrNotFound
		}
		return nil
	})
}

// claim picks up to limit mails due at now and, in the same durable write, counts an
// attempt on each and leases it until leaseEnd: it is due again only then, so no other
// worker picks it while it is being sent, and a worker that dies while sending leaves it
// to be sent again after the lease. q.NextAttempt is set to retryAt(attempts), when a
// failed attempt is to be retried (record stores it).
//
// This is the one statement that differs by engine. On PostgreSQL every node claims from
// the one table, each in a transaction of its own: "for update skip locked" locks the
// rows it picks and passes over those another node's claim holds, so two nodes never
// claim the same mail (without it both would read the same due rows and both send
// them). On SQLite the single writer makes the claim exclusive anyway.
func (s store) claim(ctx context.Context, now, leaseEnd time.Time, limit int, retryAt func(attempts int) time.Time) ([]*Queued, error) {
	var out []*Queued
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		out = out[:0]
		lock := ""
		if tx.Dialect() == storage.Postgres {
			lock = " for update skip locked"
		}
		rows, err := tx.Query("select "+queuedColumns+` from mail_outbox
			where status = 'queued' and next_attempt_at <= ? order by next_attempt_at, id limit ?`+lock, now.Unix(), limit)
		if err != nil {
			return fmt.Errorf("mail: claim: %w", err)
		}
		for rows.Next() {
			q, err := scanQueued(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("mail: claim: %w", err)
			}
			out = append(out, q)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("mail: claim: %w", err)
		}
		for _, q := range out {
			q.Attempts++
			q.NextAttempt = retryAt(q.Attempts)
			if _, err := tx.Exec("update mail_outbox set attempts = ?, next_attempt_at = ? where id = ?",
				q.Attempts, leaseEnd.Unix(), q.ID); err != nil {
				return fmt.Errorf("mail: claim %d: %w", q.ID, err)
			}
		}
		return nil
	})
	return out, err
}

// record stores the outcomes of one delivery round in one write: delivered mail is
// deleted (its body may hold a one-time link), failed mail keeps its error and is due
// again at its back-off, and mail the round did not get to is due again at once, its
// attempt uncounted.
func (s store) record(ctx context.Context, results []outcome) error {
	return s.db.Write(ctx, func(tx *storage.Tx) error {
		for _, r := range results {
			var err error
			switch {
			case r.released:
				_, err = tx.Exec("update mail_outbox set attempts = ?, next_attempt_at = ? where id = ?",
					r.q.Attempts-1, r.releasedAt.Unix(), r.q.ID)
			case r.err == nil:
				_, err = tx.Exec("delete from mail_outbox where id = ?", r.q.ID)
			case r.fail:
				_, err = tx.Exec("update mail_outbox set status = 'failed', last_error = ? where id = ?",
					truncate(r.err.Error(), 500), r.q.ID)
			default:
				_, err = tx.Exec("update mail_outbox set last_error = ?, next_attempt_at = ? where id = ?",
					truncate(r.err.Error(), 500), r.q.NextAttempt.Unix(), r.q.ID)
			}
			if err != nil {
				return fmt.Errorf("mail: record delivery of %d: %w", r.q.ID, err)
			}
		}
		return nil
	})
}

// nextDue returns when the earliest queued mail is due, or false when none is queued.
func (s store) nextDue(ctx context.Context) (time.Time, bool, error) {
	var next sql.NullInt64
	err := s.db.QueryRow(ctx,
		"select min(next_attempt_at) from mail_outbox where status = 'queued'").Scan(&next)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("mail: next due: %w", err)
	}
	return time.Unix(next.Int64, 0), next.Valid, nil
}

// deleteFailedBefore deletes failed mail queued before cutoff.
func (s store) deleteFailedBefore(ctx context.Context, cutoff time.Time) error {
	return s.db.Write(ctx, func(tx *storage.Tx) error {
		if _, err := tx.Exec("delete from mail_outbox where status = 'failed' and created_at < ?", cutoff.Unix()); err != nil {
			return fmt.Errorf("mail: delete old failed mail: %w", err)
		}
		return nil
	})
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 { // do not cut a UTF-8 sequence in half
		n--
	}
	return s[:n] + "…"
}
