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

// Kinds of notification a member can choose to receive.
const (
	NotifyMention     = "mention"
	NotifyReply       = "reply"
	NotifyWatching    = "watching"
	NotifyChatMention = "chat_mention"
)

// NotificationKind describes one kind of notification on the preferences page.
type NotificationKind struct {
	Kind  string
	Label string
	Hint  string
}

// NotificationKinds lists every kind in the order the preferences page shows them.
func NotificationKinds() []NotificationKind {
	return []NotificationKind{
		{NotifyMention, "Mentions in the forum", "Someone writes @yourname in a post."},
		{NotifyReply, "Replies to your threads", "Someone replies in a thread you started."},
		{NotifyWatching, "Threads you watch", "Someone posts in a thread you chose to watch."},
		{NotifyChatMention, "Mentions in chat", "Someone writes @yourname in a chat room."},
	}
}

func knownKind(kind string) bool {
	for _, k := range NotificationKinds() {
		if k.Kind == kind {
			return true
		}
	}
	return false
}

// Delivery is how a member receives one kind of notification.
type Delivery string

// The deliveries a member can choose; DeliveryApp is the default, so nobody is emailed
// unless they asked to be (P16).
const (
	DeliveryOff   Delivery = "off"
	DeliveryApp   Delivery = "app"
	DeliveryEmail Delivery = "email"
)

// Notification is something a member should hear about.
type Notification struct {
	UserID  int64  // who is notified
	Kind    string // one of the Notify* kinds
	ActorID int64  // who caused it; nobody is notified of their own action
	Subject string // the thread title or room name
	URL     string // where it happened: a path on this site
	Key     string // what caused it, e.g. "post:12": one notification per member and key
}

// MailFunc queues an email to member userID at address to, inside tx; the mail outbox
// provides it.
type MailFunc func(tx *storage.Tx, userID int64, to, subject, text string) error

// Notifier records notifications and queues the emails members asked for. Forum and chat
// both create notifications, so it lives here, below them.
type Notifier struct {
	db      *storage.DB
	baseURL string
	mail    MailFunc
	now     func() time.Time
}

// NewNotifier returns a Notifier on db; baseURL makes the links in emails absolute.
func NewNotifier(db *storage.DB, baseURL string) *Notifier {
	return &Notifier{db: db, baseURL: strings.TrimRight(baseURL, "/"), now: time.Now}
}

// SetMailer installs the outbox that notification emails go through; without one,
// notifications are only shown in Stoa.
func (n *Notifier) SetMailer(fn MailFunc) { n.mail = fn }

// Notify records x inside tx unless the member turned its kind off, already has a
// notification with x.Key, is no longer a member, or caused it themselves. It reports
// whether a notification was recorded, and queues an email when the member chose one.
func (n *Notifier) Notify(tx *storage.Tx, x Notification) (bool, error) {
	if x.UserID == 0 || x.UserID == x.ActorID || x.Key == "" {
		return false, nil
	}
	var email, delivery string
	// Only a confirmed address is mailed: an unconfirmed one may be someone else's.
	err := tx.QueryRow(`select case when u.email_verified = 1 then coalesce(u.email, '') else '' end,
		coalesce(p.delivery, 'app') from users u
		left join notification_prefs p on p.user_id = u.id and p.kind = ?
		where u.id = ? and u.deleted_at is null`, x.Kind, x.UserID).Scan(&email, &delivery)
	if errors.Is(err, sql.ErrNoRows) || err == nil && Delivery(delivery) == DeliveryOff {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("account: notification preference of %d: %w", x.UserID, err)
	}
	var actor any
	if x.ActorID != 0 {
		actor = x.ActorID
	}
	res, err := tx.Exec(`insert into notifications(user_id, kind, actor_id, subject, url, source_key, created_at)
		values (?, ?, ?, ?, ?, ?, ?) on conflict(user_id, source_key) do nothing`,
		x.UserID, x.Kind, actor, x.Subject, x.URL, x.Key, n.now().Unix())
	if err != nil {
		return false, fmt.Errorf("account: notify %d of %s: %w", x.UserID, x.Key, err)
	}
	if added, _ := res.RowsAffected(); added == 0 {
		return false, nil
	}
	if Delivery(delivery) != DeliveryEmail || email == "" || n.mail == nil {
		return true, nil
	}
	id, err := res.LastInsertId()
	if err != nil {
		return false, err
	}
	return true, n.email(tx, id, email, x)
}

func (n *Notifier) email(tx *storage.Tx, id int64, to string, x Notification) error {
	var actor string
	if x.ActorID != 0 {
		tx.QueryRow("select username from users where id = ? and deleted_at is null", x.ActorID).Scan(&actor)
	}
	what := Describe(x.Kind, actor, x.Subject)
	text := fmt.Sprintf("%s.\n\nRead it here: %s/notifications/%d\n\n"+
		"You get this email because you asked for email about this kind of notification.\n"+
		"Choose what you are emailed about at %s/me/notifications\n", what, n.baseURL, id, n.baseURL)
	if err := n.mail(tx, x.UserID, to, what, text); err != nil {
		return fmt.Errorf("account: queue notification email: %w", err)
	}
	return nil
}

// Describe is the sentence that tells a member what happened; actor "" is an erased
// account.
func Describe(kind, actor, subject string) string {
	if actor == "" {
		actor = "A former member"
	}
	switch kind {
	case NotifyMention:
		return fmt.Sprintf("%s mentioned you in “%s”", actor, subject)
	case NotifyReply:
		return fmt.Sprintf("%s replied to your thread “%s”", actor, subject)
	case NotifyWatching:
		return fmt.Sprintf("%s posted in “%s”, which you watch", actor, subject)
	case NotifyChatMention:
		return fmt.Sprintf("%s mentioned you in the chat room %s", actor, subject)
	}
	return fmt.Sprintf("%s: %s", actor, subject)
}

// MaxMentionNotices caps how many members one post or message notifies by mentioning
// them, so that one message cannot ping the whole community.
const MaxMentionNotices = 10

// NotifyMentioned notifies, inside tx, the members named in mentions (usernames, any
// case; unknown names are skipped) of x, which carries everything but the recipient.
func (n *Notifier) NotifyMentioned(tx *storage.Tx, mentions []string, x Notification) error {
	if len(mentions) > MaxMentionNotices {
		mentions = mentions[:MaxMentionNotices]
	}
	ids, err := UserIDsByName(tx, mentions)
	if err != nil {
		return err
	}
	for _, id := range ids {
		x.UserID = id
		if _, err := n.Notify(tx, x); err != nil {
			return err
		}
	}
	return nil
}

// Retract removes, inside tx, every notification caused by key, such as a post that was
// deleted: nobody should be sent to read what is gone.
func (n *Notifier) Retract(tx *storage.Tx, key string) error {
	if _, err := tx.Exec("delete from notifications where source_key = ?", key); err != nil {
		return fmt.Errorf("account: retract notifications of %s: %w", key, err)
	}
	return nil
}

// UserIDsByName returns, inside tx, the ids of the active members with these usernames
// (any case), for turning @mentions into recipients.
func UserIDsByName(tx *storage.Tx, names []string) ([]int64, error) {
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

// NotificationItem is one notification as the member's list shows it.
type NotificationItem struct {
	ID        int64
	Kind      string
	Actor     string // "" when the account was erased
	Subject   string
	URL       string
	CreatedAt time.Time
	Read      bool
}

// Text is the sentence for the list.
func (i NotificationItem) Text() string { return Describe(i.Kind, i.Actor, i.Subject) }

// Notifications returns one page of a member's notifications, newest first, and how many
// they have in all.
func (n *Notifier) Notifications(ctx context.Context, userID int64, limit, offset int) ([]NotificationItem, int, error) {
	var total int
	if err := n.db.QueryRow(ctx, "select count(*) from notifications where user_id = ?", userID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("account: count notifications of %d: %w", userID, err)
	}
	rows, err := n.db.Query(ctx, `select n.id, n.kind, coalesce(u.username, ''), n.subject, n.url, n.created_at, n.read_at is not null
		from notifications n left join users u on u.id = n.actor_id and u.deleted_at is null
		where n.user_id = ? order by n.id desc limit ? offset ?`, userID, limit, offset)
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

// UnreadCount is how many unread notifications a member has, for the badge in the header.
func (n *Notifier) UnreadCount(ctx context.Context, userID int64) (int, error) {
	var c int
	err := n.db.QueryRow(ctx, "select count(*) from notifications where user_id = ? and read_at is null", userID).Scan(&c)
	if err != nil {
		return 0, fmt.Errorf("account: count unread notifications of %d: %w", userID, err)
	}
	return c, nil
}

// Open marks one of the member's notifications read and returns where it points;
// storage.ErrNotFound when it is not theirs.
func (n *Notifier) Open(ctx context.Context, userID, id int64) (string, error) {
	var url string
	err := n.db.QueryRow(ctx, "select url from notifications where id = ? and user_id = ?", id, userID).Scan(&url)
	if errors.Is(err, sql.ErrNoRows) {
		return "", storage.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("account: load notification %d: %w", id, err)
	}
	err = n.db.Write(ctx, func(tx *storage.Tx) error {
		_, err := tx.Exec("update notifications set read_at = ? where id = ? and read_at is null", n.now().Unix(), id)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("account: mark notification %d read: %w", id, err)
	}
	return url, nil
}

// MarkAllRead marks every notification of a member read.
func (n *Notifier) MarkAllRead(ctx context.Context, userID int64) error {
	return n.db.Write(ctx, func(tx *storage.Tx) error {
		_, err := tx.Exec("update notifications set read_at = ? where user_id = ? and read_at is null", n.now().Unix(), userID)
		if err != nil {
			return fmt.Errorf("account: mark notifications of %d read: %w", userID, err)
		}
		return nil
	})
}

// UnreadKeys returns which of keys have an unread notification for the member, so that a
// page showing those things can mark them read without writing when nothing changed.
func (n *Notifier) UnreadKeys(ctx context.Context, userID int64, keys []string) ([]string, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	args := []any{userID}
	for _, k := range keys {
		args = append(args, k)
	}
	rows, err := n.db.Query(ctx, "select source_key from notifications where user_id = ? and read_at is null and source_key in (?"+
		strings.Repeat(", ?", len(keys)-1)+")", args...)
	if err != nil {
		return nil, fmt.Errorf("account: unread notifications of %d: %w", userID, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// MarkKeysRead marks, inside tx, the member's notifications caused by keys read.
func (n *Notifier) MarkKeysRead(tx *storage.Tx, userID int64, keys []string) error {
	for _, k := range keys {
		if _, err := tx.Exec("update notifications set read_at = ? where user_id = ? and source_key = ? and read_at is null",
			n.now().Unix(), userID, k); err != nil {
			return fmt.Errorf("account: mark %s read for %d: %w", k, userID, err)
		}
	}
	return nil
}
