package server_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"stoa/account"
	"stoa/internal/stoatest"
)

// chatSay publishes a chat message in room as c, confirming the public-room warning.
func chatSay(t *testing.T, site *stoatest.Site, c *stoatest.Client, room, body string) {
	t.Helper()
	u := mustURL(site.URL)
	ws := "ws://" + u.Host + "/chat/" + room + "/ws"
	d := websocket.Dialer{Jar: c.HTTP.Jar, HandshakeTimeout: 5 * time.Second}
	conn, resp, err := d.Dial(ws, http.Header{"Origin": {site.URL}})
	if err != nil {
		t.Fatalf("dial %s: %v (%v)", ws, err, resp)
	}
	defer conn.Close()
	send := map[string]any{"type": "send", "body": body, "nonce": "n1", "confirm": true}
	if err := conn.WriteJSON(send); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		var msg map[string]any
		if err := conn.ReadJSON(&msg); err != nil {
			t.Fatalf("waiting for the acknowledgement: %v", err)
		}
		if msg["type"] == "message" && msg["nonce"] == "n1" {
			return
		}
		if msg["type"] == "error" || msg["type"] == "confirm_required" {
			t.Fatalf("chat answered %v", msg)
		}
	}
}

// P15: a member downloads everything tied to the account, as JSON with readable pages,
// in one archive; and can delete the account, keeping their posts as a former member's.
func TestP15_ExportContainsPostsAndMessages(t *testing.T) {
	site := stoatest.Start(t, noLimits)
	alice := register(t, site, "alice", "alice@example.org")
	thread := post(t, alice, "Alice's garden", "Tomatoes grow best in full sun.")
	chatSay(t, site, alice, "general", "Hello chat, alice here")
	alice.PostForm("/me/preferences", url.Values{"announcements": {"1"}})
	alice.PostForm("/contact", url.Values{"subject": {"Data question"}, "body": {"What do you keep?"}})

	me := alice.Doc("/me", http.StatusOK)
	for _, link := range []string{"/me/export", "/me/delete", "/me/preferences", "/me/enquiries"} {
		if me.Find("a[href='"+link+"']").Length() == 0 {
			t.Errorf("/me does not link %s", link)
		}
	}
	resp := alice.Get("/me/export")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/zip" ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("export: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	files := unzip(t, []byte(alice.Body))
	for _, name := range []string{"index.html", "profile.json", "profile.html", "posts.json", "posts.html", "threads.json",
		"consents.json", "preferences.json", "enquiries.json", "sessions.json"} {
		if _, ok := files[name]; !ok {
			t.Errorf("export lacks %s (has %v)", name, keys(files))
		}
	}
	var profile map[string]any
	if err := json.Unmarshal([]byte(files["profile.json"]), &profile); err != nil || profile["username"] != "alice" || profile["email"] != "alice@example.org" {
		t.Errorf("profile.json = %s (%v)", files["profile.json"], err)
	}
	if !strings.Contains(files["posts.json"], "Tomatoes grow best in full sun.") || !strings.Contains(files["posts.html"], "Tomatoes grow best") {
		t.Error("the export lacks alice's post")
	}
	chatFound := false
	for name, body := range files {
		if strings.HasSuffix(name, ".json") && strings.Contains(body, "Hello chat, alice here") {
			chatFound = true
		}
	}
	if !chatFound {
		t.Errorf("no file of the export holds alice's chat message (files %v)", keys(files))
	}
	if !strings.Contains(files["consents.json"], `"policy": "privacy"`) || !strings.Contains(files["consents.json"], `"accepted"`) {
		t.Errorf("consents.json = %s", files["consents.json"])
	}
	if !strings.Contains(files["preferences.json"], `"announcements": true`) || !strings.Contains(files["enquiries.json"], "What do you keep?") {
		t.Errorf("preferences or enquiries missing: %s %s", files["preferences.json"], files["enquiries.json"])
	}
	index := files["index.html"]
	if !strings.Contains(index, "Your data, alice") || !strings.Contains(index, `href="posts.html"`) || strings.Contains(index, "<script") {
		t.Error("index.html is not a readable page linking the parts")
	}
	if strings.Contains(files["sessions.json"], "token") || strings.Contains(alice.Body, "argon2id") {
		t.Error("the export holds secrets (session tokens or the password hash)")
	}
	site.Anonymous(t).Get("/me/export")

	// Deleting needs the password; the page warns that copies made elsewhere stay.
	form := alice.Doc("/me/delete", http.StatusOK)
	if !strings.Contains(form.Text(), "archived") || form.Find("input[name=content]").Length() != 2 {
		t.Fatal("the delete page lacks the archive warning or the erase/anonymise choice")
	}
	alice.PostForm("/me/delete", url.Values{"password": {"wrong password"}, "content": {"anonymise"}})
	if alice.Last.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(alice.Body, "Nothing was deleted") {
		t.Fatalf("wrong password: %d", alice.Last.StatusCode)
	}
	alice.PostForm("/me/delete", url.Values{"password": {"password-alice"}, "content": {"anonymise"}})
	if alice.Last.StatusCode != http.StatusOK || !strings.Contains(alice.Body, "Account deleted") || strings.Contains(alice.Body, "Log out") {
		t.Fatalf("delete: %d", alice.Last.StatusCode)
	}
	doc := site.Anonymous(t).Doc(thread, http.StatusOK)
	if !strings.Contains(doc.Text(), "Tomatoes grow best") || strings.Contains(doc.Find(".post-head").Text(), "alice") ||
		!strings.Contains(doc.Find(".post-head").Text(), "former") {
		t.Errorf("kept post is not shown as a former member's: %q", doc.Find(".post-head").Text())
	}
	if site.Anonymous(t).Get("/u/alice").StatusCode != http.StatusNotFound {
		t.Error("alice's profile is still there")
	}
	alice.Get("/me")
	if !strings.HasPrefix(alice.Path(), "/login") {
		t.Error("alice's session survived the deletion")
	}
	var email, sessions, consents, queued int
	queryRow(t, site, "select count(*) from users where email is not null and username != 'root'", nil, &email)
	queryRow(t, site, "select count(*) from sessions s join users u on u.id = s.user_id where u.deleted_at is not null", nil, &sessions)
	queryRow(t, site, "select count(*) from policy_consents c join users u on u.id = c.user_id where u.deleted_at is not null", nil, &consents)
	queryRow(t, site, "select count(*) from mail_outbox", nil, &queued)
	if email+sessions+consents+queued != 0 {
		t.Errorf("left after deletion: %d emails, %d sessions, %d consents, %d queued mails", email, sessions, consents, queued)
	}
	// The old password opens nothing, and the name is reserved, not free at once (issue
	// 16.3: old mentions and quotes must not point to a stranger; TestDeletedAccountKeeps
	// ItsRecordAndItsName frees it after the reservation).
	again := site.Anonymous(t)
	again.PostForm("/login", url.Values{"username": {"alice"}, "password": {"password-alice"}})
	if again.Last.StatusCode != http.StatusUnauthorized {
		t.Errorf("logging in as the deleted alice: %d", again.Last.StatusCode)
	}
	again.PostForm("/register", url.Values{"username": {"alice"}, "password": {"a good long password"}})
	if again.Last.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(again.Body, "reserved until") {
		t.Errorf("registering the deleted alice's name at once: %d", again.Last.StatusCode)
	}
}

// P15: erasing removes what the member wrote, from pages and from search.
func TestP15_DeleteAccountErasesContent(t *testing.T) {
	site := stoatest.Start(t, noLimits)
	bob := register(t, site, "bob", "bob@example.org")
	carol := site.Member(t, "carol", account.RoleMember)
	alone := post(t, bob, "Bob alone", "Nobody answers zucchini.")
	shared := post(t, bob, "Bob asks", "Which xylophone should I buy?")
	carol.PostForm("/t/"+strings.Split(shared, "/")[2]+"/reply", url.Values{"body": {"Carol answers."}, "token": {account.NewToken()}})
	queuePolicyMail(t, site, nil) // mail waiting for bob must go with him
	bob.PostForm("/me/delete", url.Values{"password": {"password-bob"}, "content": {"erase"}})
	if bob.Last.StatusCode != http.StatusOK {
		t.Fatalf("delete: %d", bob.Last.StatusCode)
	}
	reader := site.Anonymous(t)
	if reader.Get(alone).StatusCode != http.StatusNotFound {
		t.Error("bob's thread without replies still shows")
	}
	reader.Get("/t/" + strings.Split(shared, "/")[2])
	if strings.Contains(reader.Body, "xylophone") || !strings.Contains(reader.Body, "Carol answers.") {
		t.Error("erased opening post still shows, or carol's reply went with it")
	}
	for _, q := range []string{"xylophone", "zucchini"} {
		reader.Get("/search?q=" + q)
		if strings.Contains(reader.Body, "Bob") {
			t.Errorf("search for %q still finds bob's erased text", q)
		}
	}
	var left int
	queryRow(t, site, "select count(*) from posts where source like '%xylophone%' or source like '%zucchini%'", nil, &left)
	if left != 0 {
		t.Errorf("%d erased posts keep their text in the database", left)
	}
	for _, m := range outbox(t, site) {
		if m.To == "bob@example.org" {
			t.Error("mail for bob is still queued")
		}
	}
}

// queuePolicyMail has an admin (a new one when nil) save a material change of the
// privacy policy.
func queuePolicyMail(t *testing.T, site *stoatest.Site, admin *stoatest.Client) *stoatest.Client {
	t.Helper()
	if admin == nil {
		admin = site.Member(t, "root", account.RoleAdmin)
	}
	doc := admin.Doc("/admin/policies/privacy", http.StatusOK)
	src := doc.Find("textarea[name=source]").Text()
	admin.PostForm("/admin/policies/privacy", url.Values{"title": {"Privacy policy"},
		"source": {src + "\n## Backups\n\nWe keep encrypted backups for 30 days.\n"}, "material": {"1"}})
	if admin.Path() != "/policies/privacy" {
		t.Fatalf("saving the policy ended at %s (%d)", admin.Path(), admin.Last.StatusCode)
	}
	return admin
}
