package storage_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"stoa/storage"
	"stoa/storage/storagetest"
)

// community fills a SQLite database with at least one row in every table, with the
// values that are easy to get wrong between engines: nulls, flags, 64-bit integers,
// bytes with zeros, text in several scripts, keys whose order depends on byte order.
func community(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "stoa.db")
	db, err := storage.Open(context.Background(), path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stmts := []string{
		`insert into users(id, username, username_key, display_name, email, email_verified, password_hash, role, created_at, deleted_at, name_mark) values
			(1, 'admin', 'admin', 'Åsa Admin', 'admin@example.org', 1, '$argon2id$v=19$m=19456,t=2,p=1$abc$def', 'admin', 1700000000, null, null),
			(2, 'Ann', 'ann', '', null, 0, 'hash-ann', 'member', 1700000100, null, null),
			(7, '', 'deleted:7', '', null, 0, '', 'member', 1700000200, 1700009999, x'00ff10ab')`,
		`insert into sessions values (x'0011223344556677889900aabbccddeeff', 2, 1700000300, 9223372036854775807)`,
		`insert into categories(id, slug, name, description, position, created_at) values (1, 'general', 'General', 'Talk — about “anything”', 0, 1700000000), (5, 'meta', 'Meta', '', -3, 1700000001)`,
		`insert into threads(id, category_id, author_id, title, slug, created_at, last_post_at, post_count, locked, pinned, hidden_at, deleted_at, in_review) values
			(1, 1, 2, 'Welcome to the commons', 'welcome-to-the-commons', 1700001000, 1700002000, 2, 0, 1, null, null, 0),
			(3, 5, 1, 'Zürich meetup 東京', 'zurich-meetup', 1700003000, 1700003000, 1, 1, 0, 1700003500, null, 0)`,
		`insert into posts(id, thread_id, author_id, number, source, html, created_at, edited_at, hidden_at, deleted_at, submit_token, review, review_note) values
			(1, 1, 2, 1, 'Hello **gardeners**', '<p>Hello <strong>gardeners</strong></p>', 1700001000, 1700001500, null, null, 'tok-1', '', ''),
			(2, 1, 1, 2, 'Tomatoes and ''quotes''', '<p>Tomatoes and &#39;quotes&#39;</p>', 1700002000, null, null, null, null, '', ''),
			(9, 3, 1, 1, 'Emoji 🌱 and tabs	here', '<p>Emoji 🌱</p>', 1700003000, null, 1700003500, null, null, 'watched_word', 'spam')`,
		`insert into post_revisions(id, post_id, source, html, created_at) values (4, 1, 'Hello gardners', '<p>Hello gardners</p>', 1700001000)`,
		`insert into chat_rooms(id, slug, name, topic, created_at, archived_at, slow_seconds, frozen_at) values (1, 'general', 'General', 'Anything', 1700000000, null, 0, null), (2, 'seeds', 'Seeds', '', 1700000001, null, 30, 1700000500)`,
		`insert into chat_messages(id, room_id, author_id, source, html, nonce, submit_token, created_at, edited_at, hidden_at, deleted_at, deleted_by_staff) values
			(1, 1, 2, 'first marigold message', '<p>first marigold message</p>', 'c1', null, 1700004000, null, null, null, 0),
			(2, 1, null, 'from a former member', '<p>from a former member</p>', null, 'st', 1700004001, 1700004002, null, null, 0),
			(40, 2, 1, 'removed', '<p>removed</p>', null, null, 1700004003, null, 1700004004, 1700004005, 1)`,
		`insert into chat_acks values (2, 1, 3, 1700004000)`,
		`insert into chat_reads values (2, 1, 2)`,
		`insert into chat_held(id, room_id, author_id, source, html, note, created_at) values (3, 1, 2, 'held text', '<p>held text</p>', 'new member', 1700004100)`,
		`insert into mod_incidents(id, user_id, created_by, created_at, summary) values (2, 2, 1, 1700005000, 'Spam wave')`,
		`insert into reports(id, reporter_id, target_kind, target_id, target_user_id, reason, details, snapshot_label, snapshot_text, snapshot_html, target_url, created_at, updated_at, resolved_at, resolved_by, resolution, incident_id) values
			(1, 1, 'post', 9, 1, 'spam', 'looks like spam', 'Post #1', 'Emoji', '<p>Emoji</p>', '/t/3#p9', 1700005000, 1700005001, null, null, null, 2),
			(2, 2, 'message', 40, 1, 'other', '', '', '', '', '', 1700005002, 1700005003, 1700005004, 1, 'dismissed', null)`,
		`insert into sanctions(id, user_id, kind, reason, starts_at, ends_at, created_by, created_at, lifted_at, lifted_by, lift_reason, lifted_in_error, replaced_by) values
			(1, 2, 'silence', 'rule 1', 1700006000, 1700092400, 1, 1700006000, 1700007000, 1, 'heavier', 0, 2),
			(2, 2, 'suspend', 'rule 1 again', 1700007000, null, 1, 1700007000, null, null, '', 0, null)`,
		`insert into notices(id, user_id, moderator_id, report_kind, report_target, body, html, rules, agreement_version, quote_label, quote_html, quote_url, sanction, created_at, read_at, member_seen_at, member_seen_reply, staff_seen_reply, last_staff_reply, last_member_reply, lifted_sanction) values
			(1, 2, 1, 'post', 9, 'Please stop', '<p>Please stop</p>', '[{"Number":1,"Text":"Be kind"}]', 2, 'Post #1', '<p>Emoji</p>', '/t/3', 'silenced for 1 day', 1700006000, 1700006100, 1700006100, 1, 1, 0, 1, 0)`,
		`insert into notice_replies(id, notice_id, author_id, from_staff, body, html, created_at) values (1, 1, 2, 0, 'Sorry', '<p>Sorry</p>', 1700006200)`,
		`insert into mod_notes(id, user_id, author_id, body, created_at) values (1, 2, 1, 'watch this one', 1700006300)`,
		`insert into audit_log(id, at, actor_id, actor_name, action, target_kind, target_id, target_user_id, target_label, target_url, reason, about_kind, about_id) values
			(1, 1700006000, 1, 'admin', 'silence', 'user', 2, 2, 'Ann', '/u/ann', 'rule 1', 'incident', 2),
			(2, 1700006001, null, '', 'auto_hide', 'post', 9, 1, 'Post #1', '', '', '', null)`,
		`insert into policies(id, name, version, title, source, html, material, created_by, created_at) values (1, 'privacy', 1, 'Privacy', 'We keep little.', '<p>We keep little.</p>', 1, 1, 1700000000), (2, 'agreement', 2, 'Agreement', '1. Be kind', '<ol><li>Be kind</li></ol>', 0, null, 1700000001)`,
		`insert into policy_consents values (2, 'privacy', 1, 'accepted', 1700000100)`,
		`insert into contact_preferences values (2, 1, 'unsub-token-ann', 1700000100)`,
		`insert into announcements(id, subject, body, sent_by, recipients, created_at) values (1, 'News', 'Hello all', 1, 1, 1700008000)`,
		`insert into enquiries(id, user_id, reply_to, subject, body, status, created_at, updated_at) values (1, null, 'visitor@example.org', 'Question', 'How?', 'answered', 1700008100, 1700008200)`,
		`insert into enquiry_messages(id, enquiry_id, author_id, from_staff, body, created_at, read_at) values (1, 1, 1, 1, 'Like this', 1700008200, null)`,
		`insert into analytics_daily values ('2026-01-02', 'page', '/t/1', 12), ('2026-01-02', 'browser', 'Firefox', 3), ('2026-01-02', 'referrer', '', 9223372036854775806)`,
		`insert into mail_outbox(id, user_id, kind, recipient, subject, body_text, body_html, headers, message_id, status, attempts, next_attempt_at, last_error, created_at) values
			(3, 1, 'reset', 'admin@example.org', 'Reset', 'Link: …', '<p>Link</p>', '{"X-Stoa":"1"}', '<m1@stoa>', 'failed', 5, 1700009000, 'connection refused', 1700008900)`,
		`insert into account_tokens values (x'deadbeef00', 1, 'confirm', 'admin@example.org', 1700009000, 1700012600)`,
		`insert into post_search(rowid, title, body) values (1, 'Welcome to the commons', 'Hello gardeners'), (2, '', 'Tomatoes and quotes'), (9, 'Zürich meetup 東京', 'Emoji and tabs here')`,
		`insert into post_search_queue values (9, 'Zürich meetup 東京', 'Emoji and tabs here')`,
		`insert into chat_search(rowid, body) values (1, 'first marigold message'), (2, 'from a former member')`,
		`insert into notifications(id, user_id, kind, actor_id, subject, url, source_key, created_at, read_at) values (1, 2, 'reply', 1, 'Welcome to the commons', '/t/1#p2', 'post:2', 1700002000, null)`,
		`insert into notification_prefs values (2, 'reply', 'email'), (2, 'mention', 'off')`,
		`insert into thread_reads values (2, 1, 2)`,
		`insert into forum_read_marks values (2, 1700002500)`,
		`insert into thread_watches values (2, 1, 1), (1, 3, 0)`,
		`insert into post_reactions values (1, 1, 'heart', 1700001100)`,
		// Keys whose order differs between byte order and a language's collation.
		`insert into site_settings values ('name', 'Garden Commons'), ('Zeta', 'upper'), ('alpha', 'lower'), ('Ärger', 'umlaut'), ('_under', 'x')`,
		`insert into member_settings values (2, 0)`,
		`insert into avatars values (2, 'image/png', x'89504e470d0a1a0a0000000d49484452', 1700000400)`,
		`insert into name_mark_secret values (1, x'000102030405060708090a0b0c0d0e0f')`,
		`insert into watched_words(id, pattern, is_regex, action, replacement, created_at, created_by) values (1, 'spam', 0, 'hold', '', 1700000500, 1), (2, 'b[a4]d', 1, 'replace', '***', 1700000501, null)`,
		`insert into notice_templates(id, rule_number, title, body, reasons, updated_at) values (1, 1, 'Be kind', 'Please be kind.', 'harassment', 1700000600)`,
	}
	err = db.Write(context.Background(), func(tx *storage.Tx) error {
		for _, s := range stmts {
			if _, err := tx.Exec(s); err != nil {
				return errors.New(err.Error() + " in " + s[:min(len(s), 60)])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return path
}

func TestMigrateDataCopiesEveryTableAndVerifiesIt(t *testing.T) {
	ctx := context.Background()
	src := community(t)
	dst := storagetest.NewPostgres(t)

	var progress []storage.TableSum
	sums, err := storage.MigrateToPostgres(ctx, src, dst, func(s storage.TableSum) { progress = append(progress, s) })
	if err != nil {
		t.Fatal(err)
	}
	if len(progress) != len(sums) {
		t.Fatalf("%d progress lines for %d tables", len(progress), len(sums))
	}
	// Every table of the schema was copied, and the test community has rows in each: a
	// table added by a later migration fails here until it is filled above.
	seen := map[string]int64{}
	for _, s := range sums {
		seen[s.Table] = s.Rows
		if s.Rows == 0 {
			t.Errorf("table %s has no rows in the test community: add some to community()", s.Table)
		}
	}
	for _, want := range []string{"users", "posts", "chat_messages", "audit_log", "post_search", "chat_search", "avatars", "site_settings"} {
		if _, ok := seen[want]; !ok {
			t.Errorf("table %s was not copied", want)
		}
	}
	for _, skipped := range []string{"schema_migrations", "sqlite_sequence", "post_search_data", "post_search_idx", "chat_search_content"} {
		if _, ok := seen[skipped]; ok {
			t.Errorf("table %s was copied: it is the engine's, not the community's", skipped)
		}
	}
	if seen["posts"] != 3 || seen["chat_messages"] != 3 || seen["site_settings"] != 5 {
		t.Errorf("row counts: posts %d, chat_messages %d, site_settings %d", seen["posts"], seen["chat_messages"], seen["site_settings"])
	}

	db, err := storage.Open(ctx, dst, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var html string
	var hash []byte
	if err := db.QueryRow(ctx, "select html from posts where id = 2").Scan(&html); err != nil || html != "<p>Tomatoes and &#39;quotes&#39;</p>" {
		t.Errorf("post 2 reads %q, %v", html, err)
	}
	if err := db.QueryRow(ctx, "select token_hash from sessions where user_id = 2").Scan(&hash); err != nil || len(hash) != 17 || hash[0] != 0 {
		t.Errorf("session hash reads %x, %v: bytes must stay bytes", hash, err)
	}
	// Search works on the copy: PostgreSQL computed the documents of the copied rows.
	var found int64
	if err := db.QueryRow(ctx, "select rowid from post_search where document @@ plainto_tsquery('english', 'gardeners')").Scan(&found); err != nil || found != 1 {
		t.Errorf("search for a copied post: %d, %v", found, err)
	}
	if err := db.QueryRow(ctx, "select rowid from chat_search where document @@ plainto_tsquery('english', 'marigold')").Scan(&found); err != nil || found != 1 {
		t.Errorf("search for a copied chat message: %d, %v", found, err)
	}
	// New rows get fresh ids after the largest copied one.
	var userID, msgID int64
	err = db.Write(ctx, func(tx *storage.Tx) error {
		var err error
		if userID, err = tx.InsertID("insert into users(username, username_key, password_hash, created_at) values ('bo', 'bo', 'h', 1)"); err != nil {
			return err
		}
		msgID, err = tx.InsertID("insert into chat_messages(room_id, author_id, source, html, created_at) values (1, 2, 'new', '<p>new</p>', 1)")
		return err
	})
	if err != nil {
		t.Fatalf("insert after migration: %v", err)
	}
	if userID != 8 || msgID != 41 {
		t.Errorf("new user got id %d (want 8), new chat message %d (want 41): sequences not reset", userID, msgID)
	}

	// Running it again refuses: the target holds a community now, and stays as it was.
	_, err = storage.MigrateToPostgres(ctx, src, dst, nil)
	if !errors.Is(err, storage.ErrTargetNotEmpty) || !strings.Contains(err.Error(), "users") {
		t.Fatalf("second run into a full database: %v, want it refused naming the tables", err)
	}
	var users int
	if err := db.QueryRow(ctx, "select count(*) from users").Scan(&users); err != nil || users != 4 {
		t.Errorf("after the refused run the target has %d users (%v), want 4", users, err)
	}
}

func TestMigrateDataVerifyNamesTheTableThatDiffers(t *testing.T) {
	ctx := context.Background()
	src := community(t)
	dst := storagetest.NewPostgres(t)
	sums, err := storage.CopyToPostgres(ctx, src, dst, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := storage.VerifyPostgres(ctx, dst, sums); err != nil {
		t.Fatalf("a faithful copy does not verify: %v", err)
	}
	db, err := storage.Open(ctx, dst, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	exec := func(q string) {
		if err := db.Write(ctx, func(tx *storage.Tx) error { _, err := tx.Exec(q); return err }); err != nil {
			t.Fatal(err)
		}
	}
	exec("update chat_messages set html = '<p>first marigold message!</p>' where id = 1")
	var mismatch *storage.MismatchError
	err = storage.VerifyPostgres(ctx, dst, sums)
	if !errors.As(err, &mismatch) || mismatch.Table != "chat_messages" {
		t.Fatalf("verify after changing one message: %v, want a mismatch in chat_messages", err)
	}
	exec("update chat_messages set html = '<p>first marigold message</p>' where id = 1")
	exec("delete from thread_watches where user_id = 1")
	err = storage.VerifyPostgres(ctx, dst, sums)
	if !errors.As(err, &mismatch) || mismatch.Table != "thread_watches" || !strings.Contains(err.Error(), "1 rows in PostgreSQL, 2 in SQLite") {
		t.Fatalf("verify after removing a row: %v, want thread_watches' counts", err)
	}
}

func TestMigrateDataRefusesATargetInUseAndLeavesItAlone(t *testing.T) {
	ctx := context.Background()
	src := community(t)
	for _, c := range []struct{ what, change, table string }{
		{"a category", "insert into categories(slug, name, created_at) values ('other', 'Other', 1)", "categories"},
		// A seeded table holding a row the source does not have is refused too, and the
		// rows copied before it are rolled back.
		{"an extra audited action", "insert into audit_actions(name, public) values ('made_up_action', 0)", "audit_actions"},
	} {
		dst := storagetest.NewPostgres(t)
		db, err := storage.Open(ctx, dst, storage.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		err = db.Write(ctx, func(tx *storage.Tx) error {
			_, err := tx.Exec(c.change)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		_, err = storage.MigrateToPostgres(ctx, src, dst, nil)
		if !errors.Is(err, storage.ErrTargetNotEmpty) || !strings.Contains(err.Error(), c.table) {
			t.Fatalf("copy into a database with %s: %v, want refused naming %s", c.what, err, c.table)
		}
		var n int
		if err := db.QueryRow(ctx, "select count(*) from users").Scan(&n); err != nil || n != 0 {
			t.Errorf("the copy refused for %s left %d users (%v)", c.what, n, err)
		}
	}
}

func TestMigrateDataBadInput(t *testing.T) {
	ctx := context.Background()
	missing := filepath.Join(t.TempDir(), "nothing", "stoa.db")
	for _, tc := range []struct{ src, dst, want string }{
		{missing, "postgres://postgres@127.0.0.1:5432/x?sslmode=disable", "no Stoa database at"},
		{"", "sqlite:///tmp/x.db", "must be a postgres:// URL"},
		{"", "postgres://postgres@127.0.0.1:1/stoa?sslmode=disable&connect_timeout=5", "connect to PostgreSQL"},
	} {
		src := tc.src
		if src == "" {
			src = community(t)
		}
		_, err := storage.MigrateToPostgres(ctx, src, tc.dst, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("migrate %s to %s: %v, want an error saying %q", src, tc.dst, err, tc.want)
		}
	}
}

// BenchmarkMigrateData moves a community of 10,000 posts (in 1,000 threads, with their
// search rows) and 20,000 chat messages into PostgreSQL and verifies it; one op is the
// whole migration. STOA_MIGRATE_BENCH_DATA=DIR keeps the community in DIR/stoa.db, to
// time the command itself: stoa migrate-data --data DIR --to postgres://….
func BenchmarkMigrateData(b *testing.B) {
	ctx := context.Background()
	dir := os.Getenv("STOA_MIGRATE_BENCH_DATA")
	if dir == "" {
		dir = b.TempDir()
	}
	src := filepath.Join(dir, "stoa.db")
	if _, err := os.Stat(src); err != nil {
		bigCommunity(b, src)
	}
	for b.Loop() {
		dst := storagetest.NewPostgres(b)
		if _, err := storage.MigrateToPostgres(ctx, src, dst, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func bigCommunity(b *testing.B, path string) {
	db, err := storage.Open(context.Background(), path, storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	const words = "gardeners swap seeds of marigold calendula and tomato every spring while the compost warms "
	body := strings.Repeat(words, 3)
	batch := func(fn func(tx *storage.Tx) error) {
		if err := db.Write(context.Background(), fn); err != nil {
			b.Fatal(err)
		}
	}
	batch(func(tx *storage.Tx) error {
		for u := 1; u <= 100; u++ {
			name := fmt.Sprintf("member%d", u)
			if _, err := tx.Exec("insert into users(id, username, username_key, password_hash, created_at) values (?, ?, ?, 'h', 1700000000)", u, name, name); err != nil {
				return err
			}
		}
		for c := 1; c <= 10; c++ {
			if _, err := tx.Exec("insert into categories(id, slug, name, created_at) values (?, ?, ?, 1700000000)", c, fmt.Sprintf("c%d", c), fmt.Sprintf("Category %d", c)); err != nil {
				return err
			}
		}
		_, err := tx.Exec("insert into chat_rooms(id, slug, name, created_at) values (1, 'general', 'General', 1700000000)")
		return err
	})
	for th := 1; th <= 1000; th++ {
		batch(func(tx *storage.Tx) error {
			title := fmt.Sprintf("Thread %d about marigolds", th)
			if _, err := tx.Exec("insert into threads(id, category_id, author_id, title, slug, created_at, last_post_at, post_count) values (?, ?, ?, ?, 'thread', 1700000000, 1700000000, 10)",
				th, th%10+1, th%100+1, title); err != nil {
				return err
			}
			for n := 1; n <= 10; n++ {
				id := (th-1)*10 + n
				if _, err := tx.Exec("insert into posts(id, thread_id, author_id, number, source, html, created_at) values (?, ?, ?, ?, ?, ?, ?)",
					id, th, id%100+1, n, body, "<p>"+body+"</p>", 1700000000+id); err != nil {
					return err
				}
				t := ""
				if n == 1 {
					t = title
				}
				if _, err := tx.Exec("insert into post_search(rowid, title, body) values (?, ?, ?)", id, t, body); err != nil {
					return err
				}
			}
			return nil
		})
	}
	for k := 0; k < 20; k++ {
		batch(func(tx *storage.Tx) error {
			for i := 1; i <= 1000; i++ {
				id := k*1000 + i
				msg := fmt.Sprintf("chat message %d about seeds and compost", id)
				if _, err := tx.Exec("insert into chat_messages(id, room_id, author_id, source, html, created_at) values (?, 1, ?, ?, ?, ?)",
					id, id%100+1, msg, "<p>"+msg+"</p>", 1700000000+id); err != nil {
					return err
				}
				if _, err := tx.Exec("insert into chat_search(rowid, body) values (?, ?)", id, msg); err != nil {
					return err
				}
			}
			return nil
		})
	}
}
