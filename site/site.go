// Package site holds what the admin says about the whole site: its name and description,
// shown in page titles and the header, feeds and mail, and the checklist that walks a new
// admin through setting the site up. It sits just above storage, so that every package
// that names the site (mail, the forum's feeds, the page chrome) can read it.
package site

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"stoa/bus"
	"stoa/storage"
	"stoa/web"
)

// DefaultName is the site's name until an admin chooses one.
const DefaultName = "Stoa"

// Limits on the settings, so that a name fits the header on a phone.
const (
	MaxNameRunes        = 60
	MaxDescriptionRunes = 300
)

// Info is the site's name and description.
type Info struct {
	Name        string
	Description string
	// Saved reports whether an admin has saved the settings at least once.
	Saved bool
	// ChecklistDismissed reports whether an admin put the setup checklist away.
	ChecklistDismissed bool
	// Automod is the automatic first line of moderation.
	Automod Automod
}

// DefaultNameReservationDays is the reservation of a deleted account's name until an admin
// chooses another; MaxNameReservationDays bounds it (ten years).
const (
	DefaultNameReservationDays = 90
	MaxNameReservationDays     = 3650
)

// NameReservation is how long a deleted account's username stays reserved.
func (s *Settings) NameReservation() time.Duration {
	return time.Duration(s.reservationDays.Load()) * 24 * time.Hour
}

// NameReservationDays is NameReservation in days, as the admin sets it.
func (s *Settings) NameReservationDays() int { return int(s.reservationDays.Load()) }

// Settings reads and changes the site's settings. Reads come from memory: every page
// names the site, so the settings are loaded once and replaced after each change commits.
type Settings struct {
	db    *storage.DB
	store *Store
	info  atomic.Pointer[Info]
	peers *bus.Bus
	log   *slog.Logger
	// reservationDays is how long a deleted account's username stays reserved.
	reservationDays atomic.Int64
}

// subjectSettings tells the other nodes that the settings changed.
const subjectSettings = "site"

// New loads the settings from db. peers are the other nodes on db (nil: none): when one
// of them saves, this node loads the settings again.
func New(ctx context.Context, db *storage.DB, peers *bus.Bus, log *slog.Logger) (*Settings, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Settings{db: db, store: NewStore(db), peers: peers, log: log}
	info, days, err := s.store.load(ctx)
	if err != nil {
		return nil, err
	}
	s.info.Store(&info)
	s.reservationDays.Store(int64(days))
	if err := peers.Subscribe(subjectSettings, func([]byte) { s.reload() }); err != nil {
		return nil, err
	}
	peers.OnResync(s.reload)
	return s, nil
}

// reload reads the settings another node saved.
func (s *Settings) reload() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	info, days, err := s.store.load(ctx)
	if err != nil {
		s.log.Error("site: reloading the settings another node saved failed", "err", err)
		return
	}
	s.info.Store(&info)
	s.reservationDays.Store(int64(days))
}

// Info returns the site's settings as last committed.
func (s *Settings) Info() Info { return *s.info.Load() }

// Name is the site's name.
func (s *Settings) Name() string { return s.info.Load().Name }

// Change is what an admin submits on the settings page.
type Change struct {
	Name        string
	Description string
	// ReservationDays is the form's text for NameReservationDays; empty keeps the default.
	ReservationDays string
	reservation     int
}

// Check trims c and returns the messages for its fields, or nil.
func (c *Change) Check() error {
	c.Name, c.Description = strings.TrimSpace(c.Name), strings.TrimSpace(c.Description)
	fields := map[string]string{}
	switch n := utf8.RuneCountInString(c.Name); {
	case n == 0:
		fields["name"] = "Give the site a name: it is shown at the top of every page and in feeds and mail."
	case n > MaxNameRunes:
		fields["name"] = "Shorten the name to 60 characters or fewer, so that it fits the header on a phone."
	case strings.ContainsAny(c.Name, "\r\n"):
		fields["name"] = "Write the name on one line."
	}
	if utf8.RuneCountInString(c.Description) > MaxDescriptionRunes {
		fields["description"] = "Shorten the description to 300 characters or fewer."
	}
	c.ReservationDays = strings.TrimSpace(c.ReservationDays)
	c.reservation = DefaultNameReservationDays
	if c.ReservationDays != "" {
		n, err := strconv.Atoi(c.ReservationDays)
		if err != nil || n < 0 || n > MaxNameReservationDays {
			fields["name_reservation_days"] = fmt.Sprintf("Write a whole number of days from 0 to %d.", MaxNameReservationDays)
		}
		c.reservation = n
	}
	return web.InvalidFields(fields)
}

// Recorder writes a settings change into the audit log inside the change's transaction;
// the server wires moderation's audit log in.
type Recorder func(tx *storage.Tx, actor Actor, summary string) error

// Actor is the admin making a change.
type Actor struct {
	ID   int64
	Name string
}

// Save stores c for actor and records it with record in the same transaction.
func (s *Settings) Save(ctx context.Context, actor Actor, c Change, record Recorder) error {
	if err := c.Check(); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *storage.Tx) error {
		if err := s.store.set(tx, keyName, c.Name); err != nil {
			return err
		}
		if err := s.store.set(tx, keyDescription, c.Description); err != nil {
			return err
		}
		if err := s.store.set(tx, keyNameReservationDays, strconv.Itoa(c.reservation)); err != nil {
			return err
		}
		if err := record(tx, actor, "Site name set to “"+c.Name+"”"); err != nil {
			return err
		}
		days := c.reservation
		tx.AfterCommit(s.reloadAfter(func(i *Info) {
			i.Name, i.Description, i.Saved = c.Name, c.Description, true
			s.reservationDays.Store(int64(days))
		}))
		return nil
	})
}

// SetChecklistDismissed puts the setup checklist away (or brings it back).
func (s *Settings) SetChecklistDismissed(ctx context.Context, dismissed bool) error {
	v := "0"
	if dismissed {
		v = "1"
	}
	return s.db.Write(ctx, func(tx *storage.Tx) error {
		if err := s.store.set(tx, keyChecklistDismissed, v); err != nil {
			return err
		}
		tx.AfterCommit(s.reloadAfter(func(i *Info) { i.ChecklistDismissed = dismissed }))
		return nil
	})
}

// reloadAfter returns the after-commit step that publishes a changed copy of the
// settings; it runs on the writer, in commit order, so the last change wins.
func (s *Settings) reloadAfter(change func(*Info)) func() {
	return func() {
		next := *s.info.Load()
		change(&next)
		s.info.Store(&next)
		s.peers.Publish(subjectSettings, nil)
	}
}
