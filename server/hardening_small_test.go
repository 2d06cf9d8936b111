package server_test

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"stoa/account"
	"stoa/internal/stoatest"
	"stoa/storage"
)

// /static/ serves files, not a list of them.
func TestStaticFolderIsNotListed(t *testing.T) {
	site := stoatest.Start(t)
	c := site.Anonymous(t)
	for _, p := range []string{"/static/", "/static//"} {
		if resp := c.Get(p); resp.StatusCode != http.StatusNotFound || strings.Contains(c.Body, "chat.js") {
			t.Errorf("GET %s: %d, lists files: %t", p, resp.StatusCode, strings.Contains(c.Body, "chat.js"))
		}
	}
	doc := c.Doc("/chat/general", http.StatusOK)
	src, _ := doc.Find(`script[src^="/static/"]`).Attr("src")
	if resp := c.Get(src); resp.StatusCode != http.StatusOK {
		t.Errorf("GET %s: %d", src, resp.StatusCode)
	}
}

// A backup holds every member's data: only its owner may read it.
func TestBackupIsReadableByItsOwnerOnly(t *testing.T) {
	site := stoatest.StartEngine(t, storage.SQLite) // SQLite only: Stoa backs up the SQLite file
	dest := filepath.Join(t.TempDir(), "backup.db")
	if err := site.App.DB().Backup(t.Context(), dest); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(dest)
	if err != nil {
		t.Fatal(err)
	}
	if mode := st.Mode().Perm(); mode != 0o600 {
		t.Errorf("backup written with mode %o, want 600", mode)
	}
	if err := site.App.DB().Backup(t.Context(), dest); err == nil {
		t.Error("a backup overwrote an existing file")
	}
}

// The WebSocket Origin check compares the whole origin: a page of the same host under
// another scheme or port is another site.
func TestChatOriginIsComparedWhole(t *testing.T) {
	site := stoatest.Start(t)
	u, _ := url.Parse(site.URL)
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
	for origin, ok := range map[string]bool{
		site.URL:                     true,
		"https://" + u.Host:          false,
		"http://" + u.Hostname():     false, // port 80
		"http://" + u.Host + ".evil": false,
	} {
		conn, resp, err := d.Dial("ws://"+u.Host+"/chat/general/ws", http.Header{"Origin": {origin}})
		if ok != (err == nil) {
			status := 0
			if resp != nil {
				status = resp.StatusCode
			}
			t.Errorf("Origin %s: err %v (status %d), want accepted=%t", origin, err, status, ok)
		}
		if conn != nil {
			conn.Close()
		}
	}
}

// A thread title with a line break is refused with a message; a title that made it into
// a notification email anyway (written before titles were checked) cannot undo a reply.
func TestTitleLineBreaksAndUnbuildableMail(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	bob := site.Member(t, "bob", account.RoleMember)
	extrasExec(t, site, "update users set email = username || '@example.org', email_verified = 1")
	alice.PostForm("/me/notifications", url.Values{"mention": {"email"}, "reply": {"email"}, "watching": {"email"}, "chat_mention": {"app"}})

	alice.PostForm("/c/general/new", url.Values{"title": {"Line\r\nBcc: evil@example.org"}, "body": {"hello"}, "token": {account.NewToken()}})
	if alice.Last.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(alice.Body, "on one line") {
		t.Fatalf("a title with a line break: %d", alice.Last.StatusCode)
	}
	alice.PostForm("/c/general/new", url.Values{"title": {"Seeds"}, "body": {"who has seeds?"}, "token": {account.NewToken()}})
	m := regexp.MustCompile(`^/t/(\d+)/`).FindStringSubmatch(alice.Path())
	if m == nil {
		t.Fatalf("posting ended at %s", alice.Path())
	}
	// A title from before the check, and an address that no longer parses.
	extrasExec(t, site, "update threads set title = 'Seeds\r\nand more' where id = "+m[1])
	extrasExec(t, site, "update users set email = 'not an address' where username = 'alice'")
	bob.PostForm("/t/"+m[1]+"/reply", url.Values{"body": {"I do, @alice"}, "token": {account.NewToken()}})
	if bob.Last.StatusCode != http.StatusOK || !strings.HasPrefix(bob.Last.Request.URL.Fragment, "p") {
		t.Fatalf("the reply failed: %d at %s", bob.Last.StatusCode, bob.Last.Request.URL)
	}
	doc := alice.Doc("/notifications", http.StatusOK)
	if doc.Find(".notification").Length() == 0 {
		t.Error("the notification in Stoa was lost with the mail")
	}
}

// A moderator cannot edit an administrator's post; an administrator can edit anyone's.
func TestModeratorsCannotEditAdministratorsPosts(t *testing.T) {
	site := stoatest.Start(t)
	ada := site.Member(t, "ada", account.RoleAdmin)
	mia := site.Member(t, "mia", account.RoleModerator)
	alice := site.Member(t, "alice", account.RoleMember)
	ada.PostForm("/c/general/new", url.Values{"title": {"Rules"}, "body": {"Be kind."}, "token": {account.NewToken()}})
	adaPost := ada.Parse().Find(`a[href$="/edit"]`).First().AttrOr("href", "")
	alice.PostForm("/c/general/new", url.Values{"title": {"Hello"}, "body": {"Hi all."}, "token": {account.NewToken()}})
	alicePost := alice.Parse().Find(`a[href$="/edit"]`).First().AttrOr("href", "")
	if adaPost == "" || alicePost == "" {
		t.Fatal("no edit links on the authors' own posts")
	}
	mia.Get(adaPost)
	if mia.Last.StatusCode != http.StatusForbidden {
		t.Errorf("a moderator opening an admin's edit form: %d, want 403", mia.Last.StatusCode)
	}
	mia.PostForm(adaPost, url.Values{"body": {"Be mean."}})
	if mia.Last.StatusCode != http.StatusForbidden {
		t.Errorf("a moderator editing an admin's post: %d, want 403", mia.Last.StatusCode)
	}
	if doc := mia.Doc(strings.TrimSuffix(strings.Replace(adaPost, "/p/", "/p/", 1), "/edit"), http.StatusOK); doc.Find(`a[href="`+adaPost+`"]`).Length() != 0 {
		t.Error("the thread offers a moderator an edit link on an admin's post")
	}
	mia.PostForm(alicePost, url.Values{"body": {"Hi all (edited by a moderator)."}})
	if mia.Last.StatusCode != http.StatusOK {
		t.Errorf("a moderator editing a member's post: %d", mia.Last.StatusCode)
	}
	ada.PostForm(alicePost, url.Values{"body": {"Hi all (edited by an admin)."}})
	if ada.Last.StatusCode != http.StatusOK {
		t.Errorf("an admin editing a member's post: %d", ada.Last.StatusCode)
	}
}
