package forum

import (
	"context"
	"fmt"
	"stoa/storage"
	"time"
)

// exportedReaction is one reaction in a member's data export.
type exportedReaction struct {
	Post      string    `json:"post"`
	Reaction  string    `json:"reaction"`
	CreatedAt time.Time `json:"created_at"`
}

// exportedWatch is a thread a member watches or stopped watching.
type exportedWatch struct {
	Thread   string `json:"thread"`
	Watching bool   `json:"watching"`
}

// ExportUser puts the member's reactions and watched threads into their export (P15).
// Reading positions are left out: they say nothing the member wrote or chose.
func (e *Extras) ExportUser(ctx context.Context, userID int64, put func(name string, v any) error) error {
	reactions := []exportedReaction{}
	rows, err := e.svc.db.Query(ctx, "select post_id, kind, created_at from post_reactions where user_id = ? order by created_at", userID)
	if err != nil {
		return fmt.Errorf("forum: export reactions of %d: %w", userID, err)
	}
	for rows.Next() {
		var post, at int64
		var kind string
		if err := rows.Scan(&post, &kind, &at); err != nil {
			rows.Close()
			return fmt.Errorf("forum: export reactions of %d: %w", userID, err)
		}
		reactions = append(reactions, exportedReaction{Post: fmt.Sprintf("%s/p/%d", e.baseURL, post), Reaction: kind, CreatedAt: time.Unix(at, 0).UTC()})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if err := put("reactions.json", reactions); err != nil {
		return err
	}
	watches := []exportedWatch{}
	rows, err = e.svc.db.Query(ctx, "select thread_id, watching from thread_watches where user_id = ? order by thread_id", userID)
	if err != nil {
		return fmt.Errorf("forum: export watches of %d: %w", userID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var thread int64
		var w exportedWatch
		if err := rows.Scan(&thread, &w.Watching); err != nil {
			return fmt.Errorf("forum: export watches of %d: %w", userID, err)
		}
		w.Thread = fmt.Sprintf("%s/t/%d", e.baseURL, thread)
		watches = append(watches, w)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return put("watched_threads.json", watches)
}

// EraseUser removes the member's reactions, watches and reading positions. Reactions go
// even when their posts are kept: a count with nobody behind it would mislead.
func (e *Extras) EraseUser(tx *storage.Tx, userID int64, erase bool) error {
	for _, table := range []string{"post_reactions", "thread_watches", "thread_reads", "forum_read_marks"} {
		if _, err := tx.Exec("delete from "+table+" where user_id = ?", userID); err != nil {
			return fmt.Errorf("forum: erase %s of %d: %w", table, userID, err)
		}
	}
	return nil
}
