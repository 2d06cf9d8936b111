package forum

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"stoa/storage"
)

// watchState reports whether a member watches a thread, and whether they ever chose
// (a thread's author watches it until they choose otherwise).
func (s *Store) watchState(ctx context.Context, userID, threadID int64) (watching, chose bool, err error) {
	return watchStateOf(s.db.QueryRow(ctx, watchStateQuery, userID, threadID), userID, threadID)
}

// watchStateInTx is watchState inside a write.
func (s *Store) watchStateInTx(tx *storage.Tx, userID, threadID int64) (watching, chose bool, err error) {
	return watchStateOf(tx.QueryRow(watchStateQuery, userID, threadID), userID, threadID)
}

const watchStateQuery = "select watching from thread_watches where user_id = ? and thread_id = ?"

func watchStateOf(row *sql.Row, userID, threadID int64) (watching, chose bool, err error) {
	err = row.Scan(&watching)
	if errors.Is(err, sql.ErrNoRows) {
		return false, false, nil
	}
	if err != nil {
		return false, false, fmt.Errorf("forum: watch state of %d in %d: %w", userID, threadID, err)
	}
	return watching, true, nil
}

// watchers lists, inside tx, the members watching a thread, in id order.
func (s *Store) watchers(tx *storage.Tx, threadID int64) ([]int64, error) {
	rows, err := tx.Query("select user_id from thread_watches where thread_id = ? and watching = 1 order by user_id", threadID)
	if err != nil {
		return nil, fmt.Errorf("forum: watchers of %d: %w", threadID, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("forum: watchers of %d: %w", threadID, err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// setWatch records whether a member watches a thread.
func (s *Store) setWatch(tx *storage.Tx, userID, threadID int64, on bool) error {
	_, err := tx.Exec(`insert into thread_watches(user_id, thread_id, watching) values (?, ?, ?)
		on conflict(user_id, thread_id) do update set watching = excluded.watching`, userID, threadID, on)
	if err != nil {
		return fmt.Errorf("forum: watch %d by %d: %w", threadID, userID, err)
	}
	return nil
}
