package account

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode"

	"stoa/mail"
	"stoa/storage"
)

// Kinds of notification a member can choose to receive.
const (
	NotifyMention     = "mention"
	NotifyReply       = "reply"
	NotifyWatching    = "watching"
	NotifyChatMention = "chat_mention"
	NotifyReaction    = "reaction"
	// NotifyReview tells a member the moderators approved or rejected what waited for
	// their review; the subject says which ("approved your post in “Welcome”").
	NotifyReview = "review"
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
		{NotifyReaction, "Reactions to your posts", "Someone reacts to a post you wrote."},
		{NotifyReview, "Moderators' review of your posts", "A post or chat message that waited for review is approved or rejected."},
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

// NotifierOptions are what a Notifier needs besides the database; both are required.
type NotifierOptions struct {
	// BaseURL makes the links in emails absolute.
	BaseURL string
	// Outbox queues the emails members asked for, in the transaction that notifies them;
	// with no mail server configured it keeps them until there is one.
	Outbox *mail.Outbox
	// Log records an email that could not be built (nil: discard).
	Log *slog.Logger
}

// Notifier records notifications and queues the emails members asked for. Forum and chat
// both create notifications, so it lives here, below them.
type Notifier struct {
	store   *Store
	baseURL string
	outbox  *mail.Outbox
	log     *slog.Logger
	now     func() time.Time
}

// NewNotifier returns a Notifier on db.
func NewNotifier(db *storage.DB, opts NotifierOptions) *Notifier {
	if opts.Outbox == nil {
		panic("account: NewNotifier needs an Outbox")
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	return &Notifier{store: NewStore(db), baseURL: strings.TrimRight(opts.BaseURL, "/"), outbox: opts.Outbox, log: opts.Log, now: time.Now}
}

// Notify records x inside tx unless the member turned its kind off, already has a
// notification with x.Key, is no longer a member, or caused it themselves. It reports
// whether a notification was recorded, and queues an email when the member chose one.
func (n *Notifier) Notify(tx *storage.Tx, x Notification) (bool, error) {
	recorded, err := n.NotifyAll(tx, []int64{x.UserID}, x)
	return recorded == 1, err
}

// NotifyAll is Notify for each member of userIDs (x.UserID is ignored), in a few
// statements whatever their number: a reply to a thread with hundreds of watchers must
// not hold the thread for hundreds of round trips to the database. It returns how many
// notifications it recorded.
func (n *Notifier) NotifyAll(tx *storage.Tx, userIDs []int64, x Notification) (int, error) {
	if x.Key == "" {
		return 0, nil
	}
	ids := make([]int64, 0, len(userIDs))
	for _, id := range userIDs {
		if id != 0 && id != x.ActorID {
			ids = append(ids, id)
		}
	}
	recorded := 0
	for len(ids) > 0 {
		batch := ids[:min(len(ids), notifyBatch)]
		ids = ids[len(batch):]
		targets, err := n.store.notifyTargets(tx, batch, x.Kind)
		if err != nil {
			return recorded, err
		}
		wanted := make([]int64, 0, len(batch))
		for _, id := range batch {
			if to, ok := targets[id]; ok && to.delivery != DeliveryOff {
				wanted = append(wanted, id)
			}
		}
		inserted, err := n.store.insertNotifications(tx, wanted, x, n.now())
		if err != nil {
			return recorded, err
		}
		recorded += len(inserted)
		for _, id := range wanted {
			to, nid := targets[id], inserted[id]
			if nid == 0 || to.delivery != DeliveryEmail || to.email == "" {
				continue
			}
			x.UserID = id
			if err := n.email(tx, nid, to.email, x); err != nil {
				return recorded, err
			}
		}
	}
	return recorded, nil
}

// notifyBatch is how many members one statement of NotifyAll covers: seven values a row
// stays far below SQLite's limit of 32,766 values a statement.
const notifyBatch = 500

func (n *Notifier) email(tx *storage.Tx, id int64, to string, x Notification) error {
	var actor string
	if x.ActorID != 0 {
		var err error
		if actor, err = n.store.activeUsername(tx, x.ActorID); err != nil {
			return err
		}
	}
	what := Describe(x.Kind, actor, x.Subject)
	text := fmt.Sprintf("%s.\n\nRead it here: %s/notifications/%d\n\n"+
		"You get this email because you asked for email about this kind of notification.\n"+
		"Choose what you are emailed about at %s/me/notifications\n", what, n.baseURL, id, n.baseURL)
	// A subject is one line, whatever a title held before titles refused line breaks.
	subject := strings.Join(strings.FieldsFunc(what, func(r rune) bool { return unicode.IsControl(r) }), " ")
	err := n.outbox.Enqueue(tx, mail.Message{To: to, Subject: subject, Text: text, Kind: "notification", UserID: x.UserID})
	if errors.Is(err, mail.ErrInvalid) {
		// A mail that cannot be built (an address that no longer parses, say) must not
		// undo the post that caused it: the notification in Stoa stands, the mail is
		// skipped.
		n.log.Warn("account: notification email skipped: it cannot be built", "user", x.UserID, "kind", x.Kind, "err", err)
		return nil
	}
	if err != nil {
		return fmt.Errorf("account: queue notification email: %w", err)
	}
	return nil
}

// Describe is the sentence that tells a member what happened; actor "" is an erased
// account.
func Describe(kind, actor, subject string) string {
	if kind == NotifyReview {
		// Members are not told which moderator decided, as in the public log.
		return "The moderators " + subject
	}
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
	case NotifyReaction:
		return fmt.Sprintf("%s reacted to your post in “%s”", actor, subject)
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
	ids, err := n.store.userIDsByName(tx, mentions)
	if err != nil {
		return err
	}
	_, err = n.NotifyAll(tx, ids, x)
	return err
}

// Retract removes, inside tx, every notification caused by key, such as a post that was
// deleted: nobody should be sent to read what is gone.
func (n *Notifier) Retract(tx *storage.Tx, key string) error {
	return n.store.deleteNotificationsOf(tx, key)
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
	return n.store.notifications(ctx, userID, limit, offset)
}

// UnreadCount is how many unread notifications a member has, for the badge in the header.
func (n *Notifier) UnreadCount(ctx context.Context, userID int64) (int, error) {
	return n.store.unreadNotifications(ctx, userID)
}

// Open marks one of the member's notifications read and returns where it points;
// storage.ErrNotFound when it is not theirs.
func (n *Notifier) Open(ctx context.Context, userID, id int64) (string, error) {
	url, err := n.store.notificationURL(ctx, userID, id)
	if err != nil {
		return "", err
	}
	if err := n.store.markNotificationRead(ctx, id, n.now()); err != nil {
		return "", err
	}
	return url, nil
}

// MarkAllRead marks every notification of a member read.
func (n *Notifier) MarkAllRead(ctx context.Context, userID int64) error {
	return n.store.markAllNotificationsRead(ctx, userID, n.now())
}

// UnreadKeys returns which of keys have an unread notification for the member, so that a
// page showing those things can mark them read without writing when nothing changed.
func (n *Notifier) UnreadKeys(ctx context.Context, userID int64, keys []string) ([]string, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	return n.store.unreadKeys(ctx, userID, keys)
}

// MarkKeysRead marks, inside tx, the member's notifications caused by keys read.
func (n *Notifier) MarkKeysRead(tx *storage.Tx, userID int64, keys []string) error {
	return n.store.markKeysRead(tx, userID, keys, n.now())
}
