package chat

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"stoa/account"
	"stoa/markup"
	"stoa/privacy/pii"
	"stoa/ratelimit"
	"stoa/storage"
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
	MaxConnsPerAddr int           // open WebSockets per client address (default 32)
	LimitLoopback   bool          // apply MaxConnsPerAddr to loopback too (tests)
	TypingEvery     time.Duration // typing events passed on per connection (default one per 2 s)
	PresenceEvery   time.Duration // presence broadcasts per room (default one per 1 s)
	MaxBatch        int           // chat writes committed together (default 256)
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
	def(&l.MaxBatch, 256)
	def(&l.ReadBufferSize, 1<<10)
}

// Config is what the chat service is built from.
type Config struct {
	DB            *storage.DB
	Renderer      *markup.Renderer
	Restrictions  account.Restrictions // sanctions: a silenced member cannot chat
	PolicyVersion PolicyVersion        // nil: version 1
	Log           *slog.Logger
	Limits        Limits
}

// Service holds chat's rules, its writer and its hub.
type Service struct {
	store         *Store
	db            *storage.DB
	render        *markup.Renderer
	restrictions  account.Restrictions
	policyVersion *policyCache
	rooms         roomCache
	log           *slog.Logger
	limits        Limits
	sendLimit     *ratelimit.Keyed
	persist       *persister
	hub           *Hub
	afterMessage  []func(tx *storage.Tx, m *Message) error
	now           func() time.Time
	ctx           context.Context // ends at Close: the context of WebSocket readers
	cancel        context.CancelFunc
}

// NewService starts chat's writer and hub.
func NewService(cfg Config) *Service {
	cfg.Limits.fill()
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.PolicyVersion == nil {
		cfg.PolicyVersion = func(context.Context) int { return 1 }
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Service{
		store: NewStore(cfg.DB), db: cfg.DB, render: cfg.Renderer, restrictions: cfg.Restrictions,
		log: cfg.Log, limits: cfg.Limits,
		sendLimit: ratelimit.New(cfg.Limits.SendEvery, cfg.Limits.SendBurst),
		persist:   newPersister(cfg.DB, cfg.Limits.MaxBatch),
		hub:       newHub(cfg.Limits, cfg.Log),
		now:       time.Now, ctx: ctx, cancel: cancel,
	}
	s.policyVersion = &policyCache{load: cfg.PolicyVersion, now: func() time.Time { return s.now() }}
	return s
}

// Store returns chat's store.
func (s *Service) Store() *Store { return s.store }

// Hub returns the WebSocket hub.
func (s *Service) Hub() *Hub { return s.hub }

// AfterMessage registers fn to run in the transaction that publishes, edits or deletes a
// message (m.Mentions is set on publish and edit; m.Deleted on delete), for derived
// records such as notifications of mentions.
func (s *Service) AfterMessage(fn func(tx *storage.Tx, m *Message) error) {
	s.afterMessage = append(s.afterMessage, fn)
}

func (s *Service) runAfterMessage(tx *storage.Tx, m *Message) error {
	for _, fn := range s.afterMessage {
		if err := fn(tx, m); err != nil {
			return err
		}
	}
	return nil
}

// Shutdown closes every WebSocket with 1001 (going away); the server calls it before it
// stops serving HTTP.
func (s *Service) Shutdown(ctx context.Context) { s.hub.shutdown(ctx) }

// Close shuts the hub down if that has not happened yet and commits every chat write
// already accepted; call it before the database closes.
func (s *Service) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.hub.shutdown(ctx)
	s.persist.close()
	s.cancel()
}

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
		return &Error{CodeTooLarge, fmt.Sprintf("This message is %d bytes; the limit is %d. Shorten it or split it into several messages.", len(body), s.limits.MaxBodyBytes)}
	case !utf8.ValidString(body):
		return &Error{CodeBadRequest, "This message contains characters that are not valid text. Remove them and try again."}
	case strings.TrimSpace(body) == "":
		return &Error{CodeBadRequest, "Write a message before sending."}
	}
	return nil
}

// mayWrite checks who u is and what they may do in room, before anything is stored.
func (s *Service) mayWrite(ctx context.Context, u *account.User, room *Room) error {
	if u == nil {
		return &Error{CodeForbidden, "Log in to chat. Reading needs no account, but writing does."}
	}
	if room.Archived() {
		return &Error{CodeForbidden, "This room is archived: its history stays readable, but it accepts no new messages."}
	}
	if err := s.restrictions.CanPost(ctx, u.ID); err != nil {
		return &Error{CodeSilenced, err.Error()}
	}
	return nil
}

func (s *Service) rateLimit(u *account.User) error {
	if !s.sendLimit.Allow(userKey(u.ID)) {
		return &Error{CodeRateLimited, "You are sending messages faster than this room allows. Wait a few seconds, then send again."}
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

func (s *Service) send(ctx context.Context, u *account.User, room *Room, in Input, origin *client) (*Message, error) {
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
	res := s.render.Render(in.Body)
	m := &Message{RoomID: room.ID, Room: room.Slug, AuthorID: u.ID, Author: u.Username, Source: in.Body,
		HTML: res.HTML, Nonce: in.Nonce, CreatedAt: s.now().UTC().Truncate(time.Second), Mentions: res.Mentions}
	err = s.persist.submit(ctx, func(tx *storage.Tx) error {
		if ack {
			if err := recordAck(s.db, tx, u.ID, room.ID, version, m.CreatedAt); err != nil {
				return err
			}
		}
		if err := insertMessage(s.db, tx, m, in.Token); err != nil {
			return err
		}
		return s.runAfterMessage(tx, m)
	}, func() { s.hub.publishMessage(m, origin, in.Nonce, false) })
	if err != nil && in.Token != "" {
		if prev, err2 := s.store.messageBySubmitToken(ctx, u.ID, in.Token); err2 == nil {
			return prev, nil
		}
	}
	if err != nil {
		return nil, err
	}
	if ack && origin != nil {
		origin.ackVersion = version
	}
	return m, nil
}

// Acknowledge records that u knows room is public, so their first message there is not
// held for that reason.
func (s *Service) Acknowledge(ctx context.Context, u *account.User, room *Room) error {
	version := s.policyVersion.get(ctx)
	now := s.now()
	return s.db.Write(ctx, func(tx *storage.Tx) error { return recordAck(s.db, tx, u.ID, room.ID, version, now) })
}

// NeedsAck reports whether u has yet to acknowledge that room is public.
func (s *Service) NeedsAck(ctx context.Context, u *account.User, room *Room) (bool, error) {
	need, _, err := s.needsAck(ctx, u, room, nil)
	return need, err
}
