package watchwords

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"stoa/storage"
)

// Store is the watched words' SQL.
type Store struct{ db *storage.DB }

// NewStore returns a Store on db.
func NewStore(db *storage.DB) *Store { return &Store{db: db} }

const entryQuery = `select w.id, w.pattern, w.is_regex, w.action, w.replacement, w.created_at, coalesce(u.username, '')
	from watched_words w left join users u on u.id = w.created_by order by w.id`

func scanEntries(rows *sql.Rows, err error) ([]Entry, error) {
	if err != nil {
		return nil, fmt.Errorf("watchwords: list: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var created int64
		if err := rows.Scan(&e.ID, &e.Pattern, &e.Regex, &e.Action, &e.Replacement, &created, &e.CreatedBy); err != nil {
			return nil, fmt.Errorf("watchwords: list: %w", err)
		}
		e.CreatedAt = time.Unix(created, 0).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// entries lists every entry, oldest first.
func (s *Store) entries(ctx context.Context) ([]Entry, error) {
	return scanEntries(s.db.Query(ctx, entryQuery))
}

// entriesTx lists every entry as tx sees them.
func (s *Store) entriesTx(tx *storage.Tx) ([]Entry, error) {
	return scanEntries(tx.Query(entryQuery))
}

func (s *Store) insert(tx *storage.Tx, in Input, by int64, at time.Time) error {
	_, err := tx.Exec(`insert into watched_words(pattern, is_regex, action, replacement, created_at, created_by)
		values (?, ?, ?, ?, ?, ?)`, in.Pattern, in.Regex, string(in.Action), in.Replacement, at.Unix(), by)
	if err != nil {
		return fmt.Errorf("watchwords: add: %w", err)
	}
	return nil
}

// remove deletes entry id and returns it, or storage.ErrNotFound.
func (s *Store) remove(tx *storage.Tx, id int64) (Entry, error) {
	var e Entry
	err := tx.QueryRow("select pattern, action from watched_words where id = ?", id).Scan(&e.Pattern, &e.Action)
	if errors.Is(err, sql.ErrNoRows) {
		return e, storage.ErrNotFound
	}
	if err != nil {
		return e, fmt.Errorf("watchwords: remove %d: %w", id, err)
	}
	if _, err := tx.Exec("delete from watched_words where id = ?", id); err != nil {
		return e, fmt.Errorf("watchwords: remove %d: %w", id, err)
	}
	return e, nil
}
