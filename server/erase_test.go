package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"stoa/account"
	"stoa/forum"
	"stoa/internal/stoatest"
	"stoa/storage"
)

// storedIn lists the places in the database that still hold s: every text column of
// every table, the search indexes' own tables included, except the full-text indexes'
// internal structures (the _data and _idx tables), which are checked by searching them.
func storedIn(t *testing.T, site *stoatest.Site, s string) []string {
	t.Helper()
	var tables []string
	for _, name := range strings.Fields(strings.Join(column(t, site, tablesQuery(site)), " ")) {
		if !strings.HasSuffix(name, "_data") && !strings.HasSuffix(name, "_idx") {
			tables = append(tables, name)
		}
	}
	var found []string
	for _, table := range tables {
		for _, c := range columnsOf(t, site, table) {
			var n int
			q := fmt.Sprintf(`select count(*) from "%s" where cast("%s" as text) like ?`, table, c)
			queryRow(t, site, q, []any{"%" + s + "%"}, &n)
			if n > 0 {
				found = append(found, fmt.Sprintf("%s.%s (%d rows)", table, c, n))
			}
		}
	}
	for _, index := range []string{"post_search", "chat_search"} {
		var n int
		match := "select count(*) from " + index + " where " + index + " match ?"
		if site.App.DB().Dialect() == storage.Postgres {
			config := map[string]string{"post_search": "stoa_search", "chat_search": "english"}[index]
			match = "select count(*) from " + index + " where document @@ plainto_tsquery('" + config + "', ?)"
		}
		queryRow(t, site, match, []any{s}, &n)
		if n > 0 {
			found = append(found, fmt.Sprintf("%s search finds it (%d rows)", index, n))
		}
	}
	return found
}

// tablesQuery lists the database's tables, on either engine.
func tablesQuery(site *stoatest.Site) string {
	if site.App.DB().Dialect() == storage.Postgres {
		return "select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'"
	}
	return "select name from sqlite_master where type = 'table' and name not like 'sqlite_%'"
}

// columnsOf lists table's columns in their order, on either engine.
func columnsOf(t *testing.T, site *stoatest.Site, table string) []string {
	t.Helper()
	if site.App.DB().Dialect() == storage.Postgres {
		return column(t, site, "select column_name from information_schema.columns where table_schema = current_schema() and table_name = '"+table+"' order by ordinal_position")
	}
	return column(t, site, "select name from pragma_table_info('"+table+"') order by cid")
}

// column returns the first column of every row query returns.
func column(t *testing.T, site *stoatest.Site, query string) []string {
	t.Helper()
	rows, err := site.App.DB().Query(context.Background(), query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func threadID(path string) string { return strings.Split(path, "/")[2] }

// Erasing an account takes its words out of others' posts and messages too: quotes of
// it become "[removed]" (in earlier versions as well), mentions of it stop linking, and
// the thread it started counts the replies that are left (issue 16, bug 4). Checked in
// the database, not only on the pages.
func TestEraseTakesQuotesAndLinksFromOthers(t *testing.T) {
	site := stoatest.Start(t, noLimits)
	alice := site.Member(t, "alice", account.RoleMember)
	bob := site.Member(t, "bob", account.RoleMember)
	carol := site.Member(t, "carol", account.RoleMember)

	aliceText := "I think we should meet on Thursday, quetzalerase.\nIt clashes with the release otherwise."
	thread := post(t, alice, "Meeting day", aliceText)
	reply := forum.Quote("alice", aliceText) + "Agreed. Thanks @alice, see you then."
	bob.PostForm("/t/"+threadID(thread)+"/reply", url.Values{"body": {reply}, "token": {account.NewToken()}})
	var bobPost int64
	queryRow(t, site, "select p.id from posts p join users u on u.id = p.author_id where u.username = 'bob'", nil, &bobPost)
	bob.PostForm(fmt.Sprintf("/p/%d/edit", bobPost), url.Values{"body": {reply + "\n\nEdit: Thursday at ten."}})
	if n := 0; true {
		queryRow(t, site, "select count(*) from post_revisions where post_id = ?", []any{bobPost}, &n)
		if n != 1 {
			t.Fatalf("bob's edit kept %d earlier versions", n)
		}
	}
	elsewhere := post(t, carol, "Other things", "Ask @alice, she knows.")
	chatSay(t, site, alice, "general", "my quetzalchat plan for the weekend")
	chatSay(t, site, bob, "general", "@alice wrote:\n> my quetzalchat plan for the weekend\n\nsounds good @alice")

	if doc := site.Anonymous(t).Doc(thread, http.StatusOK); doc.Find(`.post a[href="/u/alice"]`).Length() == 0 {
		t.Fatal("before the erasure bob's reply should link alice")
	}
	doc := alice.Doc("/me/delete", http.StatusOK)
	if got := doc.Find("[data-what-remains]").Text(); !strings.Contains(got, "replies") {
		t.Errorf("the delete page does not say what remains: %q", got)
	}
	alice.PostForm("/me/delete", url.Values{"password": {"password-alice"}, "content": {"erase"}})
	if alice.Last.StatusCode != http.StatusOK {
		t.Fatalf("erasing answered %d", alice.Last.StatusCode)
	}

	for _, word := range []string{"quetzalerase", "quetzalchat", "clashes with the release"} {
		if where := storedIn(t, site, word); len(where) > 0 {
			t.Errorf("%q is still stored in %v", word, where)
		}
	}
	var src, html string
	queryRow(t, site, "select source, html from posts where id = ?", []any{bobPost}, &src, &html)
	if !strings.Contains(src, "> [removed]") || !strings.Contains(src, "Thursday at ten") || strings.Contains(html, `href="/u/alice"`) ||
		!strings.Contains(html, "@alice") {
		t.Errorf("bob's reply after the erasure:\n%s\n%s", src, html)
	}
	queryRow(t, site, "select source, html from post_revisions where post_id = ?", []any{bobPost}, &src, &html)
	if !strings.Contains(src, "> [removed]") || strings.Contains(html, `href="/u/alice"`) {
		t.Errorf("bob's earlier version after the erasure:\n%s\n%s", src, html)
	}
	var links int
	queryRow(t, site, `select (select count(*) from posts where html like '%href="/u/alice"%')
		+ (select count(*) from post_revisions where html like '%href="/u/alice"%')
		+ (select count(*) from chat_messages where html like '%href="/u/alice"%')`, nil, &links)
	if links != 0 {
		t.Errorf("%d posts, versions or messages still link to alice's profile", links)
	}
	queryRow(t, site, "select m.html from chat_messages m join users u on u.id = m.author_id where u.username = 'bob'", nil, &html)
	if !strings.Contains(html, "[removed]") || !strings.Contains(html, "sounds good @alice") {
		t.Errorf("bob's chat message after the erasure: %s", html)
	}

	reader := site.Anonymous(t)
	doc = reader.Doc(thread, http.StatusOK)
	if !strings.Contains(doc.Find(".post blockquote").Text(), "[removed]") || doc.Find(`a[href="/u/alice"]`).Length() != 0 {
		t.Errorf("the thread page shows the quote %q", doc.Find(".post blockquote").Text())
	}
	if doc := reader.Doc(elsewhere, http.StatusOK); doc.Find(`a[href="/u/alice"]`).Length() != 0 || !strings.Contains(doc.Find(".post .prose").Text(), "Ask @alice") {
		t.Error("carol's mention of alice still links, or lost its text")
	}
	row := reader.Doc("/c/general", http.StatusOK).Find(`.thread-row:has(a[href^="/t/` + threadID(thread) + `/"])`)
	if got := strings.Join(strings.Fields(row.Find(".thread-stats > span").Text()), " "); got != "1 reply" {
		t.Errorf("the erased member's thread lists %q, want 1 reply (bob's)", got)
	}
}

// A chat message its author deletes leaves no text behind: not in the database, the
// search index, the author's export or others' notifications (issue 16, bug 4).
func TestDeletedChatMessageLeavesNoText(t *testing.T) {
	site := stoatest.Start(t, noLimits)
	alice := site.Member(t, "alice", account.RoleMember)
	site.Member(t, "bob", account.RoleMember)
	chatSay(t, site, alice, "general", "@bob the quetzaldeleted code is 1234")
	var id int64
	queryRow(t, site, "select id from chat_messages where source like '%quetzaldeleted%'", nil, &id)
	var notes int
	queryRow(t, site, "select count(*) from notifications where source_key = ?", []any{fmt.Sprintf("chat:%d", id)}, &notes)
	if notes != 1 {
		t.Fatalf("the mention made %d notifications", notes)
	}
	alice.PostForm(fmt.Sprintf("/chat/general/messages/%d/delete", id), nil)
	if alice.Last.StatusCode != http.StatusOK {
		t.Fatalf("deleting answered %d", alice.Last.StatusCode)
	}
	if where := storedIn(t, site, "quetzaldeleted"); len(where) > 0 {
		t.Errorf("the deleted message's text is still stored in %v", where)
	}
	queryRow(t, site, "select count(*) from notifications where source_key = ?", []any{fmt.Sprintf("chat:%d", id)}, &notes)
	if notes != 0 {
		t.Error("bob's notification of the deleted message is still there")
	}
	alice.Get("/me/export")
	for name, body := range unzip(t, []byte(alice.Body)) {
		if strings.Contains(body, "quetzaldeleted") || strings.Contains(name, "chat") && strings.Contains(body, `"deleted": true`) {
			t.Errorf("the export's %s still lists the deleted message", name)
		}
	}
}
