package forum_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"stoa/account"
	"stoa/internal/stoatest"
	"stoa/server"
)

// watching reports whether the thread page offers the member to stop watching it.
func watching(t *testing.T, c *stoatest.Client, thread int64) bool {
	t.Helper()
	doc := c.Doc(fmt.Sprintf("/t/%d", thread), http.StatusOK)
	return doc.Find(`.watch-form input[name="watch"][value="0"]`).Length() == 1
}

// Replying to a thread makes a member watch it, so they hear of the replies after theirs;
// they can turn that off, and a thread they stopped watching stays unwatched.
func TestReplyingWatchesTheThread(t *testing.T) {
	site := stoatest.Start(t, func(c *server.Config) { c.NoRateLimits = true })
	alice := site.Member(t, "alice", account.RoleMember)
	bob := site.Member(t, "bob", account.RoleMember)
	carol := site.Member(t, "carol", account.RoleMember)

	doc := bob.Doc("/me/notifications", http.StatusOK)
	if _, on := doc.Find(`input[name="auto_watch"]`).Attr("checked"); !on {
		t.Fatal("“Watch threads I reply to” is not on by default")
	}

	first := xThread(t, alice, "general", "Tomatoes", "Which kinds?")
	if watching(t, bob, first) {
		t.Fatal("bob watches a thread he never replied to")
	}
	xReply(t, bob, first, "Sungold.")
	if !watching(t, bob, first) {
		t.Fatal("replying did not make bob watch the thread")
	}
	xReply(t, carol, first, "Black Krim.")
	if got := notifications(t, bob); len(got) != 1 || !strings.Contains(got[0], "carol posted in “Tomatoes”, which you watch") {
		t.Errorf("bob's notifications: %q", got)
	}

	// A thread bob chose to stop watching stays unwatched when he replies again.
	bob.PostForm(fmt.Sprintf("/t/%d/watch", first), url.Values{"watch": {"0"}})
	xReply(t, bob, first, "Also Sungold.")
	if watching(t, bob, first) {
		t.Error("replying again re-watched a thread bob stopped watching")
	}

	// Turned off, replying watches nothing.
	bob.PostForm("/me/notifications", url.Values{"settings": {"1"}, "mention": {"app"}, "reply": {"app"},
		"watching": {"app"}, "chat_mention": {"app"}, "reaction": {"app"}})
	if !strings.Contains(bob.Body, "settings are saved") {
		t.Fatalf("saving settings: status %d", bob.Last.StatusCode)
	}
	doc = bob.Doc("/me/notifications", http.StatusOK)
	if _, on := doc.Find(`input[name="auto_watch"]`).Attr("checked"); on {
		t.Fatal("auto-watch is still on after turning it off")
	}
	second := xThread(t, alice, "general", "Beans", "Runner or French?")
	xReply(t, bob, second, "Runner.")
	if watching(t, bob, second) {
		t.Error("with auto-watch off, replying made bob watch the thread")
	}
}

// A member hears when someone reacts to their post, once per person and post however
// many reactions they add; taking them all back takes the notification back. The
// setting turns it off.
func TestReactionsNotifyTheAuthor(t *testing.T) {
	site := stoatest.Start(t, func(c *server.Config) { c.NoRateLimits = true })
	alice := site.Member(t, "alice", account.RoleMember)
	bob := site.Member(t, "bob", account.RoleMember)
	thread := xThread(t, alice, "general", "Harvest", "First courgette!")
	post := xFirstPost(t, site, thread)
	react := func(c *stoatest.Client, kind, on string) {
		t.Helper()
		c.PostForm(fmt.Sprintf("/p/%d/react", post), url.Values{"kind": {kind}, "on": {on}})
		if c.Last.StatusCode != http.StatusOK {
			t.Fatalf("react %s %s: status %d", kind, on, c.Last.StatusCode)
		}
	}

	react(alice, "heart", "1")
	if got := notifications(t, alice); len(got) != 0 {
		t.Errorf("reacting to her own post notified alice: %q", got)
	}
	react(bob, "heart", "1")
	react(bob, "hooray", "1")
	if got := notifications(t, alice); len(got) != 1 || got[0] != "Unread: bob reacted to your post in “Harvest”" {
		t.Errorf("alice's notifications: %q", got)
	}
	// Seeing the reactions under her post reads the notification.
	alice.Get(fmt.Sprintf("/t/%d", thread))
	if got := notifications(t, alice); len(got) != 1 || strings.HasPrefix(got[0], "Unread") {
		t.Errorf("after alice saw her post: %q", got)
	}
	react(bob, "heart", "0")
	if got := notifications(t, alice); len(got) != 1 {
		t.Errorf("taking back one of two reactions: %q", got)
	}
	react(bob, "hooray", "0")
	if got := notifications(t, alice); len(got) != 0 {
		t.Errorf("taking back every reaction left %q", got)
	}

	doc := alice.Doc("/me/notifications", http.StatusOK)
	if v, _ := doc.Find(`select[name="reaction"] option[selected]`).Attr("value"); v != "app" {
		t.Errorf("reactions default to %q, want app", v)
	}
	alice.PostForm("/me/notifications", url.Values{"mention": {"app"}, "reply": {"app"}, "watching": {"app"},
		"chat_mention": {"app"}, "reaction": {"off"}})
	react(bob, "like", "1")
	if got := notifications(t, alice); len(got) != 0 {
		t.Errorf("with reactions off alice has %q", got)
	}
}
