package moderation_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"stoa/account"
	"stoa/internal/stoatest"
)

// TestNoticeTemplates: an administrator writes a canned notice for a rule and maps the
// "harassment" reason to it; a moderator reviewing a harassment report finds the rule
// pre-ticked and the template offered first, and one click fills the notice. Changes are
// audited; a bad form keeps what was typed.
func TestNoticeTemplates(t *testing.T) {
	site := stoatest.Start(t)
	admin := site.Member(t, "ada", account.RoleAdmin)
	mod := site.Member(t, "mia", account.RoleModerator)
	alice := site.Member(t, "alice", account.RoleMember)
	bob := site.Member(t, "bob", account.RoleMember)

	if _, ok := admin.Doc("/admin", http.StatusOK).Find(`a[href="/admin/notice-templates"]`).Attr("href"); !ok {
		t.Fatal("the admin dashboard does not link the notice templates")
	}
	page := admin.Doc("/admin/notice-templates", http.StatusOK)
	if page.Find(`select[name=rule] option`).Length() < 2 {
		t.Fatalf("the rules of the agreement are not offered: %s", text(admin.Body))
	}
	admin.PostForm("/admin/notice-templates", url.Values{"rule": {"2"}, "title": {""}, "body": {"Kept text"}})
	if admin.Last.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(admin.Body, "Give the template a short title") ||
		!strings.Contains(admin.Body, "Kept text") {
		t.Fatalf("a template without a title: %d %s", admin.Last.StatusCode, text(admin.Body))
	}
	admin.PostForm("/admin/notice-templates", url.Values{"rule": {"99"}, "title": {"X"}, "body": {"Y"}})
	if admin.Last.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(admin.Body, "Choose a rule") {
		t.Errorf("a template for no rule: %d", admin.Last.StatusCode)
	}
	admin.PostForm("/admin/notice-templates", url.Values{"rule": {"2"}, "title": {"Insults"},
		"body": {"Calling other members names breaks rule 2."}, "reason": {"harassment"}})
	if admin.Last.StatusCode != http.StatusOK || !strings.Contains(admin.Body, "Saved") {
		t.Fatalf("save: %d %s", admin.Last.StatusCode, text(admin.Body))
	}
	admin.PostForm("/admin/notice-templates", url.Values{"rule": {"1"}, "title": {"Generic"}, "body": {"Please read the agreement."}})

	newThread(t, bob, "Garden", "Show your tomatoes.")
	post := replyTo(t, alice, bob.Path(), "You are a fool, bob.")
	report(t, bob, "post", post, "harassment", "")
	form := mod.Doc("/mod/review/post/"+post, http.StatusOK).Find("form.mod-actions")
	if _, on := form.Find(`input[name=rule][value="2"]`).Attr("checked"); !on {
		t.Error("the rule the harassment reason maps to is not pre-ticked")
	}
	if _, on := form.Find(`input[name=rule][value="1"]`).Attr("checked"); on {
		t.Error("a rule no reason maps to is ticked")
	}
	links := form.Find(".mod-templates a")
	if links.Length() != 2 || !strings.Contains(links.First().Text(), "Insults") ||
		!strings.Contains(form.Find(".mod-templates li").First().Text(), "fits the reports") {
		t.Fatalf("templates offered: %s", text(form.Find(".mod-templates").Text()))
	}
	use, _ := links.First().Attr("href")
	form = mod.Doc(use, http.StatusOK).Find("form.mod-actions")
	if got := form.Find(`textarea[name=notice]`).Text(); got != "Calling other members names breaks rule 2." {
		t.Errorf("the template did not fill the notice: %q", got)
	}
	if _, on := form.Find(`input[name=send_notice]`).Attr("checked"); !on {
		t.Error("using a template does not tick “Send a notice”")
	}

	// Change and remove it; both audited.
	edit, _ := admin.Doc("/admin/notice-templates", http.StatusOK).Find(`.notice-template form`).First().Attr("action")
	admin.PostForm(edit, url.Values{"rule": {"2"}, "title": {"Name-calling"}, "body": {"No names, please."}, "reason": {"harassment", "other"}})
	if admin.Last.StatusCode != http.StatusOK || !strings.Contains(admin.Body, "Name-calling") {
		t.Fatalf("change: %d %s", admin.Last.StatusCode, text(admin.Body))
	}
	admin.PostForm(edit+"/delete", url.Values{})
	if admin.Last.StatusCode != http.StatusOK || strings.Contains(admin.Body, "No names, please.") {
		t.Errorf("remove: %d", admin.Last.StatusCode)
	}
	log := text(admin.Doc("/admin/audit?action=edit_notice_template", http.StatusOK).Find("table").Text())
	for _, want := range []string{"“Insults” for rule 2 (added)", "“Name-calling” for rule 2 (changed)", "(removed)"} {
		if !strings.Contains(log, want) {
			t.Errorf("audit log lacks %q: %s", want, log)
		}
	}
}
