package moderation_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"stoa/account"
	"stoa/internal/stoatest"
)

// count runs a counting query on the site's database.
func count(t *testing.T, site *stoatest.Site, query string, args ...any) int {
	t.Helper()
	var n int
	if err := site.App.DB().QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestQueueGroupsByMemberAndAppliesToAll: the queue groups reported things by member; one
// decision applies to all open reports of a member (every post hidden, one notice, one
// silence, one incident), and the moderator lands on the next item of the queue.
func TestQueueGroupsByMemberAndAppliesToAll(t *testing.T) {
	site := stoatest.Start(t)
	troll := site.Member(t, "troll", account.RoleMember)
	alice := site.Member(t, "alice", account.RoleMember)
	bob := site.Member(t, "bob", account.RoleMember)
	mod := site.Member(t, "mia", account.RoleModerator)
	newThread(t, bob, "Garden", "Show your tomatoes.")
	thread := bob.Path()
	var trolls []string
	for _, body := range []string{"Ugly tomatoes.", "Ugly gardener.", "Go away."} {
		trolls = append(trolls, replyTo(t, troll, thread, body))
	}
	other := replyTo(t, alice, thread, "Buy my seeds at example.com")
	for _, p := range trolls {
		report(t, bob, "post", p, "harassment", "")
	}
	report(t, bob, "post", other, "spam", "")

	doc := mod.Doc("/mod", http.StatusOK)
	groups := doc.Find(".mod-group")
	if groups.Length() != 2 {
		t.Fatalf("%d member groups, want 2 (troll, alice): %s", groups.Length(), text(mod.Body))
	}
	first := groups.First()
	if n := first.Find(".mod-item").Length(); n != 3 || !strings.Contains(first.Find("h2").Text(), "troll") {
		t.Fatalf("the first group should hold troll's 3 posts: %d items, %s", n, text(first.Text()))
	}
	all, ok := first.Find(`a:contains("Apply to all open reports of troll")`).Attr("href")
	if !ok {
		t.Fatalf("troll's group offers no “apply to all”: %s", text(first.Text()))
	}
	form := mod.Doc(all, http.StatusOK).Find("form.mod-actions")
	if _, on := form.Find(`input[name=all]`).Attr("checked"); !on {
		t.Fatal("“apply to all” is not ticked on the page it leads to")
	}
	next, _ := form.Find(`input[name=next]`).Attr("value")
	action, _ := form.Attr("action")

	mod.PostForm(action, url.Values{"do": {"apply"}, "reports_open": {"1"}, "all": {"1"}, "next": {next}, "hide": {"1"},
		"send_notice": {"1"}, "notice": {"Stop it."}, "sanction": {"silence"}, "silence_for": {"24"}, "reason": {"Insults"}})
	if mod.Last.StatusCode != http.StatusOK {
		t.Fatalf("apply to all: %d %s", mod.Last.StatusCode, text(mod.Body))
	}
	if !strings.HasPrefix(mod.Path(), "/mod/review/post/"+other) || !strings.Contains(mod.Body, "next item in the queue") {
		t.Errorf("after acting the moderator should land on the next item (alice's post): at %s", mod.Path())
	}
	anon := site.Anonymous(t).Doc(thread, http.StatusOK)
	if n := anon.Find("li.post.is-hidden").Length(); n != 3 {
		t.Errorf("%d of troll's posts hidden, want 3", n)
	}
	for _, q := range []struct {
		what  string
		query string
		want  int
	}{
		{"notices", "select count(*) from notices", 1},
		{"sanctions", "select count(*) from sanctions", 1},
		{"incidents", "select count(*) from mod_incidents", 1},
		{"open reports of troll", "select count(*) from reports where resolved_at is null and target_user_id = ?", 0},
		{"troll's reports in the incident", "select count(*) from reports where incident_id is not null and resolution = 'actioned' and target_user_id = ?", 3},
	} {
		var args []any
		if strings.Contains(q.query, "?") {
			args = append(args, userID(t, site, "troll"))
		}
		if n := count(t, site, q.query, args...); n != q.want {
			t.Errorf("%s: %d, want %d", q.what, n, q.want)
		}
	}
	if n := count(t, site, "select count(*) from audit_log where action = 'hide_post'"); n != 3 {
		t.Errorf("%d hide entries in the audit log, want one per post", n)
	}
	// The last item: acting on it leads back to the (now empty) queue.
	mod.PostForm("/mod/review/post/"+other, url.Values{"do": {"dismiss"}, "next": {next}})
	if mod.Path() != "/mod?done=1" || !strings.Contains(mod.Body, "The queue is empty") || !strings.Contains(mod.Body, "Done.") {
		t.Errorf("after the last item: at %s %s", mod.Path(), text(mod.Body))
	}
}

func userID(t *testing.T, site *stoatest.Site, name string) int64 {
	t.Helper()
	var id int64
	if err := site.App.DB().QueryRow(context.Background(), "select id from users where username = ?", name).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestQueueFiltersAndBulkDismiss: the queue filters by kind, reason and age through GET
// parameters, and dismisses several ticked items with one button, coming back to the same
// filtered queue; without a tick it explains what to do.
func TestQueueFiltersAndBulkDismiss(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	bob := site.Member(t, "bob", account.RoleMember)
	carol := site.Member(t, "carol", account.RoleMember)
	mod := site.Member(t, "mia", account.RoleModerator)
	spam := newThread(t, alice, "Deals", "Buy cheap watches")
	rude := replyTo(t, carol, alice.Path(), "What a silly thread.")
	report(t, bob, "post", spam, "spam", "")
	report(t, bob, "post", rude, "harassment", "")
	report(t, bob, "user", strconv.FormatInt(userID(t, site, "alice"), 10), "other", "Impersonates staff")

	items := func(path string) []string {
		var out []string
		mod.Doc(path, http.StatusOK).Find(".mod-item input[name=item]").Each(func(_ int, s *goquery.Selection) {
			v, _ := s.Attr("value")
			out = append(out, v)
		})
		return out
	}
	for _, c := range []struct {
		path string
		want int
	}{
		{"/mod", 3}, {"/mod?kind=user", 1}, {"/mod?kind=post", 2}, {"/mod?reason=spam", 1},
		{"/mod?kind=post&reason=harassment", 1}, {"/mod?age=new", 3}, {"/mod?age=7d", 0}, {"/mod?kind=nonsense", 3},
	} {
		if got := items(c.path); len(got) != c.want {
			t.Errorf("%s: %d items %v, want %d", c.path, len(got), got, c.want)
		}
	}
	if doc := mod.Doc("/mod?age=7d", http.StatusOK); !strings.Contains(doc.Text(), "Nothing in the queue matches") {
		t.Error("an empty filtered queue is not explained")
	}
	if v, _ := mod.Doc("/mod?kind=post", http.StatusOK).Find(`select[name=kind] option[selected]`).Attr("value"); v != "post" {
		t.Errorf("the kind filter does not show what is chosen: %q", v)
	}

	// Nothing ticked: explained, nothing lost.
	mod.PostForm("/mod/bulk", url.Values{"do": {"dismiss"}, "next": {"/mod?kind=post"}})
	if mod.Last.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(mod.Body, "Tick the items") {
		t.Errorf("bulk without a tick: %d %s", mod.Last.StatusCode, text(mod.Body))
	}
	posts := items("/mod?kind=post")
	mod.PostForm("/mod/bulk", url.Values{"do": {"dismiss"}, "item": append(posts, "post:nonsense"), "next": {"/mod?kind=post"}})
	if mod.Last.StatusCode != http.StatusOK || !strings.HasPrefix(mod.Path(), "/mod?") || !strings.Contains(mod.Path(), "kind=post") {
		t.Fatalf("bulk dismiss: %d at %s", mod.Last.StatusCode, mod.Path())
	}
	if !strings.Contains(mod.Body, "Reports dismissed on 2 items") {
		t.Errorf("bulk dismiss does not say what it did: %s", text(mod.Body))
	}
	if left := items("/mod"); len(left) != 1 || !strings.HasPrefix(left[0], "user:") {
		t.Errorf("after the bulk dismissal the queue holds %v, want the member report only", left)
	}
	if n := count(t, site, "select count(*) from audit_log where action = 'dismiss_reports'"); n != 2 {
		t.Errorf("%d dismissals audited, want 2", n)
	}
	// A single item's own button dismisses just it; again, it is already handled.
	user := items("/mod")[0]
	mod.PostForm("/mod/bulk", url.Values{"only": {user}, "next": {"/mod"}})
	if !strings.Contains(mod.Body, "Reports dismissed on 1 item") {
		t.Errorf("single dismiss: %s", text(mod.Body))
	}
	mod.PostForm("/mod/bulk", url.Values{"only": {user}, "next": {"/mod"}})
	if !strings.Contains(mod.Body, "already handled") {
		t.Errorf("dismissing a handled item again: %s", text(mod.Body))
	}
}

// TestModeratorsReadTheAuditLog: moderators read the audit log from the queue, without
// administrators' access to personal data; administrators still filter it.
func TestModeratorsReadTheAuditLog(t *testing.T) {
	site := stoatest.Start(t)
	admin := site.Member(t, "ada", account.RoleAdmin)
	mod := site.Member(t, "mia", account.RoleModerator)
	otto := site.Member(t, "otto", account.RoleModerator)
	site.Member(t, "alice", account.RoleMember)
	otto.PostForm("/mod/users/alice", url.Values{"do": {"apply"}, "sanction": {"silence"}, "silence_for": {"1"}, "reason": {"Cooling off"}})
	admin.PostForm("/admin/users/alice/reset-link", url.Values{"reason": {"Locked out, asked by phone"}})

	if _, ok := mod.Doc("/mod", http.StatusOK).Find(`a[href="/mod/audit"]`).Attr("href"); !ok {
		t.Error("the queue does not link the audit log")
	}
	log := text(mod.Doc("/mod/audit", http.StatusOK).Find("table").Text())
	for _, want := range []string{"otto", "Member silenced", "Cooling off"} {
		if !strings.Contains(log, want) {
			t.Errorf("the moderators' audit log lacks %q: %s", want, log)
		}
	}
	if strings.Contains(log, "reset link") || strings.Contains(log, "Locked out") {
		t.Errorf("moderators see administrators' access to personal data: %s", log)
	}
	if mod.Parse().Find(`form.filters`).Length() != 0 {
		t.Error("moderators get the administrators' filters")
	}
	admin.Get("/mod/audit")
	if admin.Path() != "/admin/audit" || !strings.Contains(admin.Body, "Password reset link made") {
		t.Errorf("administrators should land on the full, filterable log: at %s", admin.Path())
	}
}

// TestP8_WorkflowRoutesCheckTheRole: every staff route of the workflow refuses members,
// and the administrators' ones refuse moderators.
func TestP8_WorkflowRoutesCheckTheRole(t *testing.T) {
	site := stoatest.Start(t)
	admin := site.Member(t, "ada", account.RoleAdmin)
	mod := site.Member(t, "mia", account.RoleModerator)
	member := site.Member(t, "alice", account.RoleMember)
	newThread(t, member, "Hello", "First post.")
	routes := []struct {
		method, path string
		form         url.Values
		modOK        bool
	}{
		{"GET", "/mod", nil, true},
		{"GET", "/mod?kind=post&reason=spam&age=1d", nil, true},
		{"GET", "/mod/audit", nil, true},
		{"POST", "/mod/bulk", url.Values{"do": {"dismiss"}, "item": {"post:1"}}, true},
		{"GET", "/mod/review/post/1?all=1", nil, true},
		{"POST", "/mod/review/post/1", url.Values{"do": {"apply"}, "hide": {"1"}, "next": {"/p/1"}}, true},
		{"GET", "/admin/audit", nil, false},
		{"GET", "/admin/notice-templates", nil, false},
		{"POST", "/admin/notice-templates", url.Values{"rule": {"1"}, "title": {"T"}, "body": {"B"}}, false},
	}
	for _, r := range routes {
		do := func(c *stoatest.Client) int {
			if r.method == "POST" {
				return c.PostForm(r.path, r.form).StatusCode
			}
			return c.Get(r.path).StatusCode
		}
		if s := do(member); s != http.StatusForbidden {
			t.Errorf("member %s %s: %d, want 403", r.method, r.path, s)
		}
		want := http.StatusOK
		if !r.modOK {
			want = http.StatusForbidden
		}
		if s := do(mod); s != want && !(r.modOK && s == http.StatusUnprocessableEntity) {
			t.Errorf("moderator %s %s: %d, want %d", r.method, r.path, s, want)
		}
		if s := do(admin); s != http.StatusOK && s != http.StatusUnprocessableEntity {
			t.Errorf("admin %s %s: %d", r.method, r.path, s)
		}
	}
}
