package privacy_test

import (
	"context"
	"fmt"
	"html"
	"strings"
	"sync"
	"testing"

	"stoa/privacy"
	"stoa/storage"
	"stoa/storage/storagetest"
)

// openDB opens a fresh database with every migration applied, on the engine
// STOA_TEST_ENGINE names.
func openDB(t *testing.T) *storage.DB {
	t.Helper()
	return storagetest.Open(t)
}

// members is an in-memory directory of accounts that also inserts them in the database,
// so foreign keys hold.
type members struct {
	db   *storage.DB
	mu   sync.Mutex
	list []privacy.Member
}

func newMembers(db *storage.DB) *members { return &members{db: db} }

func (m *members) add(t *testing.T, name, email string, admin bool) privacy.Member {
	t.Helper()
	var id int64
	role := "member"
	if admin {
		role = "admin"
	}
	err := m.db.Write(context.Background(), func(tx *storage.Tx) error {
		var err error
		id, err = tx.InsertID("insert into users(username, username_key, email, password_hash, role, created_at) values (?, ?, nullif(?, ''), 'x', ?, 1)",
			name, strings.ToLower(name), email, role)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	mem := privacy.Member{ID: id, Username: name, Email: email, Confirmed: email != "", Staff: admin, Admin: admin}
	m.mu.Lock()
	m.list = append(m.list, mem)
	m.mu.Unlock()
	return mem
}

func (m *members) ByID(_ context.Context, id int64) (*privacy.Member, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, x := range m.list {
		if x.ID == id {
			return &x, nil
		}
	}
	return nil, fmt.Errorf("member %d: %w", id, privacy.ErrNotFound)
}

func (m *members) ByUsername(_ context.Context, name string) (*privacy.Member, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, x := range m.list {
		if strings.EqualFold(x.Username, name) {
			return &x, nil
		}
	}
	return nil, fmt.Errorf("member %q: %w", name, privacy.ErrNotFound)
}

func (m *members) WithEmail(context.Context) ([]privacy.Member, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []privacy.Member
	for _, x := range m.list {
		if x.MailTo() != "" {
			out = append(out, x)
		}
	}
	return out, nil
}

// outbox records queued mail in a table of its own, so a rolled-back action leaves none.
type outbox struct{ db *storage.DB }

func newOutbox(t *testing.T, db *storage.DB) *outbox {
	t.Helper()
	err := db.Write(context.Background(), func(tx *storage.Tx) error {
		_, err := tx.Exec("create table test_mail(recipient text, subject text, body text, kind text, user_id integer, headers text)")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return &outbox{db: db}
}

func (o *outbox) Enqueue(tx *storage.Tx, m privacy.Mail) error {
	var h []string
	for k, v := range m.Headers {
		h = append(h, k+": "+v)
	}
	_, err := tx.Exec("insert into test_mail values (?, ?, ?, ?, ?, ?)", m.To, m.Subject, m.Text, m.Kind, m.UserID, strings.Join(h, "\n"))
	return err
}

type sentMail struct {
	To, Subject, Body, Kind, Headers string
	UserID                           int64
}

func (o *outbox) sent(t *testing.T) []sentMail {
	t.Helper()
	// In the order queued: rowid on SQLite, the physical position ctid on PostgreSQL (the
	// table is only ever inserted into).
	order := "rowid"
	if o.db.Dialect() == storage.Postgres {
		order = "ctid"
	}
	rows, err := o.db.Query(context.Background(), "select recipient, subject, body, kind, user_id, headers from test_mail order by "+order)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []sentMail
	for rows.Next() {
		var m sentMail
		if err := rows.Scan(&m.To, &m.Subject, &m.Body, &m.Kind, &m.UserID, &m.Headers); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func render(src string) string { return "<p>" + html.EscapeString(src) + "</p>" }
