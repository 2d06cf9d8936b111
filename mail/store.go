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

// List returns queued and failed mail, oldest first, for the admin page and tests.
func (o *Outbox) List(ctx context.Context, limit, offset int) ([]*Queued, error) {
	rows, err := o.db.Query(ctx, "select "+queuedColumns+
		" from mail_outbox order by status = 'failed' desc, id limit ? offset ?", limit, offset)
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

// Counts returns how many mails are waiting and how many failed.
func (o *Outbox) Counts(ctx context.Context) (queued, failed int, err error) {
	err = o.db.QueryRow(ctx, `select coalesce(sum(status = 'queued'), 0),
		coalesce(sum(status = 'failed'), 0) from mail_outbox`).Scan(&queued, &failed)
	if err != nil {
		return 0, 0, fmt.Errorf("mail: count outbox: %w", err)
	}
	return queued, failed, nil
}

// Retry puts a failed (or waiting) mail back at the front of the queue with a fresh
// count of attempts, and wakes the worker.
func (o *Outbox) Retry(ctx context.Context, id int64) error {
	err := o.db.Write(ctx, func(tx *storage.Tx) error {
		res, err := tx.Exec(`update mail_outbox set status = 'queued', attempts = 0, next_attempt_at = ?
			where id = ?`, o.cfg.Now().Unix(), id)
		if err != nil {
			return fmt.Errorf("mail: retry %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return storage.ErrNotFound
		}
		return nil
	})
	if err == nil {
		o.poke()
	}
	return err
}

// RetryFailed requeues every failed mail and returns how many there were.
func (o *Outbox) RetryFailed(ctx context.Context) (int, error) {
	var n int64
	err := o.db.Write(ctx, func(tx *storage.Tx) error {
		res, err := tx.Exec(`update mail_outbox set status = 'queued', attempts = 0, next_attempt_at = ?
			where status = 'failed'`, o.cfg.Now().Unix())
		if err != nil {
			return fmt.Errorf("mail: retry failed mail: %w", err)
		}
		n, _ = res.RowsAffected()
		return nil
	})
	if err == nil && n > 0 {
		o.poke()
	}
	return int(n), err
}

// Discard deletes one mail from the outbox without sending it.
func (o *Outbox) Discard(ctx context.Context, id int64) error {
	return o.db.Write(ctx, func(tx *storage.Tx) error {
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

// claim picks up to limit due mails and, in the same durable write, counts an attempt and
// pushes their next attempt into the future. A crash while sending therefore leaves each
// mail queued for a later retry: it may be sent twice, never lost.
func (o *Outbox) claim(ctx context.Context, limit int) ([]*Queued, error) {
	var out []*Queued
	err := o.db.Write(ctx, func(tx *storage.Tx) error {
		out = out[:0]
		now := o.cfg.Now()
		rows, err := tx.Query("select "+queuedColumns+` from mail_outbox
			where status = 'queued' and next_attempt_at <= ? order by next_attempt_at, id limit ?`, now.Unix(), limit)
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
			q.NextAttempt = now.Add(o.backoff(q.Attempts))
			if _, err := tx.Exec("update mail_outbox set attempts = ?, next_attempt_at = ? where id = ?",
				q.Attempts, q.NextAttempt.Unix(), q.ID); err != nil {
				return fmt.Errorf("mail: claim %d: %w", q.ID, err)
			}
		}
		return nil
	})
	return out, err
}

// outcome is what happened to one claimed mail.
type outcome struct {
	q    *Queued
	err  error
	fail bool // give up: no more attempts
}

// record stores the outcomes of one delivery round in one write: delivered mail is
// deleted (its body may hold a one-time link), failed mail keeps its error.
func (o *Outbox) record(ctx context.Context, results []outcome) error {
	return o.db.Write(ctx, func(tx *storage.Tx) error {
		for _, r := range results {
			var err error
			switch {
			case r.err == nil:
				_, err = tx.Exec("delete from mail_outbox where id = ?", r.q.ID)
			case r.fail:
				_, err = tx.Exec("update mail_outbox set status = 'failed', last_error = ? where id = ?",
					truncate(r.err.Error(), 500), r.q.ID)
			default:
				_, err = tx.Exec("update mail_outbox set last_error = ? where id = ?",
					truncate(r.err.Error(), 500), r.q.ID)
			}
			if err != nil {
				return fmt.Errorf("mail: record delivery of %d: %w", r.q.ID, err)
			}
		}
		return nil
	})
}

// nextDue returns when the earliest queued mail is due, or false when none is queued.
func (o *Outbox) nextDue(ctx context.Context) (time.Time, bool, error) {
	var next sql.NullInt64
	err := o.db.QueryRow(ctx,
		"select min(next_attempt_at) from mail_outbox where status = 'queued'").Scan(&next)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("mail: next due: %w", err)
	}
	return time.Unix(next.Int64, 0), next.Valid, nil
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
