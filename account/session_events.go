package account

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"stoa/storage"
)

// SessionEnd says that sessions of a member ended: the one whose key is Key, or every one
// of them when Key is "". A key is the hex SHA-256 of the session's token (never the
// token itself), so the event can cross to other nodes as it is.
type SessionEnd struct {
	UserID int64
	Key    string
	// Reason tells the member why, in a sentence that says what to do next.
	Reason string
}

// SessionEvents hears when sessions end, so that what outlives a request (chat
// WebSockets) ends with them. It is told after the commit that ends them, on the
// database writer, so it must not block. Chat implements it; with several nodes the
// events travel between them.
type SessionEvents interface {
	SessionsEnded(e SessionEnd)
}

// Why sessions end, as a member reads it.
const (
	ReasonLoggedOut = "You logged out. Log in again to chat."
	ReasonReset     = "Your password was changed, which logged you out everywhere. Log in again to chat."
	ReasonDeleted   = "Your account was deleted."
)

// sessionKey is the key of a session token: the hex of its hash, as stored.
func sessionKey(token string) string { return hex.EncodeToString(hashToken(token)) }

type sessionKeyCtx struct{}

// WithSession returns ctx carrying the key of the session the request came with.
func WithSession(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, sessionKeyCtx{}, key)
}

// SessionFrom returns the key of the request's session, or "" for an anonymous reader.
func SessionFrom(ctx context.Context) string {
	k, _ := ctx.Value(sessionKeyCtx{}).(string)
	return k
}

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

// endSessions ends every session of a member inside tx, and tells whoever listens once tx
// commits.
func (s *Service) endSessions(tx *storage.Tx, userID int64, reason string) error {
	if err := DeleteSessionsOf(tx, userID); err != nil {
		return err
	}
	tx.AfterCommit(func() { s.events.SessionsEnded(SessionEnd{UserID: userID, Reason: reason}) })
	return nil
}

// noSessionEvents is the listener of a Service built without one (tests).
type noSessionEvents struct{}

func (noSessionEvents) SessionsEnded(SessionEnd) {}
