package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"stoa/storage"
)

// notifyTarget is what Notify needs to know of the member to notify: the address to email
// ("" unless confirmed) and how they want this kind of notification.
type notifyTarget struct {
	email    string
	delivery Delivery
}

// notifyTargets returns, inside tx, how to reach each active member of ids about kind;
// members no longer active are left out.
func (s *Store) notifyTargets(tx *storage.Tx, ids []int64, kind string) (map[int64]notifyTarget, error) {
	targets := make(map[int64]notifyTarget, len(ids))
	if len(ids) == 0 {
		return targets, nil
	}
	args := make([]any, 0, len(ids)+1)
	args = append(args, kind)
	for _, id := range ids {
		args = append(args, id)
	}
	// Only a confirmed address is mailed: an unconfirmed one may be someone else's.
	rows, err := tx.Query(`select u.id, case when u.email_verified = 1 then coalesce(u.email, '') else '' end,
		coalesce(p.delivery, 'app') from users u
		left join notification_prefs p on p.user_id = u.id and p.kind = ?
		where u.deleted_at is null and u.id in (?`+strings.Repeat(", ?", len(ids)-1)+")", args...)
	if err != nil {
		return nil, fmt.Errorf("account: notification preferences: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var t notifyTarget
		var delivery string
		if err := rows.Scan(&id, &t.email, &delivery); err != nil {
			return nil, fmt.Errorf("account: notification preferences: %w", err)
		}
		t.delivery = Delivery(delivery)
		targets[id] = t
	}
	return targets, rows.Err()
}

// insertNotifications records x for each member of userIDs inside tx, in one statement,
// and returns the new notifications' ids by member; a member who already has a
// notification with x.Key is left out.
func (s *Store) insertNotifications(tx *storage.Tx, userIDs []int64, x Notification, now time.Time) (map[int64]int64, error) {
	inserted := make(map[int64]int64, len(userIDs))
	if len(userIDs) == 0 {
		return inserted, nil
	}
	var actor any
	if x.ActorID != 0 {
		actor = x.ActorID
	}
	args := make([]any, 0, 7*len(userIDs))
	for _, id := range userIDs {
		args = append(args, id, x.Kind, actor, x.Subject, x.URL, x.Key, now.Unix())
	}
	rows, err := tx.Query(`insert into notifications(user_id, kind, actor_id, subject, url, source_key, created_at)
		values (?, ?, ?, ?, ?, ?, ?)`+strings.Repeat(", (?, ?, ?, ?, ?, ?, ?)", len(userIDs)-1)+`
		on conflict(user_id, source_key) do nothing returning id, user_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("account: notify of %s: %w", x.Key, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, user int64
		if err := rows.Scan(&id, &user); err != nil {
			return nil, fmt.Errorf("account: notify of %s: %w", x.Key, err)
		}
		inserted[user] = id
	}
	return inserted, rows.Err()
}

// activeUsername returns, inside tx, an active member's username, or "" for an erased one.
func (s *Store) activeUsername(tx *storage.Tx, userID int64) (string, error) {
	var name string
	err := tx.QueryRow("select username from users where id = ? and deleted_at is null", userID).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("account: load member %d: %w", userID, err)
	}
	return name, nil
}

// deleteNotificationsOf removes, inside tx, every notification caused by key.
func (s *Store) deleteNotificationsOf(tx *storage.Tx, key string) error {
	if _, err := tx.Exec("delete from notifications where source_key = ?", key); err != nil {
		return fmt.Errorf("account: retract notifications of %s: %w", key, err)
	}
	return nil
}

const notificationQuery = `select n.id, n.kind, coalesce(u.username, ''), n.subject, n.url, n.created_at,
	case when n.read_at is null then 0 else 1 end
	from notifications n left join users u on u.id = n.actor_id and u.deleted_at is null
	where n.user_id = ? order by n.id desc`

// notifications returns one page of a member's notifications, newest first (a negative
// limit for all of them), and how many they have in all.
func (s *Store) notifications(ctx context.Context, userID int64, limit, offset int) ([]NotificationItem, int, error) {
	var total int
	if err := s.db.QueryRow(ctx, "select count(*) from notifications where user_id = ?", userID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("account: count notifications of %d: %w", userID, err)
	}
	query, args := notificationQuery+" limit ? offset ?", []any{userID, limit, offset}
	if limit < 0 {
		query, args = notificationQuery, []any{userID}
	}
	rows, err := s.db.Query(ctx, query, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("account: notifications of %d: %w", userID, err)
	}
	defer rows.Close()
	var out []NotificationItem
	for rows.Next() {
		var i NotificationItem
		var at int64
		if err := rows.Scan(&i.ID, &i.Kind, &i.Actor, &i.Subject, &i.URL, &at, &i.Read); err != nil {
			return nil, 0, fmt.Errorf("account: notifications of %d: %w", userID, err)
		}
		i.CreatedAt = time.Unix(at, 0).UTC()
		out = append(out, i)
	}
	return out, total, rows.Err()
}

func (s *Store) unreadNotifications(ctx context.Context, userID int64) (int, error) {
	var c int
	err := s.db.QueryRow(ctx, "select count(*) from notifications where user_id = ? and read_at is null", userID).Scan(&c)
	if err != nil {
		return 0, fmt.Errorf("account: count unread notifications of %d: %w", userID, err)
	}
	return c, nil
}

// notificationURL returns where one of the member's notifications points;
// storage.ErrNotFound when it is not theirs.
func (s *Store) notificationURL(ctx context.Context, userID, id int64) (string, error) {
	var url string
	err := s.db.QueryRow(ctx, "select url from notifications where id = ? and user_id = ?", id, userID).Scan(&url)
	if errors.Is(err, sql.ErrNoRows) {
		return "", storage.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("account: load notification %d: %w", id, err)
	}
	return url, nil
}

func (s *Store) markNotificationRead(ctx context.Context, id int64, now time.Time) error {
	return s.db.Write(ctx, func(tx *storage.Tx) error {
		if _, err := tx.Exec("update notifications set read_at = ? where id = ? and read_at is null", now.Unix(), id); err != nil {
			return fmt.Errorf("account: mark notification %d read: %w", id, err)
		}
		return nil
	})
}

func (s *Store) markAllNotificationsRead(ctx context.Context, userID int64, now time.Time) error {
	return s.db.Write(ctx, func(tx *storage.Tx) error {
		_, err := tx.Exec("update notifications set read_at = ? where user_id = ? and read_at is null", now.Unix(), userID)
		if err != nil {
			return fmt.Errorf("account: mark notifications of %d read: %w", userID, err)
		}
		return nil
	})
}

// unreadKeys returns which of keys have an unread notification for the member.
func (s *Store) unreadKeys(ctx context.Context, userID int64, keys []string) ([]string, error) {
	args := []any{userID}
	for _, k := range keys {
		args = append(args, k)
	}
	rows, err := s.db.Query(ctx, "select source_key from notifications where user_id = ? and read_at is null and source_key in (?"+
		strings.Repeat(", ?", len(keys)-1)+")", args...)
	if err != nil {
		return nil, fmt.Errorf("account: unread notifications of %d: %w", userID, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, fmt.Errorf("account: unread notifications of %d: %w", userID, err)
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

func (s *Store) markKeysRead(tx *storage.Tx, userID int64, keys []string, now time.Time) error {
	for _, k := range keys {
		if _, err := tx.Exec("update notifications set read_at = ? where user_id = ? and source_key = ? and read_at is null",
			now.Unix(), userID, k); err != nil {
			return fmt.Errorf("account: mark %s read for %d: %w", k, userID, err)
		}
	}
	return nil
}

// notificationPrefs returns the deliveries a member chose, by kind; kinds they never
// chose are missing.
func (s *Store) notificationPrefs(ctx context.Context, userID int64) (map[string]Delivery, error) {
	rows, err := s.db.Query(ctx, "select kind, delivery from notification_prefs where user_id = ?", userID)
	if err != nil {
		return nil, fmt.Errorf("account: notification preferences of %d: %w", userID, err)
	}
	defer rows.Close()
	out := map[string]Delivery{}
	for rows.Next() {
		var kind, d string
		if err := rows.Scan(&kind, &d); err != nil {
			return nil, fmt.Errorf("account: notification preferences of %d: %w", userID, err)
		}
		out[kind] = Delivery(d)
	}
	return out, rows.Err()
}

func (s *Store) setNotificationPrefs(ctx context.Context, userID int64, prefs map[string]Delivery) error {
	return s.db.Write(ctx, func(tx *storage.Tx) error {
		for kind, d := range prefs {
			_, err := tx.Exec(`insert into notification_prefs(user_id, kind, delivery) values (?, ?, ?)
				on conflict(user_id, kind) do update set delivery = excluded.delivery`, userID, kind, string(d))
			if err != nil {
				return fmt.Errorf("account: save notification preference of %d: %w", userID, err)
			}
		}
		return nil
	})
}

// eraseNotifications deletes, inside tx, a member's notifications and settings, and
// removes their name from notifications they caused for others, or with erase those
// notifications themselves.
func (s *Store) eraseNotifications(tx *storage.Tx, userID int64, erase bool) error {
	caused := "update notifications set actor_id = null where actor_id = ?"
	if erase {
		caused = "delete from notifications where actor_id = ?"
	}
	for _, q := range []string{
		"delete from notifications where user_id = ?",
		"delete from notification_prefs where user_id = ?",
		caused,
	} {
		if _, err := tx.Exec(q, userID); err != nil {
			return fmt.Errorf("account: erase notifications of %d: %w", userID, err)
		}
	}
	return nil
}
