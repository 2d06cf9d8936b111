package e2e

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"stoa/account"
	"stoa/internal/stoatest"
)

// A member reacts, mentions, and is notified, all without JavaScript of Stoa's own; the
// mentioned member follows the badge to the post, and finds it again by searching.
func TestReactMentionNotifyAndSearch(t *testing.T) {
	site := stoatest.Start(t)
	site.Member(t, "alice", account.RoleMember)
	site.Member(t, "bob", account.RoleMember)
	b := newBrowser(t)

	alice := b.tab(site)
	alice.login("alice")
	alice.open("/c/general/new")
	alice.fill("Title", "Favourite sourdough loaves")
	alice.fill("Message", "Mine is a plain **country loaf**.")
	alice.press("Post")
	thread := alice.path()
	if n := alice.count(".notifications-link .badge"); n != 0 {
		t.Errorf("alice has a badge before anyone wrote to her")
	}

	bob := b.tab(site)
	bob.login("bob")
	bob.open(thread)
	// The reaction picker is a <details>: it opens and submits with no script.
	bob.do(chromedp.Click(chromedp.CSS(".post .reaction-picker summary")))
	bob.follow(chromedp.Click(chromedp.CSS(`.post .reaction-picker button[title="Thumbs up"]`)))
	if got := strings.Join(strings.Fields(bob.text(".post .reactions > form button.mine")), " "); got != "Thumbs up 1" {
		t.Errorf("after reacting, bob's reaction reads %q", got)
	}
	// The icon is an image shipped with Stoa, so it draws without an emoji font.
	if eval[int](bob, `document.querySelector(".post .reactions > form button.mine img.reaction-icon").naturalWidth`) == 0 {
		t.Error("the reaction's icon did not load")
	}
	bob.fill("Message", "@alice a rye and spelt miche, every time.")
	bob.press("Reply")

	alice.open("/")
	// The mention and bob's reaction to her post.
	if got := alice.text(".notifications-link .badge"); !strings.HasPrefix(got, "2") {
		t.Fatalf("alice's badge reads %q, want 2", got)
	}
	alice.follow(chromedp.Click(chromedp.CSS(".notifications-link")))
	if got := alice.text(".notification.unread a"); !strings.Contains(got, "bob mentioned you in “Favourite sourdough loaves”") {
		t.Errorf("notification reads %q", got)
	}
	alice.follow(chromedp.Click(chromedp.CSS(".notification a")))
	if hash := eval[string](alice, "location.hash"); !strings.HasPrefix(hash, "#p") ||
		!strings.Contains(alice.text(hash+" .prose"), "rye and spelt") {
		t.Errorf("the notification led to %s%s", alice.path(), hash)
	}
	if n := alice.count(".notifications-link .badge"); n != 0 {
		t.Error("the badge stays after reading the post")
	}

	reader := b.tab(site)
	reader.open("/")
	reader.follow(chromedp.Click(chromedp.CSS(`header a[href="/search"]`)))
	reader.fill("Search for", `"rye and spelt"`)
	reader.press("Search")
	if got := reader.text(".search-hit .snippet mark"); got != "rye and spelt" {
		t.Errorf("highlighted %q, want the phrase", got)
	}
	if got := reader.text(".search-hit .title"); got != "Favourite sourdough loaves" {
		t.Errorf("result title %q", got)
	}
}

// The home page, notifications, search, notification settings and a thread with its
// reaction picker and staff tools fit a 375-pixel-wide phone without sideways scrolling,
// in light and dark schemes.
func TestNotificationsSearchAndThreadToolsFitAPhone(t *testing.T) {
	site := stoatest.Start(t)
	site.Member(t, "alice", account.RoleMember)
	site.Member(t, "mia", account.RoleModerator)
	b := newBrowser(t)
	alice := b.tab(site)
	alice.login("alice")
	alice.open("/c/general/new")
	alice.fill("Title", "A thread with a rather long title to see how it wraps on a small screen")
	alice.fill("Message", "@mia have a look at this, it is about everything under the sun and more.")
	alice.press("Post")
	thread := alice.path()
	alice.do(chromedp.Click(chromedp.CSS(".post .reaction-picker summary")))
	alice.follow(chromedp.Click(chromedp.CSS(`.post .reaction-picker button[title="Heart"]`)))

	mia := b.tab(site)
	mia.login("mia")
	dir := os.Getenv("STOA_SCREENSHOTS")
	for _, width := range []int64{375, 1280} {
		mia.do(chromedp.EmulateViewport(width, 800))
		for _, page := range []struct{ name, path string }{
			// Home and notifications first, while the thread is still unread to mia.
			{"home", "/"}, {"notifications", "/notifications"}, {"search", "/search?q=everything+sun"},
			{"notification-settings", "/me/notifications"}, {"thread", thread},
		} {
			mia.open(page.path)
			if page.name == "thread" {
				mia.do(chromedp.Click(chromedp.CSS(".staff-tools summary")))
				mia.do(chromedp.Click(chromedp.CSS(".post .reaction-picker summary")))
				// Enter in the reason field must not press the first action (Pin).
				mia.do(chromedp.SendKeys(chromedp.CSS("#f-reason"), "typo\r"))
				time.Sleep(300 * time.Millisecond)
				if n := mia.count(".thread-title .tag"); n != 0 || mia.path() != thread {
					t.Fatalf("Enter in the reason field changed the thread (%d tags, at %s)", n, mia.path())
				}
			}
			if w := eval[int](mia, "document.documentElement.scrollWidth"); width == 375 && w > 375 {
				t.Errorf("%s is %d px wide on a 375 px screen", page.path, w)
			}
			if dir != "" {
				mia.screenshot(dir, "extras-"+page.name+"-"+map[int64]string{375: "phone", 1280: "desktop"}[width])
			}
		}
	}
}
