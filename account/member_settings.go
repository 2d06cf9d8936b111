package account

import (
	"context"

	"stoa/storage"
)

// MemberSettings are a member's choices that are not about one kind of notification.
type MemberSettings struct {
	// AutoWatch: replying to a thread makes the member watch it, so they hear of the
	// replies that follow theirs (on unless they turn it off). A thread they chose to stop
	// watching stays unwatched.
	AutoWatch bool
}

// DefaultMemberSettings are what a member has until they choose.
func DefaultMemberSettings() MemberSettings { return MemberSettings{AutoWatch: true} }

// Settings returns the member's settings, defaults filled in.
func (n *Notifier) Settings(ctx context.Context, userID int64) (MemberSettings, error) {
	return n.store.memberSettings(ctx, userID)
}

// SetSettings stores the member's settings.
func (n *Notifier) SetSettings(ctx context.Context, userID int64, s MemberSettings) error {
	return n.store.db.Write(ctx, func(tx *storage.Tx) error { return n.store.setMemberSettings(tx, userID, s) })
}

// AutoWatch reports, inside tx, whether replying makes the member watch the thread.
func (n *Notifier) AutoWatch(tx *storage.Tx, userID int64) (bool, error) {
	return n.store.autoWatch(tx, userID)
}
