package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"stoa/account"
	"stoa/internal/stoatest"
	"stoa/server"
)

// The six kinds of visitor the authorisation matrix checks every route with.
const (
	modAnon = iota
	modMember
	modSilenced
	modSuspended
	modModerator
	modAdmin
	modRoles
)

var modRoleNames = [modRoles]string{"anonymous", "member", "silenced", "suspended", "moderator", "admin"}

// Shorthands for the usual rows. 303 sends an anonymous visitor to the login page; a
// suspended member's session ended with the suspension, so they are anonymous again.
var (
	modPublic    = [modRoles]int{200, 200, 200, 200, 200, 200}
	modMembers   = [modRoles]int{303, 200, 200, 303, 200, 200}
	modPosters   = [modRoles]int{303, 200, 403, 303, 200, 200}
	modStaffOnly = [modRoles]int{303, 403, 403, 303, 200, 200}
	modAdmins    = [modRoles]int{303, 403, 403, 303, 403, 200}
	modNowhere   = [modRoles]int{404, 404, 404, 404, 404, 404}
)

// modCase is one request of the matrix: route is the pattern it covers. paths, when
// set, gives a role its own path, for actions that change what they act on.
type modCase struct {
	route  string
	method string
	path   string
	form   url.Values
	want   [modRoles]int
	paths  map[int]string
}

// modFixture is a site with a member's thread, reply, chat message and notice, and a
// logged-in client for each kind of visitor.
type modFixture struct {
	site    *stoatest.Site
	clients [modRoles]*stoatest.Client
}

func modSetup(t *testing.T) *modFixture {
	t.Helper()
	site := stoatest.Start(t, func(c *server.Config) { c.NoRateLimits = true })
	f := &modFixture{site: site}
	f.clients[modAnon] = site.Anonymous(t)
	f.clients[modMember] = site.Member(t, "alice", account.RoleMember)
	f.clients[modSilenced] = site.Member(t, "sam", account.RoleMember)
	f.clients[modSuspended] = site.Member(t, "sue", account.RoleMember)
	f.clients[modModerator] = site.Member(t, "mia", account.RoleModerator)
	f.clients[modAdmin] = site.Member(t, "ada", account.RoleAdmin)
	alice, mod := f.clients[modMember], f.clients[modModerator]

	// Thread 1 with post 1 by alice, post 2 by sam before he was silenced, posts 3 and 4
	// by bob; chat message 1 by alice, 2 and 3 by bob.
	bob := site.Member(t, "bob", account.RoleMember)
	tok := alice.FormToken("/c/general/new")
	alice.PostForm("/c/general/new", url.Values{"title": {"Welcome"}, "body": {"Hello everyone"}, "token": {tok}})
	for i, c := range []*stoatest.Client{f.clients[modSilenced], bob, bob} {
		tok = c.FormToken("/t/1/welcome")
		c.PostForm("/t/1/reply", url.Values{"body": {fmt.Sprintf("Reply %d", i+2)}, "token": {tok}})
	}
	modChatSay(t, site, alice, "general", "hello chat")
	modChatSay(t, site, bob, "general", "second")
	modChatSay(t, site, bob, "general", "third")
	// Notice 1 goes to sam with his silence; sue is suspended.
	mod.PostForm("/mod/users/sam", url.Values{"do": {"apply"}, "send_notice": {"1"}, "notice": {"Calm down."},
		"sanction": {"silence"}, "silence_for": {"24"}, "reason": {"Heated"}})
	mod.PostForm("/mod/users/sue", url.Values{"do": {"apply"}, "sanction": {"suspend"}, "suspend_for": {"24"}, "reason": {"Spam"}})
	if mod.Last.StatusCode != http.StatusOK {
		t.Fatalf("fixture: suspend: %d", mod.Last.StatusCode)
	}
	for _, c := range f.clients {
		c.HTTP.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	return f
}

// modChatSay publishes a chat message as c over the WebSocket, confirming the warning.
func modChatSay(t *testing.T, site *stoatest.Site, c *stoatest.Client, room, body string) {
	t.Helper()
	u, _ := url.Parse(site.URL)
	d := websocket.Dialer{Jar: c.HTTP.Jar, HandshakeTimeout: 5 * time.Second}
	conn, _, err := d.Dial("ws://"+u.Host+"/chat/"+room+"/ws", http.Header{"Origin": {site.URL}})
	if err != nil {
		t.Fatalf("dial chat: %v", err)
	}
	defer conn.Close()
	conn.WriteJSON(map[string]any{"type": "send", "body": body, "nonce": "m1", "confirm": true})
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		var msg map[string]any
		if err := conn.ReadJSON(&msg); err != nil {
			t.Fatalf("chat: %v", err)
		}
		if msg["type"] == "message" && msg["nonce"] == "m1" {
			return
		}
		if msg["type"] == "error" {
			t.Fatalf("chat: %v", msg)
		}
	}
}

// do makes the case's request as role and returns the status; a redirect to the login
// page reads as 303 only when it really goes there.
func (f *modFixture) do(t *testing.T, role int, c modCase) int {
	t.Helper()
	cl := f.clients[role]
	path := c.path
	if p, ok := c.paths[role]; ok {
		path = p
	}
	var resp *http.Response
	if c.method == http.MethodPost {
		form := c.form
		if form == nil {
			form = url.Values{}
		}
		resp = cl.PostForm(path, form)
	} else {
		resp = cl.Get(path)
	}
	if (role == modAnon || role == modSuspended) && resp.StatusCode == http.StatusSeeOther &&
		!strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		return -resp.StatusCode // a redirect elsewhere is not the login page
	}
	return resp.StatusCode
}

// TestModDiscoverStatuses requests every route as each kind of visitor, as the
// authorisation matrix does, and checks what must hold of the statuses it discovers
// whatever a route's own row says: every answer is deliberate (no server error, no
// redirect elsewhere than to log in), a suspended member is answered exactly as an
// anonymous visitor (their session ended), what is refused to a member is refused to an
// anonymous visitor too, and an administrator is let in wherever a moderator is. Run it
// with -v to see the table, rows that differ from the matrix marked.
func TestModDiscoverStatuses(t *testing.T) {
	f := modSetup(t)
	allowed := func(status int) bool { return status >= 200 && status < 300 }
	for _, c := range modCases() {
		var got [modRoles]int
		for role := range modRoles {
			got[role] = f.do(t, role, c)
		}
		mark := ""
		if got != c.want {
			mark = "   <<< differs from the matrix"
		}
		t.Logf("%-45s %-40s %v%s", c.route, c.path, got, mark)
		for role, status := range got {
			if status >= 500 {
				t.Errorf("%s %s as %s: server error %d", c.method, c.path, modRoleNames[role], status)
			}
			if status < 0 && c.want[role] >= 0 {
				t.Errorf("%s %s as %s: redirected elsewhere than to log in", c.method, c.path, modRoleNames[role])
			}
		}
		if got[modSuspended] != got[modAnon] {
			t.Errorf("%s %s: a suspended member gets %d, an anonymous visitor %d", c.method, c.path, got[modSuspended], got[modAnon])
		}
		if got[modMember] == http.StatusForbidden && allowed(got[modAnon]) {
			t.Errorf("%s %s: refused to a member but open to anonymous visitors (%d)", c.method, c.path, got[modAnon])
		}
		if got[modAdmin] == http.StatusForbidden && got[modModerator] != http.StatusForbidden {
			t.Errorf("%s %s: refused to an administrator but not to a moderator (%d)", c.method, c.path, got[modModerator])
		}
	}
}

var modRoutePattern = regexp.MustCompile(`mux\.Handle(?:Func)?\("([A-Z]+ [^"]+)"`)

// modRoutes collects every route pattern the packages mount, from their source.
func modRoutes(t *testing.T) []string {
	t.Helper()
	seen := map[string]bool{}
	err := filepath.WalkDir("..", func(path string, d os.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != "..":
			return filepath.SkipDir
		case d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go"):
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range modRoutePattern.FindAllStringSubmatch(string(b), -1) {
			seen[m[1]] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for r := range seen {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// TestP8_MatrixCoversEveryRoute fails when a route is mounted that the authorisation
// matrix does not check: add it to modCases with the statuses each role should get.
func TestP8_MatrixCoversEveryRoute(t *testing.T) {
	covered := map[string]bool{}
	for _, c := range modCases() {
		covered[c.route] = true
	}
	for _, r := range modRoutes(t) {
		if !covered[r] {
			t.Errorf("route %q is not in the authorisation matrix (server/moderation_test.go)", r)
		}
	}
}

// TestP8_AuthorisationMatrix requests every route as each kind of visitor and checks
// the status: staff routes refuse members, admin routes refuse moderators, the
// silenced cannot post, the suspended are logged out.
func TestP8_AuthorisationMatrix(t *testing.T) {
	f := modSetup(t)
	for _, c := range modCases() {
		for role := range modRoles {
			if got := f.do(t, role, c); got != c.want[role] {
				t.Errorf("%s %s as %s: %d, want %d", c.method, c.path, modRoleNames[role], got, c.want[role])
			}
		}
	}
}
