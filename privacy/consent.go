package privacy

import (
	"context"
	"fmt"
	"stoa/storage"
	"time"
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

func recordConsent(tx *storage.Tx, userID int64, name string, version int, kind string, at time.Time) error {
	_, err := tx.Exec(`insert into policy_consents(user_id, name, version, kind, created_at) values (?, ?, ?, ?, ?)
		on conflict(user_id, name, version) do nothing`, userID, name, version, kind, at.Unix())
	if err != nil {
		return fmt.Errorf("privacy: record consent of %d to %s v%d: %w", userID, name, version, err)
	}
	return nil
}

// Accept records, inside the transaction that creates a member, that they accepted the
// current version of every policy; the registration form says they do.
func (s *Policies) Accept(tx *storage.Tx, userID int64) error {
	rows, err := tx.Query("select name, max(version) from policies group by name")
	if err != nil {
		return fmt.Errorf("privacy: current versions: %w", err)
	}
	type nv struct {
		name string
		v    int
	}
	var current []nv
	for rows.Next() {
		var x nv
		if err := rows.Scan(&x.name, &x.v); err != nil {
			rows.Close()
			return fmt.Errorf("privacy: current versions: %w", err)
		}
		current = append(current, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("privacy: current versions: %w", err)
	}
	now := s.now()
	for _, x := range current {
		if err := recordConsent(tx, userID, x.name, x.v, "accepted", now); err != nil {
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
		return recordConsent(tx, userID, name, v, "acknowledged", s.now())
	})
}

// Pending returns the material changes the member has not acknowledged: for each policy
// whose newest material version is newer than every version the member accepted.
func (s *Policies) Pending(ctx context.Context, userID int64) ([]Pending, error) {
	rows, err := s.db.Query(ctx, `select m.name, cur.title, cur.version,
			coalesce((select max(c.version) from policy_consents c where c.user_id = ? and c.name = m.name), 0),
			m.created_at
		from policies m
		join policies cur on cur.name = m.name and cur.version = (select max(version) from policies x where x.name = m.name)
		where m.material = 1
		  and m.version = (select max(version) from policies y where y.name = m.name and y.material = 1)
		  and not exists (select 1 from policy_consents c where c.user_id = ? and c.name = m.name and c.version >= m.version)
		order by m.name`, userID, userID)
	if err != nil {
		return nil, fmt.Errorf("privacy: pending policies of %d: %w", userID, err)
	}
	defer rows.Close()
	var out []Pending
	for rows.Next() {
		var p Pending
		var at int64
		if err := rows.Scan(&p.Name, &p.Title, &p.Version, &p.Since, &at); err != nil {
			return nil, fmt.Errorf("privacy: pending policies of %d: %w", userID, err)
		}
		p.Changed = time.Unix(at, 0).UTC()
		out = append(out, p)
	}
	return out, rows.Err()
}

// Consents returns every consent a member gave, oldest first, for their export.
func (s *Policies) Consents(ctx context.Context, userID int64) ([]Consent, error) {
	rows, err := s.db.Query(ctx,
		"select name, version, kind, created_at from policy_consents where user_id = ? order by created_at, name, version", userID)
	if err != nil {
		return nil, fmt.Errorf("privacy: consents of %d: %w", userID, err)
	}
	defer rows.Close()
	out := []Consent{}
	for rows.Next() {
		var c Consent
		var at int64
		if err := rows.Scan(&c.Policy, &c.Version, &c.Kind, &at); err != nil {
			return nil, fmt.Errorf("privacy: consents of %d: %w", userID, err)
		}
		c.At = time.Unix(at, 0).UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}
