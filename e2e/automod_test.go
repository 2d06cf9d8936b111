package e2e

import (
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"stoa/account"
	"stoa/internal/stoatest"
)

// The automatic first line in the browser (issue 15): a watched word held, a first post
// waiting, three reports hide a post, a slow-mode room refuses a second message.

// pick chooses value in the select named name.
func pick(tb *tab, name, value string) {
	tb.t.Helper()
	if !eval[bool](tb, `(() => { const s = document.querySelector('select[name=`+name+`]'); s.value = `+quoteJS(value)+`;
		return s.value === `+quoteJS(value)+`; })()`) {
		tb.t.Fatalf("no option %q in select %s", value, name)
	}
}

// approveFirst presses Approve on the first item waiting for review in the queue.
func approveFirst(tb *tab) {
	tb.t.Helper()
	tb.open("/mod")
	tb.follow(chromedp.Click(chromedp.CSS(`.review-item form[action$="/approve"] button`), chromedp.NodeVisible))
	if !strings.Contains(tb.text("main"), "approved and published") {
		tb.t.Fatal("the queue does not confirm the approval")
	}
}

func TestWatchedWordHeldInTheBrowser(t *testing.T) {
	site := stoatest.Start(t)
	site.Member(t, "root", account.RoleAdmin)
	site.Member(t, "mia", account.RoleModerator)
	sam := site.Member(t, "sam", account.RoleMember)
	site.Member(t, "bob", account.RoleMember)
	tok := sam.FormToken("/c/general/new")
	sam.PostForm("/c/general/new", url.Values{"title": {"Garden"}, "body": {"What are you growing?"}, "token": {tok}})
	thread := sam.Path()

	b := newBrowser(t)
	admin, author, other, mod := b.tab(site), b.tab(site), b.tab(site), b.tab(site)
	admin.login("root")
	admin.open("/admin")
	admin.follow(chromedp.Click(chromedp.CSS(`a[href="/admin/watched-words"]`), chromedp.NodeVisible))
	admin.fill("Word or expression", "miracle cure")
	pick(admin, "action", "hold")
	admin.press("Add")
	if !strings.Contains(admin.text("table.watched-words"), "miracle cure") {
		t.Fatal("the watched word is not on the list after adding it")
	}

	author.login("sam")
	author.open(thread)
	author.fill("Message", "Try this Miracle Cure for aphids.")
	author.press("Reply")
	if got := author.text("[data-waiting-review]"); !strings.Contains(got, "Waiting for review") {
		t.Fatalf("the author sees %q", got)
	}
	other.login("bob")
	other.open(thread)
	if strings.Contains(other.text("main"), "aphids") {
		t.Fatal("another member sees the held reply")
	}

	mod.login("mia")
	mod.open("/mod")
	if item := mod.text(".review-item"); !strings.Contains(item, "Watched word “miracle cure”") || !strings.Contains(item, "aphids") {
		t.Fatalf("the queue shows %q", item)
	}
	approveFirst(mod)
	other.open(thread)
	if !strings.Contains(other.text("main"), "Miracle Cure for aphids") {
		t.Fatal("the approved reply is not shown to other members")
	}
}

func TestFirstPostWaitsInTheBrowser(t *testing.T) {
	site := stoatest.Start(t)
	site.Member(t, "root", account.RoleAdmin)
	site.Member(t, "mia", account.RoleModerator)
	site.Member(t, "bob", account.RoleMember)

	b := newBrowser(t)
	admin, newbie, other, mod := b.tab(site), b.tab(site), b.tab(site), b.tab(site)
	admin.login("root")
	admin.open("/admin")
	admin.follow(chromedp.Click(chromedp.CSS(`a[href="/admin/automod"]`), chromedp.NodeVisible))
	admin.fill("New-member review: first posts to review", "1")
	admin.press("Save")
	if !strings.Contains(admin.text("main"), "Saved.") {
		t.Fatal("the automatic moderation settings were not saved")
	}

	newbie.register("newbie")
	newbie.open("/c/general/new")
	newbie.fill("Title", "Hello from a new gardener")
	newbie.fill("Message", "Glad to be here.")
	newbie.press("Post")
	thread := newbie.path()
	if got := newbie.text("[data-waiting-review]"); !strings.Contains(got, "Waiting for review") {
		t.Fatalf("the new member sees %q on their thread", got)
	}
	other.login("bob")
	other.open(thread)
	if strings.Contains(other.text("main"), "Glad to be here") {
		t.Fatal("another member can read a first post that waits for review")
	}

	mod.login("mia")
	mod.open("/mod")
	if item := mod.text(".review-item"); !strings.Contains(item, "New member") || !strings.Contains(item, "Glad to be here") {
		t.Fatalf("the queue shows %q", item)
	}
	approveFirst(mod)
	other.open(thread)
	if !strings.Contains(other.text("main"), "Glad to be here") {
		t.Fatal("the approved first post is not published")
	}
}

func TestThreeReportsHideAPostInTheBrowser(t *testing.T) {
	site := stoatest.Start(t)
	admin := site.Member(t, "root", account.RoleAdmin)
	site.Member(t, "mia", account.RoleModerator)
	troll := site.Member(t, "troll", account.RoleMember)
	admin.PostForm("/admin/automod", url.Values{"new_member_posts": {"0"}, "auto_hide_reports": {"3"}, "duplicate_minutes": {"5"}})
	if admin.Last.StatusCode != http.StatusOK {
		t.Fatalf("settings: %d", admin.Last.StatusCode)
	}
	tok := troll.FormToken("/c/general/new")
	troll.PostForm("/c/general/new", url.Values{"title": {"Fight me"}, "body": {"You are all fools."}, "token": {tok}})
	thread := troll.Path()

	b := newBrowser(t)
	for i, name := range []string{"ann", "ben", "cat"} {
		site.Member(t, name, account.RoleMember)
		tb := b.tab(site)
		tb.login(name)
		tb.open(thread)
		tb.follow(chromedp.Click(chromedp.CSS(`li.post a[href^="/report?post="]`), chromedp.NodeVisible))
		modTick(tb, `input[name=reason][value=harassment]`)
		tb.press("Send report")
		if got := tb.text("h1"); got != "Thank you for your report" {
			t.Fatalf("report %d: %q", i+1, got)
		}
	}
	anon := b.tab(site)
	anon.open(thread)
	if strings.Contains(anon.text("main"), "You are all fools") {
		t.Fatal("three reports did not hide the post")
	}
	mod := b.tab(site)
	mod.login("mia")
	mod.open("/mod")
	card := strings.ToLower(mod.text(".mod-item"))
	if !strings.Contains(card, "hidden") || !strings.Contains(card, "3 reporters") || !strings.Contains(card, "ann (0 agreed, 0 dismissed)") {
		t.Fatalf("the queue card reads %q", card)
	}
	// Reversible: the moderator shows it again.
	mod.follow(chromedp.Click(chromedp.CSS(`.mod-item a.button`), chromedp.NodeVisible))
	modTick(mod, `input[name=unhide]`)
	// Only showing it again: no notice this time.
	eval[bool](mod, `(() => { const n = document.querySelector('input[name=send_notice]'); if (n) n.checked = false; return true; })()`)
	mod.press("Apply")
	anon.open(thread)
	if !strings.Contains(anon.text("main"), "You are all fools") {
		t.Fatalf("the moderator could not show the post again; the review page says %q", mod.text("main"))
	}
}

func TestSlowModeRoomRefusesASecondMessage(t *testing.T) {
	site := stoatest.Start(t)
	site.Member(t, "mia", account.RoleModerator)
	sam := site.Member(t, "sam", account.RoleMember)
	// sam has acknowledged that the room is public, so his messages go straight out.
	sam.PostForm("/chat/general/ack", nil)

	b := newBrowser(t)
	mod := b.tab(site)
	mod.login("mia")
	mod.open("/chat/general")
	mod.do(chromedp.Click(chromedp.CSS(`.room-mode-form summary`), chromedp.NodeVisible))
	mod.fill("Slow mode: seconds between a member's messages (0 for off)", "120")
	mod.press("Save room mode")
	if !strings.Contains(mod.text(`[data-room-mode="slow"]`), "one message every 120 seconds") {
		t.Fatal("the room page does not show slow mode to the moderator")
	}

	member := openRoom(t, b, site, "sam")
	if !strings.Contains(member.text(`[data-room-mode="slow"]`), "one message every 120 seconds") {
		t.Fatal("the room page does not tell the member about slow mode")
	}
	chatSend(member, "First message")
	chatWait(member, chatShows("First message"), "the first message")
	chatWait(member, `document.getElementById('chat-slow-wait').textContent.includes('You can send again in')`, "the countdown")
	chatSend(member, "Second message")
	chatWait(member, `document.getElementById('chat-status').textContent.includes('slow mode')`, "the slow-mode refusal")
	if eval[bool](member, chatShows("Second message")) {
		t.Fatal("the second message was published within the interval")
	}
	if got := eval[string](member, chatBox); got != "Second message" {
		t.Errorf("the refused message is not kept in the box: %q", got)
	}
}

// The new pages fit a 390-pixel phone, in light and dark: the watched words, the queue
// with what waits for review, and a room in slow mode with the moderators' form.
func TestAutomodPagesFitAPhone(t *testing.T) {
	site := stoatest.Start(t)
	admin := site.Member(t, "root", account.RoleAdmin)
	site.Member(t, "mia", account.RoleModerator)
	sam := site.Member(t, "sam", account.RoleMember)
	admin.PostForm("/admin/watched-words", url.Values{"pattern": {`(?:buy|cheap)\s+(?:followers|likes)\s+now\s+for\s+only`}, "regex": {"1"}, "action": {"hold"}})
	admin.PostForm("/chat/general/mode", url.Values{"slow": {"30"}})
	tok := sam.FormToken("/c/general/new")
	sam.PostForm("/c/general/new", url.Values{"title": {"Offer"}, "body": {"Cheap followers now for only a dollar, https://example.invalid/" + strings.Repeat("x", 80)}, "token": {tok}})

	b := newBrowser(t)
	for _, dark := range []bool{false, true} {
		tb := b.tab(site)
		tb.login("root")
		tb.do(chromedp.EmulateViewport(390, 844))
		scheme := "light"
		if dark {
			scheme = "dark"
			ctx, cancel := tb.timeout()
			_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}})
			cancel()
			if err != nil {
				t.Fatal(err)
			}
		}
		for _, p := range []struct{ name, path string }{{"watched-words", "/admin/watched-words"}, {"queue", "/mod"},
			{"automod", "/admin/automod"}, {"room", "/chat/general"}} {
			tb.open(p.path)
			if w := eval[int](tb, "document.documentElement.scrollWidth"); w > 390 {
				t.Errorf("%s is %d px wide on a 390 px phone (%s)", p.path, w, scheme)
			}
			if dir := os.Getenv("STOA_SCREENSHOTS"); dir != "" {
				tb.screenshot(dir, "automod-"+p.name+"-phone-"+scheme)
			}
		}
	}
}
