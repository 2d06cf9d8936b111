package moderation_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"stoa/account"
	"stoa/internal/stoatest"
	"stoa/moderation"
	"stoa/storage"
)

// TestAuditLogIsAppendOnly proves the database itself refuses to change or remove an
// audit entry, or an action of the enum, whoever asks.
func TestAuditLogIsAppendOnly(t *testing.T) {
	site := stoatest.Start(t)
	mod := site.Member(t, "mia", account.RoleModerator)
	site.Member(t, "alice", account.RoleMember)
	mod.PostForm("/mod/users/alice/notes", url.Values{"note": {"Seems new; be patient."}})
	if mod.Last.StatusCode != http.StatusOK {
		t.Fatalf("add note: %d", mod.Last.StatusCode)
	}
	db := site.App.DB()
	ctx := context.Background()
	var n int
	if err := db.QueryRow(ctx, "select count(*) from audit_log where action = 'add_note'").Scan(&n); err != nil || n != 1 {
		t.Fatalf("audit entries for the note: %d, %v", n, err)
	}
	for _, stmt := range []string{
		"update audit_log set reason = 'rewritten'",
		"update audit_log set actor_name = 'someone else' where id = 1",
		"delete from audit_log",
		"delete from audit_log where id = 1",
		"update audit_actions set public = 1 where name = 'add_note'",
		"delete from audit_actions where name = 'ban'",
	} {
		err := db.Write(ctx, func(tx *storage.Tx) error {
			_, err := tx.Exec(stmt)
			return err
		})
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: err = %v, want the append-only refusal", stmt, err)
		}
	}
	if err := db.QueryRow(ctx, "select count(*) from audit_log where action = 'add_note' and reason = ''").Scan(&n); err != nil || n != 1 {
		t.Errorf("the entry changed: %d, %v", n, err)
	}
	// An action outside the enum cannot be written either.
	err := db.Write(ctx, func(tx *storage.Tx) error {
		return moderation.NewAuditLog(db).Record(tx, nil, moderation.Entry{Action: "erase_history"})
	})
	if err == nil {
		t.Error("an action outside the enum was recorded")
	}
}

// TestAuditActionsMatchTheEnum keeps the Go constants and the database enum in step.
func TestAuditActionsMatchTheEnum(t *testing.T) {
	site := stoatest.Start(t)
	// Rows in the order the migrations inserted them (no row is ever updated or deleted):
	// rowid on SQLite, the physical position ctid on PostgreSQL.
	order := "rowid"
	if site.App.DB().Dialect() == storage.Postgres {
		order = "ctid"
	}
	rows, err := site.App.DB().Query(context.Background(), "select name from audit_actions order by "+order)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var inDB []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		inDB = append(inDB, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var inGo []string
	for _, a := range moderation.Actions() {
		inGo = append(inGo, string(a))
		if a.Label() == strings.ReplaceAll(string(a), "_", " ") {
			t.Errorf("action %s has no label", a)
		}
	}
	if !slices.Equal(inDB, inGo) {
		t.Errorf("database enum %v\nGo enum       %v", inDB, inGo)
	}
}

// TestAdminsBrowseTheAuditLog: admins see who did what and filter it; moderators cannot
// open it.
func TestAdminsBrowseTheAuditLog(t *testing.T) {
	site := stoatest.Start(t)
	admin := site.Member(t, "ada", account.RoleAdmin)
	mod := site.Member(t, "mia", account.RoleModerator)
	site.Member(t, "alice", account.RoleMember)
	site.Member(t, "bob", account.RoleMember)
	mod.PostForm("/mod/users/alice", url.Values{"do": {"apply"}, "sanction": {"silence"}, "silence_for": {"1"}, "reason": {"Cooling off"}})
	mod.PostForm("/mod/users/bob/notes", url.Values{"note": {"Watch the links."}})
	admin.PostForm("/admin/users/bob/role", url.Values{"role": {"moderator"}})

	all := text(admin.Doc("/admin/audit", http.StatusOK).Find("table").Text())
	for _, want := range []string{"mia", "Member silenced", "alice for 1 hour", "Cooling off", "Staff note added",
		"ada", "Role changed", "bob: member → moderator"} {
		if !strings.Contains(all, want) {
			t.Errorf("audit log lacks %q: %s", want, all)
		}
	}
	if strings.Contains(all, "Watch the links") {
		t.Error("the audit log shows a private note's text")
	}
	byAction := text(admin.Doc("/admin/audit?action=silence", http.StatusOK).Find("table").Text())
	if !strings.Contains(byAction, "Cooling off") || strings.Contains(byAction, "Role changed") {
		t.Errorf("filter by action: %s", byAction)
	}
	byMember := text(admin.Doc("/admin/audit?member=bob", http.StatusOK).Find("table").Text())
	if !strings.Contains(byMember, "Role changed") || strings.Contains(byMember, "Cooling off") {
		t.Errorf("filter by member: %s", byMember)
	}
	byActor := text(admin.Doc("/admin/audit?actor=ada", http.StatusOK).Find("table").Text())
	if !strings.Contains(byActor, "Role changed") || strings.Contains(byActor, "Cooling off") {
		t.Errorf("filter by staff member: %s", byActor)
	}
	if doc := admin.Doc("/admin/audit?member=nobody", http.StatusOK); !strings.Contains(doc.Text(), "no member called") {
		t.Error("an unknown member in the filter is not explained")
	}
	mod.Get("/admin/audit")
	if mod.Last.StatusCode != http.StatusForbidden {
		t.Errorf("moderator opened the audit log: %d", mod.Last.StatusCode)
	}
}
