package privacy

import (
	"context"
	"time"

	"stoa/storage"
)

// Consent records that a member accepted (at registration) or acknowledged (after a
// material change) one version of a policy.
type Consent struct {
	Policy  string    `json:"policy"`
	Version int       `json:"version"`
	Kind    string    `json:"kind"` // "accepted" or "acknowledged"
	At      time.Time `json:"at"`
}

// Pending is a material policy change a member has not acknowledged yet.
type Pending struct {
	Name    string
	Title   string
	Version int       // the newest version
	Since   int       // the newest version the member accepted, 0 when none
	Changed time.Time // when the material change was saved
}

// Accept records, inside the transaction that creates a member, that they accepted the
// current version of every policy; the registration form says they do. It satisfies
// account.Policies.
func (s *Policies) Accept(tx *storage.Tx, userID int64) error {
	current, err := s.store.policyVersions(tx)
	if err != nil {
		return err
	}
	now := s.now()
	for name, v := range current {
		if err := s.store.insertConsent(tx, userID, name, v, "accepted", now); err != nil {
			return err
		}
	}
	return nil
}

// Acknowledge records that a member read version v of the named policy, which ends its
// banner.
func (s *Policies) Acknowledge(ctx context.Context, userID int64, name string, v int) error {
	if _, err := s.Version(ctx, name, v); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *storage.Tx) error {
		return s.store.insertConsent(tx, userID, name, v, "acknowledged", s.now())
	})
}

// Pending returns the material changes the member has not acknowledged: for each policy
// whose newest material version is newer than every version the member accepted.
func (s *Policies) Pending(ctx context.Context, userID int64) ([]Pending, error) {
	return s.store.pendingChanges(ctx, userID)
}

// Consents returns every consent a member gave, oldest first, for their export.
func (s *Policies) Consents(ctx context.Context, userID int64) ([]Consent, error) {
	return s.store.consents(ctx, userID)
}
