package account

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// SessionActive reports whether the session with key is still live: not ended and not
// expired, and its member's account not deleted. Chat asks it before each message.
func (s *Store) SessionActive(ctx context.Context, key string) (bool, error) {
	hash, err := hex.DecodeString(key)
	if err != nil || key == "" {
		return false, nil
	}
	var one int
	err = s.db.QueryRow(ctx, `select 1 from sessions s join users u on u.id = s.user_id
		where s.token_hash = ? and s.expires_at > ? and u.deleted_at is null`, hash, time.Now().Unix()).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("account: session active: %w", err)
	}
	return true, nil
}
