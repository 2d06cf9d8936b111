package account

import (
	"context"
	"fmt"
	"time"

	"stoa/storage"
)

// Preferences returns how a member receives each kind of notification, defaults filled in.
func (n *Notifier) Preferences(ctx context.Context, userID int64) (map[string]Delivery, error) {
	chosen, err := n.store.notificationPrefs(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := map[string]Delivery{}
	for _, k := range NotificationKinds() {
		out[k.Kind] = DeliveryApp
		if d, ok := chosen[k.Kind]; ok {
			out[k.Kind] = d
		}
	}
	return out, nil
}

// SetPreferences stores how a member wants each kind of notification. Kinds left out keep
// their setting; unknown kinds and deliveries are refused.
func (n *Notifier) SetPreferences(ctx context.Context, userID int64, prefs map[string]Delivery) error {
	for kind, d := range prefs {
		if !knownKind(kind) || (d != DeliveryOff && d != DeliveryApp && d != DeliveryEmail) {
			return fmt.Errorf("account: no notification setting %q = %q", kind, d)
		}
	}
	return n.store.setNotificationPrefs(ctx, userID, prefs)
}

// exportedNotification is one notification in a member's data export.
type exportedNotification struct {
	Text      string    `json:"text"`
	URL       string    `json:"url"`
	CreatedAt time.Time `json:"created_at"`
	Read      bool      `json:"read"`
}

// ExportUser puts the member's notifications, notification settings and other settings
// into their export (P15).
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
	if err := put("notification_settings.json", prefs); err != nil {
		return err
	}
	settings, err := n.Settings(ctx, userID)
	if err != nil {
		return err
	}
	return put("settings.json", struct {
		WatchThreadsIReplyTo bool `json:"watch_threads_i_reply_to"`
	}{settings.AutoWatch})
}

// EraseUser deletes the member's notifications and settings (auto-watch too).
// Notifications they caused for others lose their name when their content is kept, and go
// with it when it is erased: they would lead to posts and messages that are no longer there.
func (n *Notifier) EraseUser(tx *storage.Tx, userID int64, erase bool) error {
	if err := n.store.deleteMemberSettings(tx, userID); err != nil {
		return err
	}
	return n.store.eraseNotifications(tx, userID, erase)
}
