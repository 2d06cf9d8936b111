package account

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"stoa/storage"
)

// Store is the SQL behind accounts and sessions. Methods that take a *storage.Tx run inside
// a write that another package (or the Service) already holds.
type Store struct {
	db *storage.DB
}

// NewStore returns a Store on db.
func NewStore(db *storage.DB) *Store { return &Store{db: db} }

const userColumns = "id, username, display_name, coalesce(email, ''), email_verified, role, created_at"

func scanUser(row interface{ Scan(...any) error }) (*User, error) {
	var u User
	var created int64
	var role string
	if err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &u.Email, &u.EmailVerified, &role, &created); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, storage.ErrNotFound
		}
		return nil, err
	}
	u.Role = Role(role)
	u.CreatedAt = time.Unix(created, 0).UTC()
	return &u, nil
}

// UsernameKey is the case-folded form usernames are unique by.
func UsernameKey(name string) string { return strings.ToLower(name) }

// ErrUsernameTaken is returned when a username is already registered, in any case.
var ErrUsernameTaken = errors.New("account: username taken")

// insertUser adds a member inside tx and returns its id.
func (s *Store) insertUser(tx *storage.Tx, username, email, hash string, role Role, now time.Time) (int64, error) {
	var emailArg any
	if email != "" {
		emailArg = email
	}
	var id int64
	err := tx.QueryRow(`insert into users(username, username_key, email, password_hash, role, created_at)
		values (?, ?, ?, ?, ?, ?) returning id`, username, UsernameKey(username), emailArg, hash, string(role), now.Unix()).Scan(&id)
	if storage.IsUniqueViolation(err) {
		// username_key is the only unique column a new row can collide on.
		return 0, ErrUsernameTaken
	}
	if err != nil {
		return 0, fmt.Errorf("account: insert user %q: %w", username, err)
	}
	return id, nil
}

// ByID loads an active member by id.
func (s *Store) ByID(ctx context.Context, id int64) (*User, error) {
	u, err := scanUser(s.db.QueryRow(ctx,
		"select "+userColumns+" from users where id = ? and deleted_at is null", id))
	if err != nil {
		return nil, fmt.Errorf("account: load user %d: %w", id, err)
	}
	return u, nil
}

// ByIDTx loads an active member by id inside tx, for a write that records who did it.
func (s *Store) ByIDTx(tx *storage.Tx, id int64) (*User, error) {
	u, err := scanUser(tx.QueryRow("select "+userColumns+" from users where id = ? and deleted_at is null", id))
	if err != nil {
		return nil, fmt.Errorf("account: load user %d: %w", id, err)
	}
	return u, nil
}

// ByUsername loads an active member by username, ignoring case.
func (s *Store) ByUsername(ctx context.Context, name string) (*User, error) {
	u, err := scanUser(s.db.QueryRow(ctx,
		"select "+userColumns+" from users where username_key = ? and deleted_at is null", UsernameKey(name)))
	if err != nil {
		return nil, fmt.Errorf("account: load user %q: %w", name, err)
	}
	return u, nil
}

// passwordHash returns the id and hash for a username, for logging in.
func (s *Store) passwordHash(ctx context.Context, name string) (int64, string, error) {
	var id int64
	var hash string
	err := s.db.QueryRow(ctx,
		"select id, password_hash from users where username_key = ? and deleted_at is null", UsernameKey(name)).Scan(&id, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", storage.ErrNotFound
	}
	if err != nil {
		return 0, "", fmt.Errorf("account: load password for %q: %w", name, err)
	}
	return id, hash, nil
}

// setPassword replaces a member's password hash inside tx.
func (s *Store) setPassword(tx *storage.Tx, userID int64, hash string) error {
	if _, err := tx.Exec("update users set password_hash = ? where id = ?", hash, userID); err != nil {
		return fmt.Errorf("account: set password of %d: %w", userID, err)
	}
	return nil
}

// CountAdmins returns how many active admins exist.
func (s *Store) CountAdmins(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRow(ctx,
		"select count(*) from users where role = 'admin' and deleted_at is null").Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("account: count admins: %w", err)
	}
	return n, nil
}

// CountOtherAdmins returns, inside tx, how many active admins there are besides userID: a
// write that could remove the last one checks it where no other write can interleave.
func (s *Store) CountOtherAdmins(tx *storage.Tx, userID int64) (int, error) {
	var n int
	err := tx.QueryRow("select count(*) from users where role = 'admin' and deleted_at is null and id <> ?", userID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("account: count admins: %w", err)
	}
	return n, nil
}

// SetRole changes a member's role.
func (s *Store) SetRole(ctx context.Context, id int64, role Role) error {
	return s.db.Write(ctx, func(tx *storage.Tx) error { return s.SetRoleTx(tx, id, role) })
}

// ListUsers returns members ordered by username, for staff pages.
func (s *Store) ListUsers(ctx context.Context, limit, offset int) ([]*User, error) {
	rows, err := s.db.Query(ctx,
		"select "+userColumns+" from users where deleted_at is null order by username_key limit ? offset ?", limit, offset)
	if err != nil {
		return nil, fmt.Errorf("account: list users: %w", err)
	}
	return collectUsers(rows)
}

// WithConfirmedEmail returns every active member who gave and confirmed an email address,
// ordered by username: the only members site-wide mail may go to.
func (s *Store) WithConfirmedEmail(ctx context.Context) ([]*User, error) {
	rows, err := s.db.Query(ctx, "select "+userColumns+
		" from users where deleted_at is null and coalesce(email, '') <> '' and email_verified = 1 order by username_key")
	if err != nil {
		return nil, fmt.Errorf("account: members with an address: %w", err)
	}
	return collectUsers(rows)
}

func collectUsers(rows *sql.Rows) ([]*User, error) {
	defer rows.Close()
	var out []*User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("account: list users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// userIDsByName returns, inside tx, the ids of the active members with these usernames
// (any case), skipping unknown names.
func (s *Store) userIDsByName(tx *storage.Tx, names []string) ([]int64, error) {
	var ids []int64
	for _, name := range names {
		var id int64
		err := tx.QueryRow("select id from users where username_key = ? and deleted_at is null", UsernameKey(name)).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("account: look up @%s: %w", name, err)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// eraseUser empties a deleted member's row inside tx. The row stays because kept posts
// still point at it; the username key becomes one no one can register ('#' is not allowed
// in names), which frees the name itself, and the password hash can match no password.
func (s *Store) eraseUser(tx *storage.Tx, userID int64, now time.Time) error {
	_, err := tx.Exec(`update users set username = ?, username_key = ?, display_name = '', email = null,
		email_verified = 0, password_hash = '!', role = 'member', deleted_at = ? where id = ?`,
		FormerMember, fmt.Sprintf("#deleted-%d", userID), now.Unix(), userID)
	if err != nil {
		return fmt.Errorf("account: delete member %d: %w", userID, err)
	}
	return nil
}

func hashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// insertSession stores the hash of a new session token.
func (s *Store) insertSession(tx *storage.Tx, token string, userID int64, now, expires time.Time) error {
	_, err := tx.Exec("insert into sessions(token_hash, user_id, created_at, expires_at) values (?, ?, ?, ?)",
		hashToken(token), userID, now.Unix(), expires.Unix())
	if err != nil {
		return fmt.Errorf("account: insert session: %w", err)
	}
	return nil
}

// sessionUser returns the member whose unexpired session token this is.
func (s *Store) sessionUser(ctx context.Context, token string, now time.Time) (*User, error) {
	u, err := scanUser(s.db.QueryRow(ctx, `select u.id, u.username, u.display_name, coalesce(u.email, ''),
		u.email_verified, u.role, u.created_at from sessions s join users u on u.id = s.user_id
		where s.token_hash = ? and s.expires_at > ? and u.deleted_at is null`, hashToken(token), now.Unix()))
	if err != nil {
		return nil, fmt.Errorf("account: session: %w", err)
	}
	return u, nil
}

// sessionsOf lists a member's live sessions (when each began and ends; never the token).
func (s *Store) sessionsOf(ctx context.Context, userID int64) ([]exportedSession, error) {
	rows, err := s.db.Query(ctx,
		"select created_at, expires_at from sessions where user_id = ? order by created_at", userID)
	if err != nil {
		return nil, fmt.Errorf("account: sessions of %d: %w", userID, err)
	}
	defer rows.Close()
	out := []exportedSession{}
	for rows.Next() {
		var a, b int64
		if err := rows.Scan(&a, &b); err != nil {
			return nil, fmt.Errorf("account: sessions of %d: %w", userID, err)
		}
		out = append(out, exportedSession{Started: time.Unix(a, 0).UTC(), Expires: time.Unix(b, 0).UTC()})
	}
	return out, rows.Err()
}

// deleteSession ends the session with this token inside tx and returns whose it was (0
// for none).
func (s *Store) deleteSession(tx *storage.Tx, token string) (int64, error) {
	var userID int64
	err := tx.QueryRow("select user_id from sessions where token_hash = ?", hashToken(token)).Scan(&userID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("account: end session: %w", err)
	}
	if _, err := tx.Exec("delete from sessions where token_hash = ?", hashToken(token)); err != nil {
		return 0, fmt.Errorf("account: end session: %w", err)
	}
	return userID, nil
}

// DeleteSessionsOf ends every session of a member, inside tx.
func DeleteSessionsOf(tx *storage.Tx, userID int64) error {
	if _, err := tx.Exec("delete from sessions where user_id = ?", userID); err != nil {
		return fmt.Errorf("account: end sessions of %d: %w", userID, err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions past their expiry (P3: keep nothing longer than needed).
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) error {
	return s.db.Write(ctx, func(tx *storage.Tx) error {
		if _, err := tx.Exec("delete from sessions where expires_at <= ?", now.Unix()); err != nil {
			return fmt.Errorf("account: delete expired sessions: %w", err)
		}
		return nil
	})
}
