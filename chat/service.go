package chat

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"stoa/account"
	"stoa/bus"
	"stoa/markup"
	"stoa/privacy/pii"
	"stoa/ratelimit"
	"stoa/site"
	"stoa/storage"
	"stoa/watchwords"
)

// PolicyVersion returns the version of the privacy policy in force, recorded with each
// acknowledgement that a room is public; privacy owns the versions and the server wires
// them in.
type PolicyVersion func(ctx context.Context) int

// Limits tune chat; a zero field takes its default.
type Limits struct {
	MaxBodyBytes    int           // largest message source (default 4 KiB)
	SendBurst       int           // messages a member may send at once (default 10) ...
	SendEvery       time.Duration // ... and then one per SendEvery (default 1 s)
	QueueLen        int           // frames queued for one client before it is dropped (default 256)
	WriteWait       time.Duration // longest a write to one client may take (default 10 s)
	PongWait        time.Duration // a client silent this long is gone (default 60 s)
	PingEvery       time.Duration // how often the server pings (default 25 s)
	MaxFrameBytes   int64         // largest frame read; larger ones close the connection (default 64 KiB)
	MaxConnsPerAddr int           // open WebSockets per client address, loopback too (default 32)
	TypingEvery     time.Duration // typing events passed on per connection (default one per 2 s)
	PresenceEvery   time.Duration // presence broadcasts per room (default one per 1 s)
	ReadBufferSize  int           // per-connection read buffer (default 1 KiB)
}

func (l *Limits) fill() {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	dur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&l.MaxBodyBytes, 4<<10)
	def(&l.SendBurst, 10)
	dur(&l.SendEvery, time.Second)
	def(&l.QueueLen, 256)
	dur(&l.WriteWait, 10*time.Second)
	dur(&l.PongWait, 60*time.Second)
	dur(&l.PingEvery, 25*time.Second)
	if l.MaxFrameBytes <= 0 {
		l.MaxFrameBytes = 64 << 10
	}
	def(&l.MaxConnsPerAddr, 32)
	dur(&l.TypingEvery, 2*time.Second)
	dur(&l.PresenceEvery, time.Second)
	def(&l.ReadBufferSize, 1<<10)
}

// Notifier tells members they were mentioned in a message and takes the notice back when
// the message is deleted; *account.Notifier is one. Both run inside the message's write.
type Notifier interface {
	NotifyMentioned(tx *storage.Tx, names []string, n account.Notification) error
	Retract(tx *storage.Tx, key string) error
	// Notify tells the author of a held message what the moderators decided.
	Notify(tx *storage.Tx, n account.Notification) (bool, error)
}

// Config is what the chat service is built from; every field but Log and Limits is
// required.
type Config struct {
	DB            *storage.DB
	Renderer      *markup.Renderer
	Restrictions  account.Restrictions // sanctions: a silenced member cannot chat
	PolicyVersion PolicyVersion
	Notifier      Notifier
	// Sessions says whether a WebSocket's login session is still live.
	Sessions Sessions
	// Words are the watched words every message is checked against.
	Words *watchwords.List
	// Automod gives the site's automatic moderation settings (the duplicate window).
	Automod func() site.Automod
	// Audit records moderators' changes to a room's slow mode and freeze.
	Audit  RoomAudit
	Log    *slog.Logger // nil: discard
	Limits Limits
	// Peers are the other nodes sharing the database; nil: this is the only node.
	Peers *bus.Bus
}

// Service holds chat's rules and its hub.
type Service struct {
	store        *Store
	db           *storage.DB
	render       *markup.Renderer
	restrictions account.Restrictions
	notifier     Notifier
	sessions     Sessions
	words        *watchwords.List
	automod      func() site.Automod
	audit        RoomAudit
	// reviewNotifier tells authors of held messages what was decided (the Notifier).
	reviewNotifier Notifier
	policyVersion  *policyCache
	rooms          roomCache
	log            *slog.Logger
	limits         Limits
	sendLimit      *ratelimit.Keyed
	hub            *Hub
	now            func() time.Time
	ctx            context.Context // ends at Close: the context of WebSocket readers
	cancel         context.CancelFunc
}

// NewService returns chat's service with its hub started. It panics when a required
// dependency is missing: that is a wiring mistake, not something to run with.
func NewService(cfg Config) *Service {
	switch {
	case cfg.DB == nil, cfg.Renderer == nil, cfg.Restrictions == nil, cfg.PolicyVersion == nil, cfg.Notifier == nil, cfg.Sessions == nil,
		cfg.Words == nil, cfg.Automod == nil, cfg.Audit == nil:
		panic("chat: NewService needs DB, Renderer, Restrictions, PolicyVersion, Notifier, Sessions, Words, Automod and Audit")
	}
	cfg.Limits.fill()
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Peers == nil {
		cfg.Peers, _ = bus.Open(bus.Options{}) // the embedded bus never fails
	}
	store := NewStore(cfg.DB)
	ctx, cancel := context.WithCancel(context.Background())
	s := &Service{
		store: store, db: cfg.DB, render: cfg.Renderer, restrictions: cfg.Restrictions,
		notifier: cfg.Notifier, sessions: cfg.Sessions, log: cfg.Log, limits: cfg.Limits,
		words: cfg.Words, automod: cfg.Automod, audit: cfg.Audit, reviewNotifier: cfg.Notifier,
		sendLimit: ratelimit.New(cfg.Limits.SendEvery, cfg.Limits.SendBurst),
		hub:       newHub(cfg.Limits, cfg.Log, cfg.Peers, store),
		now:       time.Now, ctx: ctx, cancel: cancel,
	}
	s.policyVersion = &policyCache{load: cfg.PolicyVersion, now: func() time.Time { return s.now() }}
	if err := s.listen(); err != nil {
		// Only a closed NATS connection refuses a subscription; rooms still catch up from
		// the database on their heartbeat.
		s.log.Error("chat: cannot hear the other nodes", "err", err)
	}
	return s
}

// Store returns chat's store.
func (s *Service) Store() *Store { return s.store }

// Hub returns the WebSocket hub.
func (s *Service) Hub() *Hub { return s.hub }

// Shutdown closes every WebSocket with 1001 (going away); the server calls it before it
// stops serving HTTP.
func (s *Service) Shutdown(ctx context.Context) { s.hub.shutdown(ctx) }

// Close shuts the hub down if that has not happened yet and refuses chat writes from now
// on; writes already accepted commit when the database closes, so call Close before that.
func (s *Service) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.hub.shutdown(ctx)
	s.cancel()
}

// closed reports whether Close has begun.
func (s *Service) closed() bool { return s.ctx.Err() != nil }

// Input is a message as a member submits it.
type Input struct {
	Body    string
	Nonce   string // the client's label for the message, echoed in its acknowledgement
	Token   string // a form's one-time token: a repeated submit returns the first message
	Confirm bool   // the member confirmed the warnings (public room, personal information)
}

// Send publishes a message in room as u and returns it once it is durable.
func (s *Service) Send(ctx context.Context, u *account.User, room *Room, in Input) (*Message, error) {
	return s.send(ctx, u, room, in, nil)
}

func (s *Service) checkBody(body string) error {
	switch {
	case len(body) > s.limits.MaxBodyBytes:
		return errTooLarge(len(body), s.limits.MaxBodyBytes)
	case !utf8.ValidString(body):
		return errNotText
	case strings.TrimSpace(body) == "":
		return errEmpty
	}
	return nil
}

// mayWrite checks who u is and what they may do in room, before anything is stored.
func (s *Service) mayWrite(ctx context.Context, u *account.User, room *Room) error {
	if u == nil {
		return errLogInToChat
	}
	if room.Archived() {
		return ErrArchived
	}
	if err := s.restrictions.CanPost(ctx, u.ID); err != nil {
		return restricted(err)
	}
	return nil
}

func (s *Service) rateLimit(u *account.User) error {
	if !s.sendLimit.Allow(userKey(u.ID)) {
		return ErrRateLimited
	}
	return nil
}

// needsAck reports whether u has yet to acknowledge, under the current policy, that room
// is public; it returns the current policy version.
func (s *Service) needsAck(ctx context.Context, u *account.User, room *Room, c *client) (bool, int, error) {
	v := s.policyVersion.get(ctx)
	if c != nil && c.ackVersion >= v {
		return false, v, nil
	}
	got, err := s.store.AckVersion(ctx, u.ID, room.ID)
	if err != nil {
		return false, v, err
	}
	if c != nil {
		c.ackVersion = got
	}
	return got < v, v, nil
}

// prepare renders a message and works out its search text: CPU work done before the
// write, so that it never holds up the writer's transaction.
func (s *Service) prepare(m *Message) {
	res := s.render.Render(m.Source)
	m.HTML, m.Mentions, m.searchText = res.HTML, res.Mentions, searchText(res.HTML)
}

func (s *Service) send(ctx context.Context, u *account.User, room *Room, in Input, origin *client) (*Message, error) {
	if s.closed() {
		return nil, ErrClosed
	}
	if err := s.mayWrite(ctx, u, room); err != nil {
		return nil, err
	}
	if err := s.checkBody(in.Body); err != nil {
		return nil, err
	}
	if in.Token != "" {
		if m, err := s.store.messageBySubmitToken(ctx, u.ID, in.Token); err == nil {
			return m, nil
		}
	}
	if err := s.checkPace(ctx, u, room); err != nil {
		return nil, err
	}
	body, heldWord, err := s.screen(u, in.Body)
	if err != nil {
		return nil, err
	}
	if err := s.refuseDuplicate(ctx, u, body); err != nil {
		return nil, err
	}
	if err := s.rateLimit(u); err != nil {
		return nil, err
	}
	ack, version, err := s.needsAck(ctx, u, room, origin)
	if err != nil {
		return nil, err
	}
	if !in.Confirm {
		var findings []string
		if ack {
			findings = append(findings, FindingPublicRoom)
		}
		findings = append(findings, pii.Kinds(pii.Detect(in.Body))...)
		if len(findings) > 0 {
			return nil, &ConfirmError{Findings: findings}
		}
	}
	m := &Message{RoomID: room.ID, Room: room.Slug, AuthorID: u.ID, Author: u.Username, Source: body,
		Nonce: in.Nonce, CreatedAt: s.now().UTC().Truncate(time.Second)}
	s.prepare(m)
	if heldWord != "" {
		if err := s.hold(ctx, m, heldWord, ack, version); err != nil {
			return nil, s.writeFailed(err)
		}
		if ack && origin != nil {
			origin.ackVersion = version
		}
		return nil, &HeldError{Word: heldWord}
	}
	// This node tells a room's messages in commit order, and the room's row lock makes
	// every node's commits of the room take ids in that order. On PostgreSQL the messages
	// that queue for the room meanwhile share its next transaction (one commit and flush),
	// as SQLite's writer shares its own.
	err = s.db.WriteOrdered(ctx, roomOrderKey(room.ID), func(tx *storage.Tx) error {
		if err := s.store.lockRoomForMessage(tx, room.ID); err != nil {
			return err
		}
		if ack {
			if err := s.store.recordAck(tx, u.ID, room.ID, version, m.CreatedAt); err != nil {
				return err
			}
		}
		prev, err := s.store.publishMessage(tx, m, in.Token, s.hub.peers.Clustered())
		if err != nil {
			return err
		}
		if err := s.notifyMentioned(tx, m); err != nil {
			return err
		}
		// The room hears of the message once it is durable, in commit order: ids reach
		// every client strictly increasing, and the sender's copy is its acknowledgement.
		tx.AfterCommit(func() { s.hub.publishMessage(m, origin, in.Nonce, false, prev) })
		return nil
	})
	if storage.IsUniqueViolation(err) && in.Token != "" {
		// The same form was submitted twice at once: the first submit's message stands.
		if prev, err2 := s.store.messageBySubmitToken(ctx, u.ID, in.Token); err2 == nil {
			return prev, nil
		}
	}
	if err != nil {
		return nil, s.writeFailed(err)
	}
	if ack && origin != nil {
		origin.ackVersion = version
	}
	return m, nil
}

// notifyMentioned notifies, inside the write that publishes or edits m, the members m
// mentions.
func (s *Service) notifyMentioned(tx *storage.Tx, m *Message) error {
	if len(m.Mentions) == 0 || m.Hidden || m.AuthorID == 0 {
		return nil
	}
	return s.notifier.NotifyMentioned(tx, m.Mentions, account.Notification{Kind: account.NotifyChatMention,
		ActorID: m.AuthorID, Subject: "#" + m.Room, URL: m.URL(), Key: notificationKey(m.ID)})
}

// notificationKey names what a message's notifications came from, to retract them.
func notificationKey(id int64) string { return "chat:" + strconv.FormatInt(id, 10) }

// Acknowledge records that u knows room is public, so their first message there is not
// held for that reason.
func (s *Service) Acknowledge(ctx context.Context, u *account.User, room *Room) error {
	version := s.policyVersion.get(ctx)
	now := s.now()
	return s.db.Write(ctx, func(tx *storage.Tx) error { return s.store.recordAck(tx, u.ID, room.ID, version, now) })
}

// NeedsAck reports whether u has yet to acknowledge that room is public.
func (s *Service) NeedsAck(ctx context.Context, u *account.User, room *Room) (bool, error) {
	need, _, err := s.needsAck(ctx, u, room, nil)
	return need, err
}
