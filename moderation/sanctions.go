package moderation

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"stoa/account"
	"stoa/storage"
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
type restrictionError struct{ msg string }

func (e *restrictionError) Error() string     { return e.msg }
func (e *restrictionError) Restriction() bool { return true }

// Restrictions is the sanctions check every package consults (install it with
// account.Service.SetRestrictions).
func (s *Service) Restrictions() account.Restrictions { return restrictions{s} }

type restrictions struct{ s *Service }

func (r restrictions) CanLogIn(ctx context.Context, userID int64) error {
	x, ok, err := r.s.activeSanction(ctx, userID, true)
	if err != nil || !ok {
		return err
	}
	return x.explain()
}

func (r restrictions) CanPost(ctx context.Context, userID int64) error {
	x, ok, err := r.s.activeSanction(ctx, userID, false)
	if err != nil || !ok {
		return err
	}
	return x.explain()
}

func (x *Sanction) explain() error {
	why := ""
	if x.Reason != "" {
		why = " Reason given: " + x.Reason + "."
	}
	switch x.Kind {
	case Ban:
		return &restrictionError{"Your account is banned, without an end date." + why +
			" If you think this is a mistake, write to the moderators through the contact page."}
	case Suspend:
		return &restrictionError{"Your account is suspended until " + FormatTime(x.EndsAt) + "." + why +
			" You can log in again after that. If you think this is a mistake, write to the moderators through the contact page."}
	}
	return &restrictionError{"You are silenced until " + FormatTime(x.EndsAt) + ": you can read, and reply to the moderators' notices at /notices, but you cannot post, reply, edit or chat until then." + why}
}

// activeSanction returns the hardest sanction in force for a member, and whether there is
// one. loginOnly leaves out silences, which do not stop logging in. It is on every post,
// chat message and logged-in page, so it reads the member's open sanctions from the
// in-memory cache (sanctioncache.go) and decides here, against now, which is in force.
func (s *Service) activeSanction(ctx context.Context, userID int64, loginOnly bool) (*Sanction, bool, error) {
	now := s.now()
	list, err := s.openSanctions(ctx, userID, now)
	if err != nil || len(list) == 0 {
		return nil, false, err
	}
	at := time.Unix(now.Unix(), 0) // the database keeps whole seconds
	var best *Sanction
	for i := range list {
		x := &list[i]
		if loginOnly && x.Kind == Silence || !x.Active(at) || kindRank(x.Kind) > kindRank(Silence) {
			continue
		}
		if best == nil || harder(x, best) {
			best = x
		}
	}
	if best == nil {
		return nil, false, nil
	}
	out := *best // the cached list is shared: callers get their own copy
	return &out, true, nil
}

// Sanctions lists every sanction a member received, newest first.
func (s *Service) Sanctions(ctx context.Context, userID int64) ([]*Sanction, error) {
	rows, err := s.db.Query(ctx, `select x.id, x.kind, x.reason, x.starts_at, x.ends_at, x.created_at,
		coalesce(c.username, ''), x.lifted_at, coalesce(l.username, '')
		from sanctions x left join users c on c.id = x.created_by left join users l on l.id = x.lifted_by
		where x.user_id = ? order by x.id desc`, userID)
	if err != nil {
		return nil, fmt.Errorf("moderation: sanctions of %d: %w", userID, err)
	}
	defer rows.Close()
	var out []*Sanction
	for rows.Next() {
		x := &Sanction{UserID: userID}
		var kind string
		var starts, created int64
		var ends, lifted sql.NullInt64
		if err := rows.Scan(&x.ID, &kind, &x.Reason, &starts, &ends, &created, &x.CreatedBy, &lifted, &x.LiftedBy); err != nil {
			return nil, fmt.Errorf("moderation: sanctions of %d: %w", userID, err)
		}
		x.Kind = SanctionKind(kind)
		x.StartsAt, x.EndsAt, x.CreatedAt, x.LiftedAt = time.Unix(starts, 0).UTC(), unix(ends), time.Unix(created, 0).UTC(), unix(lifted)
		out = append(out, x)
	}
	return out, rows.Err()
}

// SanctionRequest is a sanction a moderator chose.
type SanctionRequest struct {
	Kind     SanctionKind
	Duration time.Duration // ignored for a ban
}

// applySanction records a sanction inside tx and ends the member's sessions when they may
// no longer log in.
func (s *Service) applySanction(tx *storage.Tx, actor, member *account.User, req SanctionRequest, reason string, now time.Time) (*Sanction, error) {
	x := &Sanction{UserID: member.ID, Kind: req.Kind, Reason: reason, StartsAt: now, CreatedAt: now, CreatedBy: actor.Username}
	if req.Kind != Ban {
		x.EndsAt = now.Add(req.Duration)
	}
	res, err := tx.Exec(`insert into sanctions(user_id, kind, reason, starts_at, ends_at, created_by, created_at)
		values (?, ?, ?, ?, ?, ?, ?)`, member.ID, string(x.Kind), reason, now.Unix(), nullTime(x.EndsAt), actor.ID, now.Unix())
	if err != nil {
		return nil, fmt.Errorf("moderation: sanction %d: %w", member.ID, err)
	}
	if x.ID, err = res.LastInsertId(); err != nil {
		return nil, err
	}
	// The caller forgets the member's cached sanctions again once tx committed; doing it
	// here as well keeps a caller that does not know about the cache from reading stale.
	s.sanctionsChanged(member.ID)
	if x.Kind != Silence {
		if err := account.DeleteSessionsOf(tx, member.ID); err != nil {
			return nil, err
		}
	}
	action := map[SanctionKind]Action{Silence: ActSilence, Suspend: ActSuspend, Ban: ActBan}[x.Kind]
	label := member.Username
	if x.Kind != Ban {
		label += " for " + DurationLabel(req.Duration)
	}
	return x, Audit(tx, actor, Entry{At: now, Action: action, TargetKind: "user", TargetID: member.ID, TargetUserID: member.ID,
		TargetLabel: label, TargetURL: "/u/" + member.Username, Reason: reason})
}

// LiftSanction ends a sanction early.
func (s *Service) LiftSanction(ctx context.Context, actor, member *account.User, sanctionID int64, reason string) error {
	if err := requireStaff(actor); err != nil {
		return err
	}
	now := s.now()
	// Forget the cached sanctions once the write is over (committed or not).
	defer s.sanctionsChanged(member.ID)
	return s.db.Write(ctx, func(tx *storage.Tx) error {
		var kind string
		err := tx.QueryRow(`select kind from sanctions where id = ? and user_id = ? and lifted_at is null
			and (ends_at is null or ends_at > ?)`, sanctionID, member.ID, now.Unix()).Scan(&kind)
		if errors.Is(err, sql.ErrNoRows) {
			return storage.ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("moderation: load sanction %d: %w", sanctionID, err)
		}
		if _, err := tx.Exec("update sanctions set lifted_at = ?, lifted_by = ? where id = ?", now.Unix(), actor.ID, sanctionID); err != nil {
			return fmt.Errorf("moderation: lift sanction %d: %w", sanctionID, err)
		}
		return Audit(tx, actor, Entry{At: now, Action: ActLiftSanction, TargetKind: "user", TargetID: member.ID, TargetUserID: member.ID,
			TargetLabel: member.Username + " (" + kind + ")", TargetURL: "/u/" + member.Username, Reason: reason})
	})
}
