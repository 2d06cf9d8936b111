package forum

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"stoa/storage"
)

// markRead records that a member has read a thread up to post number n; the position
// only ever moves forward.
func (s *Store) markRead(tx *storage.Tx, userID, threadID int64, n int) error {
	_, err := tx.Exec(`insert into thread_reads(user_id, thread_id, last_number) values (?, ?, ?)
		on conflict(user_id, thread_id) do update set last_number = case
			when excluded.last_number > thread_reads.last_number then excluded.last_number else thread_reads.last_number end`, userID, threadID, n)
	if err != nil {
		return fmt.Errorf("forum: record reading of thread %d by %d: %w", threadID, userID, err)
	}
	return nil
}

// readPosition is the number of the last post of a thread the member has read, 0 for
// none.
func (s *Store) readPosition(ctx context.Context, userID, threadID int64) (int, error) {
	var read int
	err := s.db.QueryRow(ctx, "select last_number from thread_reads where user_id = ? and thread_id = ?", userID, threadID).Scan(&read)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("forum: reading position of %d in %d: %w", userID, threadID, err)
	}
	return read, nil
}

// allReadAt is when the member last marked everything read, the zero time if never.
func (s *Store) allReadAt(ctx context.Context, userID int64) (time.Time, error) {
	var at int64
	err := s.db.QueryRow(ctx, "select all_read_at from forum_read_marks where user_id = ?", userID).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("forum: read mark of %d: %w", userID, err)
	}
	return time.Unix(at, 0).UTC(), nil
}

// markAllRead makes every thread count as read for the member as of at.
func (s *Store) markAllRead(tx *storage.Tx, userID int64, at time.Time) error {
	_, err := tx.Exec(`insert into forum_read_marks(user_id, all_read_at) values (?, ?)
		on conflict(user_id) do update set all_read_at = excluded.all_read_at`, userID, at.Unix())
	if err != nil {
		return fmt.Errorf("forum: mark all read for %d: %w", userID, err)
	}
	return nil
}

// firstUnread maps each of the threads that has a visible post the member has not read,
// written after cutoff, to the first such post.
func (s *Store) firstUnread(ctx context.Context, userID int64, cutoff time.Time, threadIDs []int64) (map[int64]int64, error) {
	out := map[int64]int64{}
	if len(threadIDs) == 0 {
		return out, nil
	}
	args := []any{cutoff.Unix(), userID}
	for _, id := range threadIDs {
		args = append(args, id)
	}
	rows, err := s.db.Query(ctx, `select t.id, (select p.id from posts p
			where p.thread_id = t.id and p.number > coalesce(r.last_number, 0) and p.created_at > ?
			and p.deleted_at is null and p.hidden_at is null order by p.number limit 1)
		from threads t left join thread_reads r on r.thread_id = t.id and r.user_id = ?
		where t.id in (?`+strings.Repeat(", ?", len(threadIDs)-1)+")", args...)
	if err != nil {
		return nil, fmt.Errorf("forum: unread threads of %d: %w", userID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var thread int64
		var post sql.NullInt64
		if err := rows.Scan(&thread, &post); err != nil {
			return nil, fmt.Errorf("forum: unread threads of %d: %w", userID, err)
		}
		if post.Valid {
			out[thread] = post.Int64
		}
	}
	return out, rows.Err()
}
