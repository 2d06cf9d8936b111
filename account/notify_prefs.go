package account

import (
	"context"
	"fmt"
	"stoa/storage"
	"time"
)

// Preferences returns how a member receives each kind of notification, defaults filled in.
func (n *Notifier) Preferences(ctx context.Context, userID int64) (map[string]Delivery, error) {
	out := map[string]Delivery{}
	for _, k := range NotificationKinds() {
		out[k.Kind] = DeliveryApp
	}
	rows, err := n.db.Query(ctx, "select kind, delivery from notification_prefs where user_id = ?", userID)
	if err != nil {
		return nil, fmt.Errorf("account: notification preferences of %d: %w", userID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind, d string
		if err := rows.Scan(&kind, &d); err != nil {
			return nil, fmt.Errorf("account: notification preferences of %d: %w", userID, err)
		}
		if knownKind(kind) {
			out[kind] = Delivery(d)
		}
	}
	return out, rows.Err()
}

// SetPreferences stores how a member wants each kind of notification. Kinds left out keep
// their setting; unknown kinds and deliveries are refused.
func (n *Notifier) SetPreferences(ctx context.Context, userID int64, prefs map[string]Delivery) error {
	for kind, d := range prefs {
		if !knownKind(kind) || (d != DeliveryOff && d != DeliveryApp && d != DeliveryEmail) {
			return fmt.Errorf("account: no notification setting %q = %q", kind, d)
		}
	}
	return n.db.Write(ctx, func(tx *storage.Tx) error {
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

// exportedNotification is one notification in a member's data export.
type exportedNotification struct {
	Text      string    `json:"text"`
	URL       string    `json:"url"`
	CreatedAt time.Time `json:"created_at"`
	Read      bool      `json:"read"`
}

// ExportUser puts the member's notifications and notification settings into their export
// (P15).
func (n *Notifier) ExportUser(ctx context.Context, userID int64, put func(name string, v any) error) error {
	items, _, err := n.Notifications(ctx, userID, -1, 0)
	if err != nil {
		return err
	}
	out := make([]exportedNotification, 0, len(items))
	for _, i := range items {
		out = append(out, exportedNotification{Text: i.Text(), URL: n.baseURL + i.URL, CreatedAt: i.CreatedAt, Read: i.Read})
	}
	if err := put("notifications.json", out); err != nil {
		return err
	}
	prefs, err := n.Preferences(ctx, userID)
	if err != nil {
		return err
	}
	return put("notification_settings.json", prefs)
}

// EraseUser deletes the member's notifications and settings, and removes their name from
// notifications they caused for others, whether their content is erased or kept.
func (n *Notifier) EraseUser(tx *storage.Tx, userID int64, erase bool) error {
	for _, q := range []string{
		"delete from notifications where user_id = ?",
		"delete from notification_prefs where user_id = ?",
		"update notifications set actor_id = null where actor_id = ?",
	} {
		if _, err := tx.Exec(q, userID); err != nil {
			return fmt.Errorf("account: erase notifications of %d: %w", userID, err)
		}
	}
	return nil
}
