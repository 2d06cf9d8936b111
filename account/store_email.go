package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"stoa/storage"
)

// The purposes of one-time links sent by email.
const (
	purposeReset   = "reset"
	purposeConfirm = "confirm"
)

// mailToken is a one-time link's record: whose it is and, for a confirmation, which
// address it confirms.
type mailToken struct {
	UserID int64
	Email  string
}

// insertMailToken stores the hash of a new one-time token inside tx, and drops expired
// ones while at it (P3: nothing kept longer than needed).
func (s *Store) insertMailToken(tx *storage.Tx, token string, userID int64, purpose, email string, now time.Time, ttl time.Duration) error {
	if _, err := tx.Exec("delete from account_tokens where expires_at <= ?", now.Unix()); err != nil {
		return fmt.Errorf("account: delete expired links: %w", err)
	}
	_, err := tx.Exec(`insert into account_tokens(token_hash, user_id, purpose, email, created_at, expires_at)
		values (?, ?, ?, ?, ?, ?)`, hashToken(token), userID, purpose, email, now.Unix(), now.Add(ttl).Unix())
	if err != nil {
		return fmt.Errorf("account: store %s link: %w", purpose, err)
	}
	return nil
}

// peekMailToken returns an unexpired token's record without using it up, for the page a
// link opens; storage.ErrNotFound when it is unknown, used or expired.
func (s *Store) peekMailToken(ctx context.Context, token, purpose string, now time.Time) (mailToken, error) {
	var t mailToken
	err := s.db.QueryRow(ctx, `select t.user_id, t.email from account_tokens t
		join users u on u.id = t.user_id and u.deleted_at is null
		where t.token_hash = ? and t.purpose = ? and t.expires_at > ?`, hashToken(token), purpose, now.Unix()).Scan(&t.UserID, &t.Email)
	if errors.Is(err, sql.ErrNoRows) {
		return t, storage.ErrNotFound
	}
	if err != nil {
		return t, fmt.Errorf("account: look up %s link: %w", purpose, err)
	}
	return t, nil
}

// takeMailToken uses a token up inside tx: it is deleted whether or not it had expired,
// and its record returned only when it had not. A token therefore works once.
func (s *Store) takeMailToken(tx *storage.Tx, token, purpose string, now time.Time) (mailToken, error) {
	var t mailToken
	var expires int64
	err := tx.QueryRow(`delete from account_tokens where token_hash = ? and purpose = ?
		returning user_id, email, expires_at`, hashToken(token), purpose).Scan(&t.UserID, &t.Email, &expires)
	if errors.Is(err, sql.ErrNoRows) || err == nil && expires <= now.Unix() {
		return t, storage.ErrNotFound
	}
	if err != nil {
		return t, fmt.Errorf("account: use %s link: %w", purpose, err)
	}
	var deleted sql.NullInt64
	err = tx.QueryRow("select deleted_at from users where id = ?", t.UserID).Scan(&deleted)
	if errors.Is(err, sql.ErrNoRows) || err == nil && deleted.Valid {
		return t, storage.ErrNotFound
	}
	if err != nil {
		return t, fmt.Errorf("account: use %s link: %w", purpose, err)
	}
	return t, nil
}

// deleteMailTokens drops every link of one purpose a member holds, inside tx.
func (s *Store) deleteMailTokens(tx *storage.Tx, userID int64, purpose string) error {
	if _, err := tx.Exec("delete from account_tokens where user_id = ? and purpose = ?", userID, purpose); err != nil {
		return fmt.Errorf("account: drop %s links of %d: %w", purpose, userID, err)
	}
	return nil
}

// deleteAllMailTokens drops every one-time link a member holds, inside tx: they carry the
// member's address too.
func (s *Store) deleteAllMailTokens(tx *storage.Tx, userID int64) error {
	if _, err := tx.Exec("delete from account_tokens where user_id = ?", userID); err != nil {
		return fmt.Errorf("account: drop links of %d: %w", userID, err)
	}
	return nil
}

// ConfirmedEmail returns the member's address when they confirmed it, else "": the only
// address notices may be sent to.
func (s *Store) ConfirmedEmail(ctx context.Context, userID int64) (string, error) {
	return confirmedEmail(s.db.QueryRow(ctx, confirmedEmailQuery, userID), userID)
}

// ConfirmedEmailTx is ConfirmedEmail inside a write transaction, for features that queue
// mail in the same transaction as the action that causes it.
func (s *Store) ConfirmedEmailTx(tx *storage.Tx, userID int64) (string, error) {
	return confirmedEmail(tx.QueryRow(confirmedEmailQuery, userID), userID)
}

const confirmedEmailQuery = `select coalesce(email, '') from users
	where id = ? and email_verified = 1 and deleted_at is null`

func confirmedEmail(row *sql.Row, userID int64) (string, error) {
	var email string
	err := row.Scan(&email)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("account: confirmed email of %d: %w", userID, err)
	}
	return email, nil
}

// emailOf returns, inside tx, a member's address ("" for none) and whether it is confirmed.
func (s *Store) emailOf(tx *storage.Tx, userID int64) (string, bool, error) {
	var email sql.NullString
	var confirmed bool
	if err := tx.QueryRow("select email, email_verified from users where id = ?", userID).Scan(&email, &confirmed); err != nil {
		return "", false, fmt.Errorf("account: load email of %d: %w", userID, err)
	}
	return email.String, confirmed, nil
}

// setConfirmedEmail makes address the member's confirmed address, inside tx.
func (s *Store) setConfirmedEmail(tx *storage.Tx, userID int64, address string) error {
	if _, err := tx.Exec("update users set email = ?, email_verified = 1 where id = ?", address, userID); err != nil {
		return fmt.Errorf("account: confirm email of %d: %w", userID, err)
	}
	return nil
}

// confirmEmailIf marks the member's address confirmed when it still is address, inside tx.
func (s *Store) confirmEmailIf(tx *storage.Tx, userID int64, address string) error {
	if _, err := tx.Exec("update users set email_verified = 1 where id = ? and email = ?", userID, address); err != nil {
		return fmt.Errorf("account: confirm email of %d: %w", userID, err)
	}
	return nil
}

// removeEmail forgets the member's address, inside tx.
func (s *Store) removeEmail(tx *storage.Tx, userID int64) error {
	if _, err := tx.Exec("update users set email = null, email_verified = 0 where id = ?", userID); err != nil {
		return fmt.Errorf("account: remove email of %d: %w", userID, err)
	}
	return nil
}

// pendingEmail returns the address a member asked to change to and has not confirmed yet.
func (s *Store) pendingEmail(ctx context.Context, userID int64, current string, now time.Time) (string, error) {
	var email string
	err := s.db.QueryRow(ctx, `select email from account_tokens where user_id = ? and purpose = ?
		and expires_at > ? and email <> ? order by created_at desc limit 1`, userID, purposeConfirm, now.Unix(), current).Scan(&email)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("account: pending email of %d: %w", userID, err)
	}
	return email, nil
}

// resetTarget is an account a password reset link may go to.
type resetTarget struct {
	id              int64
	username, email string
}

// resetTargets returns, inside tx, every active account with an address whose username or
// address is login (any case).
func (s *Store) resetTargets(tx *storage.Tx, login string) ([]resetTarget, error) {
	rows, err := tx.Query(`select id, username, email from users where deleted_at is null and email is not null
		and (username_key = ? or lower(email) = lower(?))`, UsernameKey(login), login)
	if err != nil {
		return nil, fmt.Errorf("account: find account for reset: %w", err)
	}
	defer rows.Close()
	var found []resetTarget
	for rows.Next() {
		var m resetTarget
		if err := rows.Scan(&m.id, &m.username, &m.email); err != nil {
			return nil, fmt.Errorf("account: find account for reset: %w", err)
		}
		found = append(found, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("account: find account for reset: %w", err)
	}
	return found, nil
}
