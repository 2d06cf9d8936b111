package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"stoa/storage"
)

// saveAvatar stores a member's picture inside tx, replacing any earlier one.
func (s *Store) saveAvatar(tx *storage.Tx, userID int64, a Avatar) error {
	_, err := tx.Exec(`insert into avatars(user_id, content_type, image, updated_at) values (?, ?, ?, ?)
		on conflict(user_id) do update set content_type = excluded.content_type, image = excluded.image,
		updated_at = excluded.updated_at`, userID, a.ContentType, a.Image, a.UpdatedAt.Unix())
	if err != nil {
		return fmt.Errorf("account: save avatar of %d: %w", userID, err)
	}
	return nil
}

// deleteAvatar removes a member's picture inside tx.
func (s *Store) deleteAvatar(tx *storage.Tx, userID int64) error {
	if _, err := tx.Exec("delete from avatars where user_id = ?", userID); err != nil {
		return fmt.Errorf("account: delete avatar of %d: %w", userID, err)
	}
	return nil
}

// avatarOf loads the picture of the active member named username, or storage.ErrNotFound.
func (s *Store) avatarOf(ctx context.Context, username string) (*Avatar, error) {
	var a Avatar
	var at int64
	err := s.db.QueryRow(ctx, `select a.content_type, a.image, a.updated_at from avatars a
		join users u on u.id = a.user_id where u.username_key = ? and u.deleted_at is null`,
		UsernameKey(username)).Scan(&a.ContentType, &a.Image, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, storage.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("account: avatar of %q: %w", username, err)
	}
	a.UpdatedAt = time.Unix(at, 0).UTC()
	return &a, nil
}

// avatarByID loads a member's picture by their id, or storage.ErrNotFound.
func (s *Store) avatarByID(ctx context.Context, userID int64) (*Avatar, error) {
	var a Avatar
	var at int64
	err := s.db.QueryRow(ctx, "select content_type, image, updated_at from avatars where user_id = ?", userID).
		Scan(&a.ContentType, &a.Image, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, storage.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("account: avatar of %d: %w", userID, err)
	}
	a.UpdatedAt = time.Unix(at, 0).UTC()
	return &a, nil
}
