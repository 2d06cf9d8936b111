package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"stoa/storage"
)

// memberSettings reads a member's settings; no row means the defaults.
func (s *Store) memberSettings(ctx context.Context, userID int64) (MemberSettings, error) {
	out := DefaultMemberSettings()
	err := s.db.QueryRow(ctx, "select auto_watch from member_settings where user_id = ?", userID).Scan(&out.AutoWatch)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return out, fmt.Errorf("account: settings of %d: %w", userID, err)
	}
	return out, nil
}

// autoWatch reads, inside tx, whether replying makes the member watch the thread.
func (s *Store) autoWatch(tx *storage.Tx, userID int64) (bool, error) {
	on := DefaultMemberSettings().AutoWatch
	err := tx.QueryRow("select auto_watch from member_settings where user_id = ?", userID).Scan(&on)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("account: auto-watch of %d: %w", userID, err)
	}
	return on, nil
}

// setMemberSettings stores a member's settings inside tx.
func (s *Store) setMemberSettings(tx *storage.Tx, userID int64, m MemberSettings) error {
	_, err := tx.Exec(`insert into member_settings(user_id, auto_watch) values (?, ?)
		on conflict(user_id) do update set auto_watch = excluded.auto_watch`, userID, m.AutoWatch)
	if err != nil {
		return fmt.Errorf("account: save settings of %d: %w", userID, err)
	}
	return nil
}

// deleteMemberSettings removes a member's settings inside tx, when they delete their
// account.
func (s *Store) deleteMemberSettings(tx *storage.Tx, userID int64) error {
	if _, err := tx.Exec("delete from member_settings where user_id = ?", userID); err != nil {
		return fmt.Errorf("account: delete settings of %d: %w", userID, err)
	}
	return nil
}
