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
	err = s.db.QueryRow(ctx, "select watching from thread_watches where user_id = ? and thread_id = ?", userID, threadID).Scan(&watching)
	if errors.Is(err, sql.ErrNoRows) {
		return false, false, nil
	}
	if err != nil {
		return false, false, fmt.Errorf("forum: watch state of %d in %d: %w", userID, threadID, err)
	}
	return watching, true, nil
}

// replyAudience returns, inside tx, who hears of a reply to a thread besides the members
// it mentions: whether its author does as its author (until they stop watching it), and
// the members who watch it, in id order. An author who chose to watch is in both: one
// notification kind may be turned off when the other is not.
func (s *Store) replyAudience(tx *storage.Tx, threadID, authorID int64) (author bool, watchers []int64, err error) {
	rows, err := tx.Query(`select user_id, watching from thread_watches where thread_id = ? and watching = 1
		union all select user_id, watching from thread_watches where user_id = ? and thread_id = ? and watching = 0
		order by user_id`, threadID, authorID, threadID)
	if err != nil {
		return false, nil, fmt.Errorf("forum: watchers of %d: %w", threadID, err)
	}
	defer rows.Close()
	author = true
	for rows.Next() {
		var id int64
		var watching bool
		if err := rows.Scan(&id, &watching); err != nil {
			return false, nil, fmt.Errorf("forum: watchers of %d: %w", threadID, err)
		}
		if id == authorID {
			author = watching
		}
		if watching {
			watchers = append(watchers, id)
		}
	}
	return author, watchers, rows.Err()
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

// watchUnlessChosen makes a member watch a thread inside tx, unless they already chose
// whether to watch it.
func (s *Store) watchUnlessChosen(tx *storage.Tx, userID, threadID int64) error {
	_, err := tx.Exec(`insert into thread_watches(user_id, thread_id, watching) values (?, ?, 1)
		on conflict(user_id, thread_id) do nothing`, userID, threadID)
	if err != nil {
		return fmt.Errorf("forum: auto-watch %d by %d: %w", threadID, userID, err)
	}
	return nil
}
