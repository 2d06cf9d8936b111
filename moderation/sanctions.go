package moderation

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"unicode/utf8"

	"stoa/account"
	"stoa/bus"
	"stoa/storage"
	"stoa/web"
)

// SanctionKind is how a member is limited.
type SanctionKind string

// The sanctions, from mildest to hardest: silenced members read but cannot post or chat;
// suspended members cannot log in; a ban is a suspension without end.
const (
	Silence SanctionKind = "silence"
	Suspend SanctionKind = "suspend"
	Ban     SanctionKind = "ban"
)

// Sanction is one limit put on a member.
type Sanction struct {
	ID        int64
	UserID    int64
	Kind      SanctionKind
	Reason    string
	StartsAt  time.Time
	EndsAt    time.Time // zero: no end (a ban)
	CreatedBy string    // staff only
	CreatedAt time.Time
	LiftedAt  time.Time
	LiftedBy  string
	// LiftReason is why staff lifted it early, shown on the member's record.
	LiftReason string
	// LiftedInError marks a sanction that should never have been applied: it never counts
	// toward the next suggested step.
	LiftedInError bool
	// ReplacedBy is the heavier sanction that replaced this one while it was in force.
	ReplacedBy int64
}

// Active reports whether the sanction applies at now.
func (x *Sanction) Active(now time.Time) bool {
	return x.LiftedAt.IsZero() && !x.StartsAt.After(now) && (x.EndsAt.IsZero() || x.EndsAt.After(now))
}

// Describe says what the sanction does, for notices and pages: "silenced for 1 day".
func (x *Sanction) Describe() string {
	switch x.Kind {
	case Ban:
		return "banned"
	case Suspend:
		return "suspended for " + DurationLabel(x.EndsAt.Sub(x.StartsAt))
	}
	return "silenced for " + DurationLabel(x.EndsAt.Sub(x.StartsAt))
}

// Choice is one option of a form's select.
type Choice struct {
	Value string
	Label string
}

// SilenceDurations are the lengths of silence a moderator may choose.
func SilenceDurations() []time.Duration {
	return []time.Duration{time.Hour, 24 * time.Hour, 3 * 24 * time.Hour, 7 * 24 * time.Hour, 14 * 24 * time.Hour, 30 * 24 * time.Hour}
}

// SuspendDurations are the lengths of suspension a moderator may choose.
func SuspendDurations() []time.Duration {
	return []time.Duration{24 * time.Hour, 3 * 24 * time.Hour, 7 * 24 * time.Hour, 14 * 24 * time.Hour, 30 * 24 * time.Hour,
		90 * 24 * time.Hour, 365 * 24 * time.Hour}
}

// DurationLabel says a sanction's length in words.
func DurationLabel(d time.Duration) string {
	switch {
	case d < 24*time.Hour:
		return plural(int(d.Round(time.Hour)/time.Hour), "hour")
	case d == 7*24*time.Hour:
		return "1 week"
	case d == 14*24*time.Hour:
		return "2 weeks"
	case d == 365*24*time.Hour:
		return "1 year"
	}
	return plural(int(d.Round(24*time.Hour)/(24*time.Hour)), "day")
}

// plural writes a count with its noun: "1 reply", "2 replies", "3 days".
func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	if l := len(unit); l > 1 && unit[l-1] == 'y' && !strings.ContainsRune("aeiou", rune(unit[l-2])) {
		return fmt.Sprintf("%d %sies", n, unit[:l-1])
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

func allowedDuration(kind SanctionKind, d time.Duration) bool {
	list := SilenceDurations()
	if kind == Suspend {
		list = SuspendDurations()
	}
	for _, x := range list {
		if x == d {
			return true
		}
	}
	return false
}

// FormatTime is how moderation pages and messages write a moment.
func FormatTime(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04 UTC") }

// restrictionError is a sanction explained to the member; account's login page shows it.
type restrictionError struct {
	msg  string
	kind SanctionKind
}

func (e *restrictionError) Error() string     { return e.msg }
func (e *restrictionError) Restriction() bool { return true }

// ReadsNotices says a suspended member may still sign in to read and answer the
// moderators' notices (account.NoticeReader); a banned one may not.
func (e *restrictionError) ReadsNotices() bool { return e.kind == Suspend }

// SanctionKind names the sanction behind the refusal ("silence", "suspend", "ban"), so
// chat can tell a silenced member from a suspended one.
func (e *restrictionError) SanctionKind() string { return string(e.kind) }

// Sanctions answers whether a member may log in or post. It is on every post, chat
// message and logged-in page, so it keeps members' open sanctions in a short-lived cache
// (sanctioncache.go) and decides against the clock, at each check, which is in force. It
// needs only the database, so the packages below moderation are given it when they are
// built; it implements account.Restrictions.
type Sanctions struct {
	store *store
	cache *sanctionCache
	now   func() time.Time
	peers *bus.Bus
}

// subjectSanctions tells the other nodes whose sanctions changed.
const subjectSanctions = "sanctions"

// NewSanctions returns the sanctions check on db. peers are the other nodes sharing db
// (nil: none): a change on any node drops every node's cached sanctions of the member.
// It fails only when it cannot hear the other nodes.
func NewSanctions(db *storage.DB, peers *bus.Bus) (*Sanctions, error) {
	x := &Sanctions{store: newStore(db), cache: newSanctionCache(), now: time.Now, peers: peers}
	err := peers.Subscribe(subjectSanctions, func(data []byte) {
		if id, err := strconv.ParseInt(string(data), 10, 64); err == nil {
			x.cache.invalidate(id)
		}
	})
	if err != nil {
		return nil, err
	}
	// Changes missed while NATS was away: forget everything, the database has it.
	peers.OnResync(x.cache.invalidateAll)
	return x, nil
}

var _ account.Restrictions = (*Sanctions)(nil)

// CanLogIn refuses a suspended or banned member, saying why and until when.
func (x *Sanctions) CanLogIn(ctx context.Context, userID int64) error {
	s, ok, err := x.active(ctx, userID, true)
	if err != nil || !ok {
		return err
	}
	return s.explain()
}

// CanPost refuses a silenced, suspended or banned member, saying why and until when.
func (x *Sanctions) CanPost(ctx context.Context, userID int64) error {
	s, ok, err := x.active(ctx, userID, false)
	if err != nil || !ok {
		return err
	}
	return s.explain()
}

func (x *Sanction) explain() error {
	why := ""
	if x.Reason != "" {
		why = " Reason given: " + x.Reason + "."
	}
	switch x.Kind {
	case Ban:
		return &restrictionError{"Your account is banned, without an end date." + why +
			" If you think this is a mistake, write to the moderators through the contact page.", Ban}
	case Suspend:
		return &restrictionError{"Your account is suspended until " + FormatTime(x.EndsAt) + "." + why +
			" You can log in again after that; until then you can sign in only to read and answer the moderators' notices.", Suspend}
	}
	return &restrictionError{"You are silenced until " + FormatTime(x.EndsAt) + ": you can read, and reply to the moderators' notices at /notices, but you cannot post, reply, edit or chat until then." + why, Silence}
}

// active returns the hardest sanction in force for a member, and whether there is one.
// loginOnly leaves out silences, which do not stop logging in.
func (x *Sanctions) active(ctx context.Context, userID int64, loginOnly bool) (*Sanction, bool, error) {
	in, err := x.activeOf(ctx, []int64{userID}, loginOnly)
	if err != nil {
		return nil, false, err
	}
	s, ok := in[userID]
	return s, ok, nil
}

// activeOf returns the hardest sanction in force for each member of ids who has one,
// reading those the cache does not know in one query.
func (x *Sanctions) activeOf(ctx context.Context, ids []int64, loginOnly bool) (map[int64]*Sanction, error) {
	now := x.now()
	lists, err := x.open(ctx, ids, now)
	if err != nil {
		return nil, err
	}
	at := time.Unix(now.Unix(), 0) // the database keeps whole seconds
	out := map[int64]*Sanction{}
	for id, list := range lists {
		var best *Sanction
		for i := range list {
			s := &list[i]
			if loginOnly && s.Kind == Silence || !s.Active(at) || kindRank(s.Kind) > kindRank(Silence) {
				continue
			}
			if best == nil || harder(s, best) {
				best = s
			}
		}
		if best != nil {
			c := *best // the cached list is shared: callers get their own copy
			out[id] = &c
		}
	}
	return out, nil
}

// open returns the sanctions of each member of ids that may be in force at now or
// later, from the cache where it is fresh.
func (x *Sanctions) open(ctx context.Context, ids []int64, now time.Time) (map[int64][]Sanction, error) {
	out := make(map[int64][]Sanction, len(ids))
	var missing []int64
	for _, id := range unique(ids) {
		if list, ok := x.cache.lookup(id, now); ok {
			out[id] = list
		} else {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	gen := x.cache.generation()
	loaded, err := x.store.openSanctions(ctx, missing, now)
	if err != nil {
		return nil, err
	}
	for _, id := range missing {
		// A member without sanctions is cached too, as an empty list: that is the
		// answer nearly every check gets.
		x.cache.store(id, gen, now, loaded[id])
		out[id] = loaded[id]
	}
	return out, nil
}

// changed forgets what is cached about a member's sanctions once tx, which changes them,
// has committed. A check that read the old rows meanwhile cannot store them: the cache's
// generation moved on.
func (x *Sanctions) changed(tx *storage.Tx, userID int64) {
	tx.AfterCommit(func() {
		x.cache.invalidate(userID)
		x.peers.Publish(subjectSanctions, []byte(strconv.FormatInt(userID, 10)))
	})
}

// SanctionsOf lists every sanction a member received, newest first.
func (s *Service) SanctionsOf(ctx context.Context, userID int64) ([]*Sanction, error) {
	all, err := s.store.sanctionsOf(ctx, []int64{userID})
	return all[userID], err
}

// SanctionRequest is a sanction a moderator chose.
type SanctionRequest struct {
	Kind     SanctionKind
	Duration time.Duration // ignored for a ban
	// about names the reported thing the sanction was decided on, for the audit log.
	about targetRef
}

// applySanction records a sanction inside tx and ends the member's sessions when they may
// no longer log in.
func (s *Service) applySanction(tx *storage.Tx, actor, member *account.User, req SanctionRequest, reason string, now time.Time) (*Sanction, error) {
	x := &Sanction{UserID: member.ID, Kind: req.Kind, Reason: reason, StartsAt: now, CreatedAt: now, CreatedBy: actor.Username}
	if req.Kind != Ban {
		x.EndsAt = now.Add(req.Duration)
	}
	// Sanctions do not stack: one is in force at a time. A heavier or equal one replaces
	// those in force; a lighter one on top of a heavier one is refused, so that acting on
	// an old report cannot quietly soften a ban.
	open, err := s.store.openSanctionsTx(tx, member.ID, now)
	if err != nil {
		return nil, err
	}
	for _, o := range open {
		if kindRank(o.Kind) < kindRank(x.Kind) {
			return nil, web.Invalid("sanction", member.Username+" is already "+o.Describe()+
				" (in force). A lighter sanction cannot be added on top: reinstate them on their record first, then choose again.")
		}
	}
	if x.ID, err = s.store.insertSanction(tx, x, actor.ID); err != nil {
		return nil, err
	}
	if len(open) > 0 {
		if err := s.store.replaceSanctions(tx, member.ID, x.ID, actor.ID, "Replaced by a "+string(x.Kind)+".", now); err != nil {
			return nil, err
		}
	}
	s.sanctions.changed(tx, member.ID)
	if x.Kind != Silence {
		if err := account.DeleteSessionsOf(tx, member.ID); err != nil {
			return nil, err
		}
	}
	// Open chat connections end now; a silenced member's page reconnects as one who reads.
	s.chat.EndChats(tx, member.ID, "A moderator restricted your account: you can no longer chat. Your notices say why.")
	action := map[SanctionKind]Action{Silence: ActSilence, Suspend: ActSuspend, Ban: ActBan}[x.Kind]
	label := member.Username
	if x.Kind != Ban {
		label += " for " + DurationLabel(req.Duration)
	}
	return x, s.audit.Record(tx, actor, Entry{At: now, Action: action, TargetKind: "user", TargetID: member.ID, TargetUserID: member.ID,
		TargetLabel: label, TargetURL: "/u/" + member.Username, Reason: reason, AboutKind: string(req.about.kind), AboutID: req.about.id})
}

// Lift is a moderator's decision to reinstate a member: every sanction in force ends.
type Lift struct {
	// SanctionID is the sanction the moderator saw in force.
	SanctionID int64
	Reason     string
	// InError says the sanction should never have been applied: it stops counting
	// toward the next suggested step.
	InError bool
}

// Reinstate ends every sanction of the member in force, in one step, and tells them.
func (s *Service) Reinstate(ctx context.Context, actor, member *account.User, l Lift) error {
	if !actor.IsStaff() {
		return ErrNotStaff
	}
	l.Reason = strings.TrimSpace(l.Reason)
	if n := utf8.RuneCountInString(l.Reason); n > MaxReasonRunes {
		return web.Invalid("reason", fmt.Sprintf("Shorten the reason to %d characters or fewer (it has %d).", MaxReasonRunes, n))
	}
	now := s.now()
	return s.db.Write(ctx, func(tx *storage.Tx) error {
		lifted, err := s.store.liftSanctions(tx, member.ID, l, actor.ID, now)
		if err != nil {
			return err
		}
		s.sanctions.changed(tx, member.ID)
		var words []string
		for _, x := range lifted {
			label := member.Username + " (" + string(x.Kind) + ")"
			if l.InError {
				label += ", applied in error"
			}
			if err := s.audit.Record(tx, actor, Entry{At: now, Action: ActLiftSanction, TargetKind: "user", TargetID: member.ID,
				TargetUserID: member.ID, TargetLabel: label, TargetURL: "/u/" + member.Username, Reason: l.Reason}); err != nil {
				return err
			}
			words = append(words, x.Noun())
		}
		return s.liftNotice(tx, actor, member, words, l, now)
	})
}

// liftNotice tells the member, in their notices (and by email when they gave one), that
// the moderators lifted their sanctions and why.
func (s *Service) liftNotice(tx *storage.Tx, actor, member *account.User, lifted []string, l Lift, now time.Time) error {
	body := "The moderators lifted your " + joinAnd(lifted) + ". You can log in, post and chat again."
	if l.InError {
		body += " It was applied in error and does not count on your record."
	}
	if l.Reason != "" {
		body += "\n\nReason given: " + l.Reason
	}
	_, err := s.insertNotice(tx, actor, member, NoticeDraft{Body: body, lifted: true}, 0, nil, quote{}, "", nil, now)
	return err
}

// Noun names the sanction in a sentence: "ban", "suspension", "silence".
func (x *Sanction) Noun() string {
	switch x.Kind {
	case Ban:
		return "ban"
	case Suspend:
		return "suspension"
	}
	return "silence"
}
