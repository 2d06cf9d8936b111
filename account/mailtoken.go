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
func insertMailToken(tx *storage.Tx, token string, userID int64, purpose, email string, now time.Time, ttl time.Duration) error {
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
func takeMailToken(tx *storage.Tx, token, purpose string, now time.Time) (mailToken, error) {
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
	if err := tx.QueryRow("select deleted_at from users where id = ?", t.UserID).Scan(&deleted); err != nil || deleted.Valid {
		return t, storage.ErrNotFound
	}
	return t, nil
}

// deleteMailTokens drops every link of one purpose a member holds, inside tx.
func deleteMailTokens(tx *storage.Tx, userID int64, purpose string) error {
	if _, err := tx.Exec("delete from account_tokens where user_id = ? and purpose = ?", userID, purpose); err != nil {
		return fmt.Errorf("account: drop %s links of %d: %w", purpose, userID, err)
	}
	return nil
}
