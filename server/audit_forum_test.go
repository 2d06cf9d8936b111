package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"stoa/account"
	"stoa/internal/stoatest"
)

// Staff editing or deleting someone else's post through the ordinary forms is audited;
// members changing their own posts are not staff actions and leave no entry.
func TestStaffChangesToOthersPostsAreAudited(t *testing.T) {
	site := stoatest.Start(t)
	mod := site.Member(t, "mia", account.RoleModerator)
	alice := site.Member(t, "alice", account.RoleMember)
	alice.PostForm("/c/general/new", url.Values{"title": {"Mine"}, "body": {"first post"}, "token": {"t1"}})
	var first int64
	db := site.App.DB()
	if err := db.QueryRow(context.Background(), "select id from posts where source = 'first post'").Scan(&first); err != nil {
		t.Fatal(err)
	}
	alice.PostForm(fmt.Sprintf("/p/%d/edit", first), url.Values{"body": {"first post, fixed"}})

	mod.PostForm(fmt.Sprintf("/p/%d/edit", first), url.Values{"body": {"first post, redacted by staff"}})
	if mod.Last.StatusCode != http.StatusOK {
		t.Fatalf("staff edit: %d", mod.Last.StatusCode)
	}
	mod.PostForm(fmt.Sprintf("/p/%d/delete", first), nil)

	rows, err := db.Query(context.Background(), "select actor_name || ' ' || action || ' ' || target_url from audit_log order by id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{fmt.Sprintf("mia edit_post /p/%d", first), fmt.Sprintf("mia delete_post /p/%d", first)}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("audit log %q, want %q", got, want)
	}
}
