package privacy

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"stoa/storage"
)

// contactPrefs returns a member's preferences, and false when they never chose.
func (s store) contactPrefs(ctx context.Context, userID int64) (Prefs, bool, error) {
	var out Prefs
	var at int64
	err := s.db.QueryRow(ctx, "select announcements, updated_at from contact_preferences where user_id = ?", userID).
		Scan(&out.Announcements, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return Prefs{}, false, nil
	}
	if err != nil {
		return Prefs{}, false, fmt.Errorf("privacy: preferences of %d: %w", userID, err)
	}
	out.UpdatedAt = time.Unix(at, 0).UTC()
	return out, true, nil
}

// setContactPrefs records a member's choice; token becomes their unsubscribe token the
// first time they choose, and stays theirs after.
func (s store) setContactPrefs(ctx context.Context, userID int64, announcements bool, token string, now time.Time) error {
	return s.db.Write(ctx, func(tx *storage.Tx) error {
		_, err := tx.Exec(`insert into contact_preferences(user_id, announcements, unsubscribe_token, updated_at) values (?, ?, ?, ?)
			on conflict(user_id) do update set announcements = excluded.announcements, updated_at = excluded.updated_at`,
			userID, flag(announcements), token, now.Unix())
		if err != nil {
			return fmt.Errorf("privacy: save preferences of %d: %w", userID, err)
		}
		return nil
	})
}

// unsubscribeTokenExists reports whether token belongs to a member.
func (s store) unsubscribeTokenExists(ctx context.Context, token string) (bool, error) {
	var n int
	err := s.db.QueryRow(ctx, "select count(*) from contact_preferences where unsubscribe_token = ?", token).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("privacy: check unsubscribe link: %w", err)
	}
	return n > 0, nil
}

// unsubscribe turns announcements off for the member whose token this is and reports
// whether it matched anyone.
func (s store) unsubscribe(ctx context.Context, token string, now time.Time) (bool, error) {
	var matched bool
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		res, err := tx.Exec("update contact_preferences set announcements = 0, updated_at = ? where unsubscribe_token = ?", now.Unix(), token)
		if err != nil {
			return fmt.Errorf("privacy: unsubscribe: %w", err)
		}
		n, _ := res.RowsAffected()
		matched = n > 0
		return nil
	})
	return matched, err
}

// optedIn maps every member who opted in to announcements to their unsubscribe token.
func (s store) optedIn(ctx context.Context) (map[int64]string, error) {
	rows, err := s.db.Query(ctx, "select user_id, unsubscribe_token from contact_preferences where announcements = 1")
	if err != nil {
		return nil, fmt.Errorf("privacy: opted-in members: %w", err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var tok string
		if err := rows.Scan(&id, &tok); err != nil {
			return nil, fmt.Errorf("privacy: opted-in members: %w", err)
		}
		out[id] = tok
	}
	return out, rows.Err()
}

// insertAnnouncement records, inside tx, an announcement sent to recipients members.
func (s store) insertAnnouncement(tx *storage.Tx, subject, body string, adminID int64, recipients int, now time.Time) error {
	_, err := tx.Exec("insert into announcements(subject, body, sent_by, recipients, created_at) values (?, ?, ?, ?, ?)",
		subject, body, adminID, recipients, now.Unix())
	if err != nil {
		return fmt.Errorf("privacy: record announcement: %w", err)
	}
	return nil
}

// announcements lists what was sent, newest first.
func (s store) announcements(ctx context.Context, limit int) ([]Announcement, error) {
	rows, err := s.db.Query(ctx,
		"select id, subject, body, recipients, created_at from announcements order by id desc limit ?", limit)
	if err != nil {
		return nil, fmt.Errorf("privacy: list announcements: %w", err)
	}
	defer rows.Close()
	var out []Announcement
	for rows.Next() {
		var a Announcement
		var at int64
		if err := rows.Scan(&a.ID, &a.Subject, &a.Body, &a.Recipients, &at); err != nil {
			return nil, fmt.Errorf("privacy: list announcements: %w", err)
		}
		a.CreatedAt = time.Unix(at, 0).UTC()
		out = append(out, a)
	}
	return out, rows.Err()
}
