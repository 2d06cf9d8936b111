package chat

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"stoa/account"
	"stoa/storage"
	"stoa/web"
)

// reservedSlugs would collide with chat's own addresses.
var reservedSlugs = map[string]bool{"admin": true, "new": true, "ws": true}

// ValidateSlug returns a message for a room address that cannot be used, or "".
func ValidateSlug(slug string) string {
	if len(slug) < 2 || len(slug) > 32 {
		return "Use 2 to 32 characters for the room's address."
	}
	for i := 0; i < len(slug); i++ {
		c := slug[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' && i > 0 && i < len(slug)-1) {
			return "Use only lower-case letters, digits and inner dashes in the room's address, like release-planning."
		}
	}
	if reservedSlugs[slug] {
		return "That address is reserved. Please choose another."
	}
	return ""
}

func checkRoomText(name, topic string, fields map[string]string) {
	if n := utf8.RuneCountInString(name); strings.TrimSpace(name) == "" || n > 60 {
		fields["name"] = "Give the room a name of at most 60 characters."
	}
	if utf8.RuneCountInString(topic) > 200 {
		fields["topic"] = "Shorten the topic to 200 characters or fewer."
	}
}

// EnsureDefaultRoom creates the "general" room when there is no room at all.
func (s *Service) EnsureDefaultRoom(ctx context.Context) error {
	n, err := s.store.CountRooms(ctx)
	if err != nil || n > 0 {
		return err
	}
	r := defaultRoom()
	r.CreatedAt = s.now()
	return s.db.Write(ctx, func(tx *storage.Tx) error { return s.store.insertRoom(tx, r) })
}

func defaultRoom() *Room {
	return &Room{Slug: "general", Name: "General", Topic: "Say hello and talk about anything."}
}

// RoomsSetUp reports whether an admin has shaped the rooms: added one, or renamed or
// given a topic to the one Stoa starts with (the setup checklist asks for it).
func (s *Service) RoomsSetUp(ctx context.Context) (bool, error) {
	// Asked on every page an admin opens until the checklist is done: no message counts.
	rooms, err := s.store.roomsOnly(ctx)
	if err != nil {
		return false, err
	}
	d := defaultRoom()
	return len(rooms) > 1 || len(rooms) == 1 && (rooms[0].Name != d.Name || rooms[0].Topic != d.Topic), nil
}

// CreateRoom adds a room (admins only).
func (s *Service) CreateRoom(ctx context.Context, u *account.User, slug, name, topic string) (*Room, error) {
	if !u.IsAdmin() {
		return nil, ErrNotAdmin
	}
	slug, name, topic = strings.ToLower(strings.TrimSpace(slug)), strings.TrimSpace(name), strings.TrimSpace(topic)
	fields := map[string]string{}
	if msg := ValidateSlug(slug); msg != "" {
		fields["slug"] = msg
	}
	checkRoomText(name, topic, fields)
	if err := web.InvalidFields(fields); err != nil {
		return nil, err
	}
	if _, err := s.store.RoomBySlug(ctx, slug); err == nil {
		return nil, errRoomTaken
	}
	r := &Room{Slug: slug, Name: name, Topic: topic, CreatedAt: s.now()}
	err := s.db.Write(ctx, func(tx *storage.Tx) error { return s.store.insertRoom(tx, r) })
	if storage.IsUniqueViolation(err) {
		// Another admin created the same address a moment ago.
		return nil, errRoomTaken
	}
	if err != nil {
		return nil, err
	}
	return r, nil
}

// UpdateRoom renames a room and changes its topic (admins only); its address stays, so
// links to it keep working.
func (s *Service) UpdateRoom(ctx context.Context, u *account.User, room *Room, name, topic string) error {
	if !u.IsAdmin() {
		return ErrNotAdmin
	}
	name, topic = strings.TrimSpace(name), strings.TrimSpace(topic)
	fields := map[string]string{}
	checkRoomText(name, topic, fields)
	if err := web.InvalidFields(fields); err != nil {
		return err
	}
	// Drop the cached room however the write ends: a failed commit may still have
	// reached the disk.
	defer s.roomChanged(room.ID)
	return s.db.Write(ctx, func(tx *storage.Tx) error { return s.store.updateRoom(tx, room.ID, name, topic) })
}

// SetArchived archives a room (read-only) or opens it again (admins only).
func (s *Service) SetArchived(ctx context.Context, u *account.User, room *Room, archived bool) error {
	if !u.IsAdmin() {
		return ErrNotAdmin
	}
	var at time.Time
	if archived {
		at = s.now()
	}
	// Drop the cached room however the write ends: a failed commit may still have
	// reached the disk.
	defer s.roomChanged(room.ID)
	return s.db.Write(ctx, func(tx *storage.Tx) error { return s.store.setRoomArchived(tx, room.ID, at) })
}
