package moderation_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"stoa/account"
	"stoa/internal/stoatest"
)

// TestReportFormOffersTheReasons: the form shows what is reported and the five reasons,
// and asks anonymous readers to log in.
func TestReportFormOffersTheReasons(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	bob := site.Member(t, "bob", account.RoleMember)
	post := newThread(t, alice, "Deals", "Buy cheap watches at example.com")

	doc := bob.Doc("/report?post="+post, http.StatusOK)
	if !strings.Contains(doc.Find(".mod-snapshot").Text(), "Buy cheap watches") {
		t.Error("the form does not show what is being reported")
	}
	var reasons []string
	doc.Find(`fieldset label`).Each(func(_ int, s *goquery.Selection) { reasons = append(reasons, strings.TrimSpace(s.Text())) })
	want := []string{"Spam", "Harassment", "Personal information about someone", "Off-topic", "Something else"}
	if strings.Join(reasons, "|") != strings.Join(want, "|") {
		t.Errorf("reasons %q, want %q", reasons, want)
	}
	if doc := bob.Doc("/report?user=alice", http.StatusOK); !strings.Contains(doc.Text(), "Username: alice") {
		t.Error("reporting a member does not show who")
	}

	anon := site.Anonymous(t)
	anon.Get("/report?post=" + post)
	if !strings.HasPrefix(anon.Path(), "/login") {
		t.Errorf("anonymous report form: at %s", anon.Path())
	}
	for path, status := range map[string]int{"/report": 400, "/report?post=999": 404, "/report?post=abc": 400,
		"/report?user=nobody": 404, "/report?message=5": 404} {
		if bob.Get(path); bob.Last.StatusCode != status {
			t.Errorf("GET %s: %d, want %d", path, bob.Last.StatusCode, status)
		}
	}
	mod := site.Member(t, "mia", account.RoleModerator)
	if doc := mod.Doc("/report?post="+post, http.StatusOK); doc.Find(`a[href="/mod/review/post/`+post+`"]`).Length() == 0 {
		t.Error("a moderator is not offered to act directly")
	}
}

// TestBadReportsKeepWhatWasTyped: a missing reason, "other" without a word, and one's
// own post are refused with a sentence; the text stays in the form.
func TestBadReportsKeepWhatWasTyped(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	bob := site.Member(t, "bob", account.RoleMember)
	post := newThread(t, alice, "Deals", "Buy cheap watches")

	bob.PostForm("/report", url.Values{"kind": {"post"}, "id": {post}, "details": {"my explanation"}})
	if bob.Last.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(bob.Body, "Choose why") || !strings.Contains(bob.Body, "my explanation") {
		t.Errorf("no reason: %d %s", bob.Last.StatusCode, text(bob.Body))
	}
	bob.PostForm("/report", url.Values{"kind": {"post"}, "id": {post}, "reason": {"other"}})
	if bob.Last.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(bob.Body, "Tell the moderators") {
		t.Errorf("other without details: %d %s", bob.Last.StatusCode, text(bob.Body))
	}
	alice.PostForm("/report", url.Values{"kind": {"post"}, "id": {post}, "reason": {"spam"}})
	if alice.Last.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(alice.Body, "cannot report yourself") {
		t.Errorf("own post: %d %s", alice.Last.StatusCode, text(alice.Body))
	}
	bob.PostForm("/report", url.Values{"kind": {"post"}, "id": {post}, "reason": {"spam"}, "details": {strings.Repeat("x", 2001)}})
	if bob.Last.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(bob.Body, "2000 characters") {
		t.Errorf("long details: %d", bob.Last.StatusCode)
	}
	bob.PostForm("/report", url.Values{"kind": {"thing"}, "id": {post}, "reason": {"spam"}})
	if bob.Last.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown kind: %d", bob.Last.StatusCode)
	}
	if doc := site.Member(t, "mia", account.RoleModerator).Doc("/mod", http.StatusOK); doc.Find(".mod-item").Length() != 0 {
		t.Error("a refused report reached the queue")
	}
}

// TestReportingIsRateLimited: a member filing report after report is asked to wait.
func TestReportingIsRateLimited(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	bob := site.Member(t, "bob", account.RoleMember)
	post := newThread(t, alice, "Deals", "Buy cheap watches")
	limited := false
	for i := 0; i < 15 && !limited; i++ {
		bob.PostForm("/report", url.Values{"kind": {"post"}, "id": {post}, "reason": {"spam"}})
		limited = bob.Last.StatusCode == http.StatusTooManyRequests
	}
	if !limited || !strings.Contains(bob.Body, "wait a few minutes") {
		t.Fatalf("15 reports in a row were all accepted: %d %s", bob.Last.StatusCode, text(bob.Body))
	}
	// Other members are not held back by bob.
	report(t, site.Member(t, "carol", account.RoleMember), "post", post, "spam", "")
}

// TestModeratorsDismissAndActDirectly: dismissing closes reports and changes nothing;
// a moderator may act on a post nobody reported.
func TestModeratorsDismissAndActDirectly(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	bob := site.Member(t, "bob", account.RoleMember)
	mod := site.Member(t, "mia", account.RoleModerator)
	post := newThread(t, alice, "Opinions", "Tabs are better than spaces.")
	thread := alice.Path()
	report(t, bob, "post", post, "off_topic", "")

	mod.PostForm("/mod/review/post/"+post, url.Values{"do": {"dismiss"}, "next": {"/mod"}})
	if mod.Path() != "/mod?done=1" || mod.Parse().Find(".mod-item").Length() != 0 {
		t.Fatalf("dismiss: at %s %s", mod.Path(), text(mod.Body))
	}
	if anon := site.Anonymous(t); !strings.Contains(anon.Doc(thread, http.StatusOK).Text(), "Tabs are better") {
		t.Error("dismissing changed the post")
	}
	mod.PostForm("/mod/review/post/"+post, url.Values{"do": {"dismiss"}})
	if mod.Last.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(mod.Body, "no open reports") {
		t.Errorf("dismissing nothing: %d", mod.Last.StatusCode)
	}

	// Acting without a report: close the thread and delete the post.
	mod.PostForm("/mod/review/post/"+post, url.Values{"do": {"apply"}, "lock": {"1"}, "reason": {"Settled"}})
	if mod.Last.StatusCode != http.StatusOK {
		t.Fatalf("lock: %d %s", mod.Last.StatusCode, text(mod.Body))
	}
	alice.Get(thread)
	if strings.Contains(alice.Body, `action="/t/`+threadID(thread)+`/reply"`) {
		t.Error("the closed thread still offers its author the reply form")
	}
	doc := mod.Doc("/mod/review/post/"+post, http.StatusOK)
	if doc.Find(`input[name=unlock]`).Length() != 1 || doc.Find(`input[name=lock]`).Length() != 0 {
		t.Error("the review page does not offer to reopen the closed thread")
	}
	mod.PostForm("/mod/review/post/"+post, url.Values{"do": {"apply"}, "delete": {"1"}, "reason": {"Flame bait"}})
	if anon := site.Anonymous(t); anon.Get(thread).StatusCode != http.StatusNotFound {
		t.Errorf("the deleted thread is still shown: %d", anon.Last.StatusCode)
	}
	log := text(site.Anonymous(t).Doc("/modlog", http.StatusOK).Text())
	for _, want := range []string{"Thread closed", "Settled", "Post deleted", "Flame bait"} {
		if !strings.Contains(log, want) {
			t.Errorf("modlog lacks %q", want)
		}
	}
	if strings.Contains(log, "Reports dismissed") {
		t.Error("dismissals are private but appear in the public log")
	}
}

// TestTwoModeratorsDoNotActTwice: a moderator acting on reports another moderator has
// just handled is told so, and nothing is applied twice.
func TestTwoModeratorsDoNotActTwice(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	bob := site.Member(t, "bob", account.RoleMember)
	mia := site.Member(t, "mia", account.RoleModerator)
	otto := site.Member(t, "otto", account.RoleModerator)
	post := newThread(t, alice, "Deals", "Buy cheap watches")
	report(t, bob, "post", post, "spam", "")
	review := "/mod/review/post/" + post
	if mia.Doc(review, http.StatusOK).Find(`input[name=reports_open]`).Length() != 1 {
		t.Fatal("the form does not say reports were open")
	}
	form := url.Values{"do": {"apply"}, "reports_open": {"1"}, "send_notice": {"1"}, "notice": {"No ads."},
		"sanction": {"silence"}, "silence_for": {"24"}, "reason": {"Spam"}}
	mia.PostForm(review, form)
	if mia.Last.StatusCode != http.StatusOK {
		t.Fatalf("first moderator: %d %s", mia.Last.StatusCode, text(mia.Body))
	}
	otto.PostForm(review, form)
	if otto.Last.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(otto.Body, "Another moderator handled") {
		t.Errorf("second moderator: %d %s", otto.Last.StatusCode, text(otto.Body))
	}
	var notices, sanctions int
	if err := site.App.DB().QueryRow(context.Background(), "select (select count(*) from notices), (select count(*) from sanctions)").Scan(&notices, &sanctions); err != nil {
		t.Fatal(err)
	}
	if notices != 1 || sanctions != 1 {
		t.Errorf("%d notices and %d sanctions, want 1 each", notices, sanctions)
	}
}

// TestReportsAboutADeletedAccountCanBeDismissed: the queue says the member is gone and
// still lets a moderator close the reports.
func TestReportsAboutADeletedAccountCanBeDismissed(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	bob := site.Member(t, "bob", account.RoleMember)
	mod := site.Member(t, "mia", account.RoleModerator)
	report(t, bob, "user", "1", "other", "Impersonates the staff")
	alice.PostForm("/me/delete", url.Values{"content": {"anonymise"}, "password": {"password-alice"}})

	doc := mod.Doc("/mod", http.StatusOK)
	if !strings.Contains(doc.Find(".mod-item").Text(), "no longer exists") {
		t.Fatalf("queue: %s", text(mod.Body))
	}
	mod.PostForm("/mod/review/user/1", url.Values{"do": {"dismiss"}, "next": {"/mod"}})
	if mod.Path() != "/mod?done=1" || mod.Parse().Find(".mod-item").Length() != 0 {
		t.Errorf("dismiss: %d at %s %s", mod.Last.StatusCode, mod.Path(), text(mod.Body))
	}
}
