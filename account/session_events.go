package account

import (
	"context"
	"encoding/hex"

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
