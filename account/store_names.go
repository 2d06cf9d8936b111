package account

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"stoa/storage"
)

// This file keeps the marks of names that deleted accounts held (issue 15 bug 7, issue
// 16.3): HMAC-SHA256 of the lower-cased username under a per-site secret kept in the
// database. A mark says "this name was held" to whoever knows the name, and nothing to
// whoever reads the database without it.

// nameMark is the mark of username under secret.
func nameMark(secret []byte, username string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(UsernameKey(username)))
	return m.Sum(nil)
}

// markSecretTx returns the site's secret for name marks inside tx, making it on first use.
func (s *Store) markSecretTx(tx *storage.Tx) ([]byte, error) {
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, fmt.Errorf("account: name mark secret: %w", err)
	}
	if _, err := tx.Exec("insert into name_mark_secret(id, secret) values (1, ?) on conflict(id) do nothing", fresh); err != nil {
		return nil, fmt.Errorf("account: name mark secret: %w", err)
	}
	var secret []byte
	if err := tx.QueryRow("select secret from name_mark_secret where id = 1").Scan(&secret); err != nil {
		return nil, fmt.Errorf("account: name mark secret: %w", err)
	}
	return secret, nil
}

// markSecret returns the site's secret for name marks, or nil when no account was
// deleted yet (then no name is marked).
func (s *Store) markSecret(ctx context.Context) ([]byte, error) {
	var secret []byte
	err := s.db.QueryRow(ctx, "select secret from name_mark_secret where id = 1").Scan(&secret)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("account: name mark secret: %w", err)
	}
	return secret, nil
}

// markDeletedName records on the deleted member's row, inside tx, the mark of the name
// they held.
func (s *Store) markDeletedName(tx *storage.Tx, userID int64, username string) error {
	secret, err := s.markSecretTx(tx)
	if err != nil {
		return err
	}
	if _, err := tx.Exec("update users set name_mark = ? where id = ?", nameMark(secret, username), userID); err != nil {
		return fmt.Errorf("account: mark the name of %d: %w", userID, err)
	}
	return nil
}

// lastDeletedHolderTx returns, inside tx, when the last account that held username was
// deleted; the zero time when none did.
func (s *Store) lastDeletedHolderTx(tx *storage.Tx, username string) (time.Time, error) {
	var secret []byte
	err := tx.QueryRow("select secret from name_mark_secret where id = 1").Scan(&secret)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("account: name mark secret: %w", err)
	}
	var at sql.NullInt64
	if err := tx.QueryRow("select max(deleted_at) from users where name_mark = ? and deleted_at is not null",
		nameMark(secret, username)).Scan(&at); err != nil {
		return time.Time{}, fmt.Errorf("account: earlier holders of a name: %w", err)
	}
	if !at.Valid {
		return time.Time{}, nil
	}
	return time.Unix(at.Int64, 0), nil
}

// FormerHolder is a deleted account that held a name before its present holder.
type FormerHolder struct {
	ID        int64
	DeletedAt time.Time
}

// FormerHolders lists the deleted accounts that held username, newest deletion first.
func (s *Store) FormerHolders(ctx context.Context, username string) ([]FormerHolder, error) {
	secret, err := s.markSecret(ctx)
	if err != nil || secret == nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, `select id, deleted_at from users where name_mark = ? and deleted_at is not null
		order by deleted_at desc, id desc`, nameMark(secret, username))
	if err != nil {
		return nil, fmt.Errorf("account: former holders of a name: %w", err)
	}
	defer rows.Close()
	var out []FormerHolder
	for rows.Next() {
		var h FormerHolder
		var at int64
		if err := rows.Scan(&h.ID, &at); err != nil {
			return nil, fmt.Errorf("account: former holders of a name: %w", err)
		}
		h.DeletedAt = time.Unix(at, 0)
		out = append(out, h)
	}
	return out, rows.Err()
}

// DeletedAccount returns when the account id was deleted, or storage.ErrNotFound when
// it is not a deleted account.
func (s *Store) DeletedAccount(ctx context.Context, id int64) (FormerHolder, error) {
	var at int64
	err := s.db.QueryRow(ctx, "select deleted_at from users where id = ? and deleted_at is not null", id).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return FormerHolder{}, fmt.Errorf("account: deleted account %d: %w", id, storage.ErrNotFound)
	}
	if err != nil {
		return FormerHolder{}, fmt.Errorf("account: deleted account %d: %w", id, err)
	}
	return FormerHolder{ID: id, DeletedAt: time.Unix(at, 0)}, nil
}
