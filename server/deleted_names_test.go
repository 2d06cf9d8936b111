package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"stoa/account"
	"stoa/internal/stoatest"
)

// TestDeletedAccountKeepsItsRecordAndItsName (issue 15 bug 7, issue 16.3, issue 14.8): a
// sanctioned member who erases their account cannot register the same name with a clean
// record. The moderation record stays (sanctions, staff notes, reports about them,
// anonymised; reports they filed, without their name or words), tied to a mark of the
// name; the name is reserved for the configured period (the delete page says so); once
// someone holds it again, staff see the old record on the new member's. Mentions never
// link to the new holder from text written before they held the name.
func TestDeletedAccountKeepsItsRecordAndItsName(t *testing.T) {
	site := stoatest.Start(t)
	troll := site.Member(t, "troll", account.RoleMember)
	bob := site.Member(t, "bob", account.RoleMember)
	carol := site.Member(t, "carol", account.RoleMember)
	mod := site.Member(t, "mia", account.RoleModerator)
	admin := site.Member(t, "ada", account.RoleAdmin)
	db := site.App.DB()
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := db.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}

	trollThread := post(t, troll, "Buy now", "TROLL-WORDS cheap pills here")
	trollPost, _ := troll.Parse().Find("li.post").First().Attr("id")
	bobThread := post(t, bob, "Hello", "Say hi to @troll everyone")
	bobPost, _ := bob.Parse().Find("li.post").First().Attr("id")
	if bob.Parse().Find(`a.mention[href="/u/troll"]`).Length() != 1 {
		t.Fatal("a mention of an existing member does not link")
	}
	bob.PostForm("/report", url.Values{"kind": {"post"}, "id": {strings.TrimPrefix(trollPost, "p")}, "reason": {"spam"}, "details": {"bob saw it"}})
	troll.PostForm("/report", url.Values{"kind": {"post"}, "id": {strings.TrimPrefix(bobPost, "p")}, "reason": {"other"}, "details": {"TROLL-DETAILS"}})
	mod.PostForm("/mod/users/troll", url.Values{"do": {"apply"}, "sanction": {"silence"}, "silence_for": {"24"}, "reason": {"Selling pills"}})
	mod.PostForm("/mod/users/troll/notes", url.Values{"note": {"Watch for a new account."}})
	trollID := count("select id from users where username = 'troll'")

	if doc := troll.Doc("/me/delete", http.StatusOK); !strings.Contains(doc.Find("[data-name-reserved]").Text(), "for 90 days") {
		t.Errorf("the delete page does not say the name stays reserved for 90 days: %s", doc.Find("form").Text())
	}
	troll.PostForm("/me/delete", url.Values{"content": {"erase"}, "password": {"password-troll"}})
	if count("select count(*) from users where id = ? and deleted_at is not null and name_mark is not null", trollID) != 1 {
		t.Fatal("the deleted account has no mark of its name")
	}
	if n := count("select count(*) from users where username_key like '%troll%' or username like '%troll%'"); n != 0 {
		t.Errorf("the name itself is still stored (%d rows)", n)
	}
	if n := count("select count(*) from sanctions where user_id = ?", trollID); n != 1 {
		t.Errorf("%d sanctions of the erased account kept, want 1", n)
	}
	if n := count("select count(*) from mod_notes where user_id = ?", trollID); n != 1 {
		t.Errorf("%d staff notes of the erased account kept, want 1", n)
	}
	if n := count("select count(*) from reports where target_user_id = ? and snapshot_html not like '%TROLL-WORDS%' and snapshot_text = ''", trollID); n != 1 {
		t.Errorf("the report about the erased account is not kept anonymised (%d)", n)
	}
	if n := count("select count(*) from reports where reporter_id = ? and details = ''", trollID); n != 1 {
		t.Errorf("the report the erased member filed is not kept without their words (%d)", n)
	}
	if n := count("select count(*) from reports where snapshot_html like '%TROLL-WORDS%' or details like '%TROLL-DETAILS%'"); n != 0 {
		t.Error("the erased member's words stay in reports")
	}

	// The name is reserved, in any case.
	for _, name := range []string{"troll", "TROLL"} {
		c := site.Anonymous(t)
		c.PostForm("/register", url.Values{"username": {name}, "password": {"a good long password"}})
		if c.Last.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(c.Body, "reserved until") {
			t.Errorf("registering %q while reserved: %d", name, c.Last.StatusCode)
		}
	}
	// Mentions: the earlier one no longer links; one written while nobody holds the name
	// never will.
	if bob.Doc(bobThread, http.StatusOK).Find(`a.mention`).Length() != 0 {
		t.Error("a mention of the deleted account still links")
	}
	carolThread := post(t, carol, "Where did they go", "Anyone seen @troll lately?")
	if carol.Parse().Find(`a.mention`).Length() != 0 {
		t.Error("a mention of a name nobody holds links")
	}

	// The admin shortens the reservation to nothing; the name can be taken again.
	admin.PostForm("/admin/site", url.Values{"name": {"Stoa"}, "description": {""}, "name_reservation_days": {"0"}})
	if admin.Last.StatusCode != http.StatusOK || !strings.Contains(admin.Path(), "saved=1") {
		t.Fatalf("saving the reservation setting: %d at %s", admin.Last.StatusCode, admin.Path())
	}
	again := site.Anonymous(t)
	again.PostForm("/register", url.Values{"username": {"troll"}, "password": {"a good long password"}})
	if !strings.Contains(again.Body, "Log out") {
		t.Fatalf("registering the name after its reservation: %d", again.Last.StatusCode)
	}

	// Staff see that the name was held, with the old record.
	doc := mod.Doc("/mod/users/troll", http.StatusOK)
	former := doc.Find(".mod-former")
	if !strings.Contains(former.Text(), "held by a deleted account") || !strings.Contains(former.Text(), "1 sanction") {
		t.Fatalf("the new holder's record does not show the former holder: %s", doc.Find("main").Text())
	}
	link, _ := former.Find("a").Attr("href")
	old := mod.Doc(link, http.StatusOK).Text()
	for _, want := range []string{"Selling pills", "Watch for a new account.", "Post by an erased account"} {
		if !strings.Contains(old, want) {
			t.Errorf("the deleted account's record lacks %q: %s", want, old)
		}
	}
	if strings.Contains(old, "TROLL-WORDS") || strings.Contains(old, "Buy now") {
		t.Error("the deleted account's record shows its erased words")
	}
	if bob.Get(link); bob.Last.StatusCode != http.StatusForbidden {
		t.Errorf("a member opened a deleted account's record: %d", bob.Last.StatusCode)
	}

	// Old mentions never link to the new holder; new ones do.
	if carol.Doc(carolThread, http.StatusOK).Find(`a.mention`).Length() != 0 || bob.Doc(bobThread, http.StatusOK).Find(`a.mention`).Length() != 0 {
		t.Error("a mention written before the new holder registered links to them")
	}
	post(t, carol, "Welcome back", "Hello @troll, welcome")
	if carol.Parse().Find(`a.mention[href="/u/troll"]`).Length() != 1 {
		t.Error("a mention of the new holder does not link")
	}
	_ = trollThread
}
