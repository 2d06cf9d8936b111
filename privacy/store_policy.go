package privacy

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"stoa/storage"
)

const policyColumns = "name, version, title, source, html, material, created_at"

func scanPolicy(row interface{ Scan(...any) error }) (*Policy, error) {
	var p Policy
	var at int64
	if err := row.Scan(&p.Name, &p.Version, &p.Title, &p.Source, &p.HTML, &p.Material, &at); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	p.CreatedAt = time.Unix(at, 0).UTC()
	return &p, nil
}

// currentPolicy returns the newest version of the named policy.
func (s store) currentPolicy(ctx context.Context, name string) (*Policy, error) {
	p, err := scanPolicy(s.db.QueryRow(ctx,
		"select "+policyColumns+" from policies where name = ? order by version desc limit 1", name))
	if err != nil {
		return nil, fmt.Errorf("privacy: current policy %q: %w", name, err)
	}
	return p, nil
}

// latestVersion returns the number of the named policy's newest version.
func (s store) latestVersion(ctx context.Context, name string) (int, error) {
	var v sql.NullInt64
	if err := s.db.QueryRow(ctx, "select max(version) from policies where name = ?", name).Scan(&v); err != nil {
		return 0, fmt.Errorf("privacy: version of %q: %w", name, err)
	}
	if !v.Valid {
		return 0, fmt.Errorf("privacy: version of %q: %w", name, ErrNotFound)
	}
	return int(v.Int64), nil
}

// policyVersion returns one version of the named policy.
func (s store) policyVersion(ctx context.Context, name string, v int) (*Policy, error) {
	p, err := scanPolicy(s.db.QueryRow(ctx,
		"select "+policyColumns+" from policies where name = ? and version = ?", name, v))
	if err != nil {
		return nil, fmt.Errorf("privacy: policy %q version %d: %w", name, v, err)
	}
	return p, nil
}

// policyHistory returns every version of the named policy, newest first.
func (s store) policyHistory(ctx context.Context, name string) ([]Policy, error) {
	return s.policies(ctx, "select "+policyColumns+" from policies where name = ? order by version desc", name)
}

// currentPolicies returns the newest version of every policy, by name.
func (s store) currentPolicies(ctx context.Context) ([]Policy, error) {
	return s.policies(ctx, "select "+policyColumns+` from policies p
		where version = (select max(version) from policies q where q.name = p.name) order by name`)
}

func (s store) policies(ctx context.Context, query string, args ...any) ([]Policy, error) {
	rows, err := s.db.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("privacy: list policies: %w", err)
	}
	defer rows.Close()
	var out []Policy
	for rows.Next() {
		p, err := scanPolicy(rows)
		if err != nil {
			return nil, fmt.Errorf("privacy: list policies: %w", err)
		}
		out = append(out, *p)
	}
	return out, rows.Err()
}

// insertPolicy adds p as the named policy's next version inside tx, setting p.Version;
// by is the admin who wrote it, 0 for Stoa's own seed.
func (s store) insertPolicy(tx *storage.Tx, p *Policy, by int64) error {
	if err := tx.QueryRow("select coalesce(max(version), 0) + 1 from policies where name = ?", p.Name).Scan(&p.Version); err != nil {
		return fmt.Errorf("privacy: next version of %q: %w", p.Name, err)
	}
	var author any
	if by != 0 {
		author = by
	}
	if _, err := tx.Exec("insert into policies(name, version, title, source, html, material, created_by, created_at) values (?, ?, ?, ?, ?, ?, ?, ?)",
		p.Name, p.Version, p.Title, p.Source, p.HTML, flag(p.Material), author, p.CreatedAt.Unix()); err != nil {
		return fmt.Errorf("privacy: save policy %q: %w", p.Name, err)
	}
	return nil
}

// insertConsent records, inside tx, that a member accepted or acknowledged a version;
// recording it twice keeps the first.
func (s store) insertConsent(tx *storage.Tx, userID int64, name string, version int, kind string, at time.Time) error {
	_, err := tx.Exec(`insert into policy_consents(user_id, name, version, kind, created_at) values (?, ?, ?, ?, ?)
		on conflict(user_id, name, version) do nothing`, userID, name, version, kind, at.Unix())
	if err != nil {
		return fmt.Errorf("privacy: record consent of %d to %s v%d: %w", userID, name, version, err)
	}
	return nil
}

// policyVersions returns, inside tx, the newest version number of every policy.
func (s store) policyVersions(tx *storage.Tx) (map[string]int, error) {
	rows, err := tx.Query("select name, max(version) from policies group by name")
	if err != nil {
		return nil, fmt.Errorf("privacy: current versions: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var name string
		var v int
		if err := rows.Scan(&name, &v); err != nil {
			return nil, fmt.Errorf("privacy: current versions: %w", err)
		}
		out[name] = v
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("privacy: current versions: %w", err)
	}
	return out, nil
}

// pendingChanges returns the material changes the member has not acknowledged: for each
// policy whose newest material version is newer than every version the member accepted.
func (s store) pendingChanges(ctx context.Context, userID int64) ([]Pending, error) {
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

// consents returns every consent a member gave, oldest first.
func (s store) consents(ctx context.Context, userID int64) ([]Consent, error) {
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
