package storage

import (
	"context"
	"strings"
	"testing"
)

// rerun runs the migration numbered version again on db, over data written as an older
// Stoa wrote it.
func rerun(t *testing.T, db *DB, version int) {
	t.Helper()
	all, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range all {
		if m.version == version {
			if _, err := db.write.ExecContext(context.Background(), m.sql); err != nil {
				t.Fatalf("migration %s: %v", m.name, err)
			}
			return
		}
	}
	t.Fatalf("no migration %d", version)
}

func exec(t *testing.T, db *DB, query string, args ...any) {
	t.Helper()
	if _, err := db.write.ExecContext(context.Background(), query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func one[T any](t *testing.T, db *DB, query string, args ...any) T {
	t.Helper()
	var v T
	if err := db.Read().QueryRow(query, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return v
}

// Migrations 0096 and 0097 (issue 16) fix what earlier versions stored: the text of chat
// messages their authors deleted, and the emoji that marked image links.
func TestMigrationsFixStoredContent(t *testing.T) {
	db := openTest(t)
	exec(t, db, "insert into users(id, username, username_key, password_hash, created_at) values (1, 'alice', 'alice', '!', 0)")
	exec(t, db, "insert into chat_rooms(id, slug, name, created_at) values (1, 'general', 'General', 0)")
	for _, m := range []struct {
		id               int
		source           string
		deleted, byStaff any
	}{{1, "taken back", 1, 0}, {2, "removed by a moderator", 1, 1}, {3, "still here", nil, 0}} {
		exec(t, db, `insert into chat_messages(id, room_id, author_id, source, html, nonce, created_at, deleted_at, deleted_by_staff)
			values (?, 1, 1, ?, ?, 'n', 0, ?, ?)`, m.id, m.source, "<p>"+m.source+"</p>", m.deleted, m.byStaff)
		exec(t, db, "insert into chat_search(rowid, body) values (?, ?)", m.id, m.source)
	}
	rerun(t, db, 96)
	if n := one[int](t, db, "select count(*) from chat_messages where source || html != '' or nonce is not null"); n != 2 {
		t.Errorf("%d messages keep text, want 2 (the staff-deleted one and the live one)", n)
	}
	if one[string](t, db, "select source from chat_messages where id = 1") != "" || one[int](t, db, "select count(*) from chat_search where rowid = 1") != 0 {
		t.Error("the message its author deleted keeps its text or its search entry")
	}

	old := `<p>Look <a href="https://img.example/cat.png" rel="nofollow ugc noopener" class="img-link">🖼 our cat</a> and 🖼 mine</p>`
	want := `<p>Look <a href="https://img.example/cat.png" rel="nofollow ugc noopener" class="img-link"><span class="img-label">Image: </span>our cat</a> and 🖼 mine</p>`
	exec(t, db, "insert into categories(id, slug, name, created_at) values (1, 'general', 'General', 0)")
	exec(t, db, "insert into threads(id, category_id, author_id, title, slug, created_at, last_post_at) values (1, 1, 1, 't', 't', 0, 0)")
	exec(t, db, "insert into posts(id, thread_id, author_id, number, source, html, created_at) values (1, 1, 1, 1, 's', ?, 0)", old)
	exec(t, db, "insert into post_revisions(post_id, source, html, created_at) values (1, 's', ?, 0)", old)
	exec(t, db, "update chat_messages set html = ? where id = 3", old)
	rerun(t, db, 97)
	for _, q := range []string{"select html from posts where id = 1", "select html from post_revisions where post_id = 1", "select html from chat_messages where id = 3"} {
		if got := one[string](t, db, q); got != want {
			t.Errorf("%s:\n got %s\nwant %s", q, got, want)
		}
	}
	if !strings.Contains(want, "🖼 mine") {
		t.Fatal("the test lost the member's own emoji")
	}
}
