// Package chat is Stoa's real-time chat: rooms, their history, the WebSocket hub that
// fans messages out, and the pages that show them with JavaScript on or off.
package chat

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"stoa/storage"
)

// Room is a chat room.
type Room struct {
	ID         int64
	Slug       string
	Name       string
	Topic      string
	CreatedAt  time.Time
	ArchivedAt time.Time
	// SlowSeconds is how long a member waits between messages here (0: no slow mode).
	SlowSeconds int
	// FrozenAt is when staff froze the room: only staff can send until they thaw it.
	FrozenAt time.Time
	// Activity, filled by Rooms: how many messages and when the latest was written.
	Messages int
	LastAt   time.Time
}

// Archived reports whether the room is read-only.
func (r *Room) Archived() bool { return !r.ArchivedAt.IsZero() }

// URL is the room's page.
func (r *Room) URL() string { return "/chat/" + r.Slug }

// Message is one chat message.
type Message struct {
	ID        int64
	RoomID    int64
	Room      string // the room's slug
	AuthorID  int64  // 0 once the author deleted their account
	Author    string
	Source    string
	HTML      string
	Nonce     string
	CreatedAt time.Time
	EditedAt  time.Time
	Hidden    bool
	Deleted   bool
	// Mentions are the usernames the message mentions, set when it is published or
	// edited, for notifying them.
	Mentions []string
	// searchText is what the search index holds for the message: the plain text of its
	// HTML, worked out before the write that stores it.
	searchText string
}

// URL is an address that shows the message on its room's history page.
func (m *Message) URL() string {
	return fmt.Sprintf("/chat/%s?before=%d#m%d", m.Room, m.ID+1, m.ID)
}

// Store is chat's SQL. Reads go to the database's readers; writes take the transaction
// they belong to.
type Store struct {
	db *storage.DB
}

// NewStore returns a Store on db.
func NewStore(db *storage.DB) *Store { return &Store{db: db} }

func unixTime(t sql.NullInt64) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return time.Unix(t.Int64, 0).UTC()
}

// nullUnix stores the zero time as null.
func nullUnix(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Unix()
}

// nullString stores "" as null.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

const roomColumns = "id, slug, name, topic, created_at, archived_at, slow_seconds, frozen_at"

func scanRoom(row interface{ Scan(...any) error }, extra ...any) (*Room, error) {
	var r Room
	var created int64
	var archived, frozen sql.NullInt64
	dest := append([]any{&r.ID, &r.Slug, &r.Name, &r.Topic, &created, &archived, &r.SlowSeconds, &frozen}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	r.CreatedAt, r.ArchivedAt, r.FrozenAt = time.Unix(created, 0).UTC(), unixTime(archived), unixTime(frozen)
	return &r, nil
}

// Rooms lists every room, the most recently active first, with its activity.
func (s *Store) Rooms(ctx context.Context) ([]*Room, error) {
	// The activity is worked out in a subquery: PostgreSQL takes an output column's alias
	// in "order by" only on its own, not inside an expression such as coalesce.
	rows, err := s.db.Query(ctx, `select `+roomColumns+`, n, last_at from (select `+roomColumns+`,
		(select count(*) from chat_messages m where m.room_id = r.id and m.deleted_at is null and m.hidden_at is null) as n,
		(select max(m.created_at) from chat_messages m where m.room_id = r.id and m.deleted_at is null and m.hidden_at is null) as last_at
		from chat_rooms r) as rooms order by coalesce(last_at, created_at) desc, name`)
	if err != nil {
		return nil, fmt.Errorf("chat: list rooms: %w", err)
	}
	defer rows.Close()
	var out []*Room
	for rows.Next() {
		var last sql.NullInt64
		var n int
		r, err := scanRoom(rows, &n, &last)
		if err != nil {
			return nil, fmt.Errorf("chat: list rooms: %w", err)
		}
		r.Messages, r.LastAt = n, unixTime(last)
		out = append(out, r)
	}
	return out, rows.Err()
}

// roomsOnly lists every room without its activity, which Rooms counts.
func (s *Store) roomsOnly(ctx context.Context) ([]*Room, error) {
	rows, err := s.db.Query(ctx, "select "+roomColumns+" from chat_rooms order by id")
	if err != nil {
		return nil, fmt.Errorf("chat: list rooms: %w", err)
	}
	defer rows.Close()
	var out []*Room
	for rows.Next() {
		r, err := scanRoom(rows)
		if err != nil {
			return nil, fmt.Errorf("chat: list rooms: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RoomBySlug loads one room, or storage.ErrNotFound.
func (s *Store) RoomBySlug(ctx context.Context, slug string) (*Room, error) {
	r, err := scanRoom(s.db.QueryRow(ctx, "select "+roomColumns+" from chat_rooms where slug = ?", slug))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, storage.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("chat: load room %q: %w", slug, err)
	}
	return r, nil
}

// roomByID loads one room, or storage.ErrNotFound.
func (s *Store) roomByID(ctx context.Context, id int64) (*Room, error) {
	r, err := scanRoom(s.db.QueryRow(ctx, "select "+roomColumns+" from chat_rooms where id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, storage.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("chat: load room %d: %w", id, err)
	}
	return r, nil
}

// CountRooms returns how many rooms exist, archived or not.
func (s *Store) CountRooms(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRow(ctx, "select count(*) from chat_rooms").Scan(&n); err != nil {
		return 0, fmt.Errorf("chat: count rooms: %w", err)
	}
	return n, nil
}

// insertRoom adds r and sets its ID.
func (s *Store) insertRoom(tx *storage.Tx, r *Room) error {
	err := tx.QueryRow("insert into chat_rooms(slug, name, topic, created_at) values (?, ?, ?, ?) returning id",
		r.Slug, r.Name, r.Topic, r.CreatedAt.Unix()).Scan(&r.ID)
	if err != nil {
		return fmt.Errorf("chat: create room %q: %w", r.Slug, err)
	}
	return nil
}

// updateRoom changes a room's name and topic; its slug, and so its address, stays.
func (s *Store) updateRoom(tx *storage.Tx, id int64, name, topic string) error {
	if _, err := tx.Exec("update chat_rooms set name = ?, topic = ? where id = ?", name, topic, id); err != nil {
		return fmt.Errorf("chat: rename room %d: %w", id, err)
	}
	return nil
}

// setRoomArchived archives a room at at, or opens it again when at is zero.
func (s *Store) setRoomArchived(tx *storage.Tx, id int64, at time.Time) error {
	if _, err := tx.Exec("update chat_rooms set archived_at = ? where id = ?", nullUnix(at), id); err != nil {
		return fmt.Errorf("chat: archive room %d: %w", id, err)
	}
	return nil
}

const messageColumns = `m.id, m.room_id, r.slug, coalesce(m.author_id, 0), coalesce(u.username, 'former-member'),
	m.source, m.html, coalesce(m.nonce, ''), m.created_at, m.edited_at, m.hidden_at is not null, m.deleted_at is not null`

const messageFrom = ` from chat_messages m join chat_rooms r on r.id = m.room_id left join users u on u.id = m.author_id `

func scanMessage(row interface{ Scan(...any) error }) (*Message, error) {
	var m Message
	var created int64
	var edited sql.NullInt64
	if err := row.Scan(&m.ID, &m.RoomID, &m.Room, &m.AuthorID, &m.Author, &m.Source, &m.HTML, &m.Nonce,
		&created, &edited, &m.Hidden, &m.Deleted); err != nil {
		return nil, err
	}
	m.CreatedAt, m.EditedAt = time.Unix(created, 0).UTC(), unixTime(edited)
	return &m, nil
}

func (s *Store) queryMessages(ctx context.Context, query string, args ...any) ([]*Message, error) {
	rows, err := s.db.Query(ctx, "select "+messageColumns+messageFrom+query, args...)
	if err != nil {
		return nil, fmt.Errorf("chat: query messages: %w", err)
	}
	defer rows.Close()
	var out []*Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, fmt.Errorf("chat: read messages: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// MessageByID loads one message, deleted and hidden ones included, or storage.ErrNotFound.
func (s *Store) MessageByID(ctx context.Context, id int64) (*Message, error) {
	m, err := scanMessage(s.db.QueryRow(ctx, "select "+messageColumns+messageFrom+"where m.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, storage.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("chat: load message %d: %w", id, err)
	}
	return m, nil
}

// messageByIDTx is MessageByID inside a write.
func (s *Store) messageByIDTx(tx *storage.Tx, id int64) (*Message, error) {
	m, err := scanMessage(tx.QueryRow("select "+messageColumns+messageFrom+"where m.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, storage.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("chat: load message %d: %w", id, err)
	}
	return m, nil
}

const visible = " and m.deleted_at is null and m.hidden_at is null "

// Latest returns up to limit visible messages of a room older than before (0: the newest),
// oldest first, and whether older ones exist.
func (s *Store) Latest(ctx context.Context, roomID, before int64, limit int) ([]*Message, bool, error) {
	if before <= 0 {
		before = 1<<63 - 1
	}
	out, err := s.queryMessages(ctx, "where m.room_id = ? and m.id < ?"+visible+"order by m.id desc limit ?", roomID, before, limit+1)
	if err != nil {
		return nil, false, err
	}
	more := len(out) > limit
	if more {
		out = out[:limit]
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, more, nil
}

// After returns up to limit visible messages of a room with an id above after, oldest first.
func (s *Store) After(ctx context.Context, roomID, after int64, limit int) ([]*Message, error) {
	return s.queryMessages(ctx, "where m.room_id = ? and m.id > ?"+visible+"order by m.id limit ?", roomID, after, limit)
}

// messagesByAuthor returns every message a member wrote, deleted and hidden ones included.
func (s *Store) messagesByAuthor(ctx context.Context, userID int64) ([]*Message, error) {
	return s.queryMessages(ctx, "where m.author_id = ? order by m.id", userID)
}

// messageBySubmitToken finds the message a member already posted with a form token.
func (s *Store) messageBySubmitToken(ctx context.Context, userID int64, token string) (*Message, error) {
	m, err := scanMessage(s.db.QueryRow(ctx, "select "+messageColumns+messageFrom+
		"where m.author_id = ? and m.submit_token = ?", userID, token))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, storage.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("chat: message by token: %w", err)
	}
	return m, nil
}

// insertMessage stores m with its search text and sets its ID; a submitToken already used
// by the author fails as a unique violation.
//
// The id comes from LastInsertId rather than "returning id": on SQLite a returning insert
// runs as a statement of its own, and each one makes FTS5 write the terms pending in the
// transaction out to a new segment, which at chat ingest tripled the cost of a message.
func (s *Store) insertMessage(tx *storage.Tx, m *Message, submitToken string) error {
	id, err := tx.InsertID(`insert into chat_messages(room_id, author_id, source, html, nonce, submit_token, created_at)
		values (?, ?, ?, ?, ?, ?, ?)`, m.RoomID, m.AuthorID, m.Source, m.HTML, nullString(m.Nonce),
		nullString(submitToken), m.CreatedAt.Unix())
	if err != nil {
		return fmt.Errorf("chat: insert message in room %d: %w", m.RoomID, err)
	}
	m.ID = id
	return s.indexMessage(tx, m.ID, m.searchText)
}

// updateMessage replaces a message's text and its search text.
func (s *Store) updateMessage(tx *storage.Tx, m *Message) error {
	if _, err := tx.Exec("update chat_messages set source = ?, html = ?, edited_at = ? where id = ?",
		m.Source, m.HTML, m.EditedAt.Unix(), m.ID); err != nil {
		return fmt.Errorf("chat: edit message %d: %w", m.ID, err)
	}
	return s.reindexMessage(tx, m.ID, m.searchText)
}

// markDeleted deletes a message at at; a message deleted already keeps its first deletion.
// A message its author deletes loses its text at once, here and in the search index; one
// deleted by staff keeps it for the moderators until purgeDeleted.
func (s *Store) markDeleted(tx *storage.Tx, id int64, at time.Time, byStaff bool) error {
	if _, err := tx.Exec("update chat_messages set deleted_at = ?, deleted_by_staff = ? where id = ? and deleted_at is null",
		at.Unix(), byStaff, id); err != nil {
		return fmt.Errorf("chat: delete message %d: %w", id, err)
	}
	if byStaff {
		return nil
	}
	if _, err := tx.Exec("delete from chat_search where rowid = ?", id); err != nil {
		return fmt.Errorf("chat: unindex message %d: %w", id, err)
	}
	if _, err := tx.Exec(`update chat_messages set source = '', html = '', nonce = null, submit_token = null
		where id = ? and deleted_by_staff = 0`, id); err != nil {
		return fmt.Errorf("chat: empty message %d: %w", id, err)
	}
	return nil
}

// purgeDeleted empties the messages deleted before cutoff that still have text (those
// staff deleted), and takes them out of the search index.
func (s *Store) purgeDeleted(tx *storage.Tx, cutoff time.Time) error {
	for _, q := range []string{
		"delete from chat_search where rowid in (select id from chat_messages where deleted_at < ? and source != '')",
		"update chat_messages set source = '', html = '', nonce = null, submit_token = null where deleted_at < ? and source != ''",
	} {
		if _, err := tx.Exec(q, cutoff.Unix()); err != nil {
			return fmt.Errorf("chat: purge deleted messages: %w", err)
		}
	}
	return nil
}

// setHidden hides a message at at, or shows it again when at is zero.
func (s *Store) setHidden(tx *storage.Tx, id int64, at time.Time) error {
	if _, err := tx.Exec("update chat_messages set hidden_at = ? where id = ?", nullUnix(at), id); err != nil {
		return fmt.Errorf("chat: hide message %d: %w", id, err)
	}
	return nil
}

// AckVersion returns the policy version with which a member acknowledged that a room is
// public, or 0 when they never did.
func (s *Store) AckVersion(ctx context.Context, userID, roomID int64) (int, error) {
	var v int
	err := s.db.QueryRow(ctx, "select policy_version from chat_acks where user_id = ? and room_id = ?", userID, roomID).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("chat: acknowledgement of %d in room %d: %w", userID, roomID, err)
	}
	return v, nil
}

// recordAck records that a member acknowledged, under policy version, that a room is
// public.
func (s *Store) recordAck(tx *storage.Tx, userID, roomID int64, version int, at time.Time) error {
	_, err := tx.Exec(`insert into chat_acks(user_id, room_id, policy_version, acked_at) values (?, ?, ?, ?)
		on conflict(user_id, room_id) do update set policy_version = excluded.policy_version, acked_at = excluded.acked_at`,
		userID, roomID, version, at.Unix())
	if err != nil {
		return fmt.Errorf("chat: record acknowledgement of %d in room %d: %w", userID, roomID, err)
	}
	return nil
}

func userKey(id int64) string { return strconv.FormatInt(id, 10) }

// lastSentAt is when the member last sent a message in the room (published or held for
// review), or the zero time.
func (s *Store) lastSentAt(ctx context.Context, userID, roomID int64) (time.Time, error) {
	var at sql.NullInt64
	// Newest first along chat_messages_author_time: the walk stops at the member's latest
	// message in this room.
	err := s.db.QueryRow(ctx, `select max(at) from (
		select (select created_at from chat_messages where author_id = ? and room_id = ? order by created_at desc limit 1) as at
		union all select max(created_at) from chat_held where author_id = ? and room_id = ?) as both_kinds`,
		userID, roomID, userID, roomID).Scan(&at)
	if err != nil {
		return time.Time{}, fmt.Errorf("chat: last message of %d in room %d: %w", userID, roomID, err)
	}
	return unixTime(at), nil
}

// recentSources returns the sources of the member's messages written since, in any
// room, held ones included.
func (s *Store) recentSources(ctx context.Context, userID int64, since time.Time) ([]string, error) {
	rows, err := s.db.Query(ctx, `select source from chat_messages where author_id = ? and created_at >= ? and deleted_at is null
		union all select source from chat_held where author_id = ? and created_at >= ? limit 200`,
		userID, since.Unix(), userID, since.Unix())
	if err != nil {
		return nil, fmt.Errorf("chat: recent messages of %d: %w", userID, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var src string
		if err := rows.Scan(&src); err != nil {
			return nil, fmt.Errorf("chat: recent messages of %d: %w", userID, err)
		}
		out = append(out, src)
	}
	return out, rows.Err()
}

func (s *Store) insertHeld(tx *storage.Tx, m *Message, note string) error {
	id, err := tx.InsertID(`insert into chat_held(room_id, author_id, source, html, note, created_at) values (?, ?, ?, ?, ?, ?)`,
		m.RoomID, m.AuthorID, m.Source, m.HTML, note, m.CreatedAt.Unix())
	if err != nil {
		return fmt.Errorf("chat: hold message in room %d: %w", m.RoomID, err)
	}
	m.ID = id
	return nil
}

const heldColumns = `h.id, h.room_id, r.slug, h.author_id, u.username, h.source, h.html, h.note, h.created_at`

func scanHeld(row interface{ Scan(...any) error }) (*HeldMessage, error) {
	var h HeldMessage
	var at int64
	if err := row.Scan(&h.ID, &h.RoomID, &h.Room, &h.AuthorID, &h.Author, &h.Source, &h.HTML, &h.Note, &at); err != nil {
		return nil, err
	}
	h.CreatedAt = time.Unix(at, 0).UTC()
	return &h, nil
}

// heldMessages lists the messages waiting for review, oldest first.
func (s *Store) heldMessages(ctx context.Context, limit int) ([]*HeldMessage, error) {
	rows, err := s.db.Query(ctx, "select "+heldColumns+` from chat_held h join chat_rooms r on r.id = h.room_id
		join users u on u.id = h.author_id order by h.id limit ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("chat: held messages: %w", err)
	}
	defer rows.Close()
	var out []*HeldMessage
	for rows.Next() {
		h, err := scanHeld(rows)
		if err != nil {
			return nil, fmt.Errorf("chat: held messages: %w", err)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// takeHeld removes a held message and returns it, or storage.ErrNotFound.
func (s *Store) takeHeld(tx *storage.Tx, id int64) (*HeldMessage, error) {
	h, err := scanHeld(tx.QueryRow("select "+heldColumns+` from chat_held h join chat_rooms r on r.id = h.room_id
		join users u on u.id = h.author_id where h.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, storage.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("chat: held message %d: %w", id, err)
	}
	if _, err := tx.Exec("delete from chat_held where id = ?", id); err != nil {
		return nil, fmt.Errorf("chat: held message %d: %w", id, err)
	}
	return h, nil
}

// setRoomMode stores a room's slow mode and freeze (the zero time: not frozen).
func (s *Store) setRoomMode(tx *storage.Tx, id int64, slowSeconds int, frozenAt time.Time) error {
	if _, err := tx.Exec("update chat_rooms set slow_seconds = ?, frozen_at = ? where id = ?", slowSeconds, nullUnix(frozenAt), id); err != nil {
		return fmt.Errorf("chat: set mode of room %d: %w", id, err)
	}
	return nil
}

// heldByAuthor lists the member's messages waiting for review, oldest first.
func (s *Store) heldByAuthor(ctx context.Context, userID int64) ([]*HeldMessage, error) {
	rows, err := s.db.Query(ctx, "select "+heldColumns+` from chat_held h join chat_rooms r on r.id = h.room_id
		join users u on u.id = h.author_id where h.author_id = ? order by h.id`, userID)
	if err != nil {
		return nil, fmt.Errorf("chat: held messages of %d: %w", userID, err)
	}
	defer rows.Close()
	var out []*HeldMessage
	for rows.Next() {
		h, err := scanHeld(rows)
		if err != nil {
			return nil, fmt.Errorf("chat: held messages of %d: %w", userID, err)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// deleteHeldOf removes the member's messages waiting for review.
func (s *Store) deleteHeldOf(tx *storage.Tx, userID int64) error {
	if _, err := tx.Exec("delete from chat_held where author_id = ?", userID); err != nil {
		return fmt.Errorf("chat: erase held messages of %d: %w", userID, err)
	}
	return nil
}
