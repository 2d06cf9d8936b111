package e2e

import (
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"stoa/account"
	"stoa/internal/stoatest"
)

// modTick checks a checkbox or radio button without leaving the page.
func modTick(tb *tab, css string) {
	tb.t.Helper()
	tb.do(chromedp.Click(chromedp.CSS(css), chromedp.NodeVisible))
	if !eval[bool](tb, "document.querySelector("+quoteJS(css)+").checked") {
		tb.t.Fatalf("%s is not checked after clicking it", css)
	}
}

func modShot(tb *tab, name string) {
	if dir := os.Getenv("STOA_SCREENSHOTS"); dir != "" {
		tb.screenshot(dir, "moderation-"+name)
	}
}

// TestP10_NoticeFlowInTheBrowser: a member reports a reply from its Report link; a
// moderator reviews it in the queue, hides it and sends a notice citing a rule with a
// silence; the member sees the banner, reads the notice and replies; the moderator sees
// the reply and when it was read. Every step goes through the real pages.
func TestP10_NoticeFlowInTheBrowser(t *testing.T) {
	site := stoatest.Start(t)
	bobHTTP := site.Member(t, "bob", account.RoleMember)
	site.Member(t, "alice", account.RoleMember)
	site.Member(t, "mia", account.RoleModerator)
	tok := bobHTTP.FormToken("/c/general/new")
	bobHTTP.PostForm("/c/general/new", url.Values{"title": {"Welcome"}, "body": {"Say hello here."}, "token": {tok}})
	thread := bobHTTP.Path()

	b := newBrowser(t)
	alice, bob, mod := b.tab(site), b.tab(site), b.tab(site)

	alice.login("alice")
	alice.open(thread)
	alice.fill("Message", "Everyone here is an idiot, especially bob.")
	alice.press("Reply")

	bob.login("bob")
	bob.open(thread)
	bob.follow(chromedp.Click(chromedp.CSS(`li.post:last-child a[href^="/report?post="]`), chromedp.NodeVisible))
	if got := bob.text("h1"); got != "Report this post" {
		t.Fatalf("report page heading %q", got)
	}
	modTick(bob, `input[name=reason][value=harassment]`)
	bob.fill("Anything the moderators should know (required for “Something else”)", "Insults me by name.")
	bob.press("Send report")
	if got := bob.text("h1"); got != "Thank you for your report" {
		t.Fatalf("after reporting: %q", got)
	}

	mod.login("mia")
	mod.open("/mod")
	modShot(mod, "queue")
	if card := mod.text(".mod-item"); !strings.Contains(card, "especially bob") || !strings.Contains(card, "1 reporter") {
		t.Fatalf("queue card: %q", card)
	}
	mod.follow(chromedp.Click(chromedp.CSS(`.mod-item a.button`), chromedp.NodeVisible))
	if !eval[bool](mod, `document.querySelector('input[name=send_notice]').checked`) {
		t.Error("the suggested notice is not ticked")
	}
	modTick(mod, `input[name=hide]`)
	mod.fill("Message to the member", "Calling people idiots breaks our rules. Please keep it civil.")
	modTick(mod, `input[name=rule][value="2"]`)
	modTick(mod, `input[name=sanction][value=silence]`)
	mod.fill("Reason (shown to the member and in the public moderation log)", "Insulting another member")
	modShot(mod, "review")
	mod.press("Apply")
	if got := mod.text("[role=status]"); !strings.Contains(got, "Done") {
		t.Fatalf("after acting: %q", got)
	}

	alice.open("/")
	if got := alice.text(".banner-notice"); !strings.Contains(got, "The moderators sent you a notice") {
		t.Fatalf("banner: %q", got)
	}
	alice.follow(chromedp.Click(chromedp.CSS(`.banner-notice a[href="/notices"]`), chromedp.NodeVisible))
	alice.follow(chromedp.Click(chromedp.CSS(`.notice-list a.title`), chromedp.NodeVisible))
	modShot(alice, "notice")
	page := alice.text("main")
	for _, want := range []string{"The moderators", "Please keep it civil", "No harassment", "especially bob", "silenced for 1 day"} {
		if !strings.Contains(page, want) {
			t.Errorf("notice page lacks %q", want)
		}
	}
	if strings.Contains(page, "mia") {
		t.Error("the member sees the moderator's name")
	}
	alice.fill("Message", "Sorry, I was angry. It will not happen again.")
	alice.press("Send reply")
	if !strings.Contains(alice.text(".notice-replies"), "It will not happen again") {
		t.Error("the reply is not in the conversation")
	}
	alice.open("/c/general/new")
	if !strings.Contains(alice.text("main"), "silenced until") {
		t.Error("the silenced member was not told why the composer is closed")
	}

	mod.open("/mod")
	mod.follow(chromedp.Click(chromedp.CSS(`a[href="/mod/notices"]`), chromedp.NodeVisible))
	mod.follow(chromedp.Click(chromedp.CSS(`table a[href^="/mod/notices/"]`), chromedp.NodeVisible))
	modShot(mod, "conversation")
	if mod.count("[data-read-at]") != 1 || !strings.Contains(mod.text(".notice-replies"), "It will not happen again") {
		t.Errorf("moderator does not see the read time and the reply: %q", mod.text("main"))
	}
}

// TestModerationPagesFitAPhone: the moderation and admin pages need no sideways
// scrolling on a 375-pixel-wide screen.
func TestModerationPagesFitAPhone(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	bob := site.Member(t, "bob", account.RoleMember)
	admin := site.Member(t, "ada", account.RoleAdmin)
	tok := alice.FormToken("/c/general/new")
	alice.PostForm("/c/general/new", url.Values{"title": {"A title that is rather long so that it wraps on a phone screen"},
		"body": {"https://example.org/a/very/long/link/that/does/not/break/easily/anywhere/at/all/in/the/text"}, "token": {tok}})
	bob.PostForm("/report", url.Values{"kind": {"post"}, "id": {"1"}, "reason": {"spam"}, "details": {strings.Repeat("unbroken", 12)}})
	admin.PostForm("/mod/review/post/1", url.Values{"do": {"apply"}, "send_notice": {"1"}, "notice": {"Hello."}, "rule": {"4"},
		"sanction": {"silence"}, "silence_for": {"24"}, "reason": {"Link spam"}})
	bob.PostForm("/report", url.Values{"kind": {"user"}, "id": {"1"}, "reason": {"other"}, "details": {"Odd profile"}})

	b := newBrowser(t)
	ada := b.tab(site)
	ada.login("ada")
	ada.do(chromedp.EmulateViewport(375, 800))
	for _, path := range []string{"/mod", "/mod/review/post/1", "/mod/users/alice", "/mod/notices", "/mod/notices/1",
		"/admin", "/admin/users", "/admin/audit", "/modlog", "/report?post=1"} {
		ada.open(path)
		modShot(ada, strings.NewReplacer("/", "-", "?", "-", "=", "-").Replace(strings.TrimPrefix(path, "/"))+"-phone")
		if w := eval[int](ada, "document.documentElement.scrollWidth"); w > 375 {
			t.Errorf("%s is %d px wide on a 375 px screen", path, w)
		}
	}
}

// TestHiddenOpeningPostInTheBrowser (issue 15, bug 1): a moderator hides a thread's
// opening post from the queue; an anonymous reader still opens the thread and sees the
// placeholder and the reply, and the author sees their own post with its label.
func TestHiddenOpeningPostInTheBrowser(t *testing.T) {
	site := stoatest.Start(t)
	aliceHTTP := site.Member(t, "alice", account.RoleMember)
	bobHTTP := site.Member(t, "bob", account.RoleMember)
	site.Member(t, "mia", account.RoleModerator)
	tok := aliceHTTP.FormToken("/c/general/new")
	aliceHTTP.PostForm("/c/general/new", url.Values{"title": {"Heated start"}, "body": {"You are all OFFENSIVE-OPENING fools."}, "token": {tok}})
	thread := aliceHTTP.Path()
	first, _ := aliceHTTP.Parse().Find("li.post").First().Attr("id")
	tok = bobHTTP.FormToken(thread)
	bobHTTP.PostForm("/t/"+strings.Split(thread, "/")[2]+"/reply", url.Values{"body": {"A calm reply."}, "token": {tok}})
	if !strings.Contains(bobHTTP.Body, "A calm reply.") {
		t.Fatalf("bob's reply: %d", bobHTTP.Last.StatusCode)
	}
	bobHTTP.PostForm("/report", url.Values{"kind": {"post"}, "id": {strings.TrimPrefix(first, "p")}, "reason": {"harassment"}})
	if !strings.Contains(bobHTTP.Body, "Thank you for your report") {
		t.Fatalf("bob's report: %d", bobHTTP.Last.StatusCode)
	}

	b := newBrowser(t)
	mod, anon, alice := b.tab(site), b.tab(site), b.tab(site)
	mod.login("mia")
	mod.open("/mod")
	mod.follow(chromedp.Click(chromedp.CSS(`.mod-item a.button`), chromedp.NodeVisible))
	modTick(mod, `input[name=hide]`)
	mod.fill("Message to the member", "Please keep it civil.")
	mod.press("Apply")
	if !strings.Contains(mod.path(), "done=1") {
		t.Fatalf("after hiding the opening post the moderator is at %s", mod.path())
	}

	anon.open(thread)
	if got := anon.text("#" + first); !strings.Contains(got, "Hidden by moderators") || strings.Contains(got, "OFFENSIVE-OPENING") {
		t.Errorf("anonymous reader sees the opening post as %q, want the placeholder", got)
	}
	if got := anon.text("li.post:last-child"); !strings.Contains(got, "A calm reply.") {
		t.Errorf("anonymous reader does not see the reply: %q", got)
	}

	alice.login("alice")
	alice.open(thread)
	if got := alice.text("#" + first); !strings.Contains(got, "OFFENSIVE-OPENING") || !strings.Contains(got, "Only you and staff see it") {
		t.Errorf("the author sees their opening post as %q, want it with the label", got)
	}
}
