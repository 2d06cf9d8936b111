package server_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"stoa/account"
	"stoa/internal/stoatest"
)

// extrasSay sends one chat message as c and returns its id once the server acknowledged it.
func extrasSay(t *testing.T, site *stoatest.Site, c *stoatest.Client, room, body string) int64 {
	t.Helper()
	conn := chatDial(t, site, c, room)
	conn.WriteJSON(map[string]any{"type": "send", "body": body, "nonce": "x1", "confirm": true})
	for {
		msg := chatNext(t, conn, "message")
		if msg["nonce"] == "x1" {
			return int64(msg["id"].(float64))
		}
	}
}

func TestChatMentionsNotifyAndChatIsSearchable(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	bob := site.Member(t, "bob", account.RoleMember)
	id := extrasSay(t, site, bob, "general", "@alice the **sourdough** is ready, come and get it")
	extrasSay(t, site, alice, "general", "on my way, sourdough for everyone")
	hidden := extrasSay(t, site, bob, "general", "sourdough secret that moderators hid")
	extrasExec(t, site, "update chat_messages set hidden_at = 1 where id = ?", hidden)

	doc := alice.Doc("/notifications", http.StatusOK)
	if got := strings.TrimSpace(doc.Find(".notification a").Text()); !strings.Contains(got, "bob mentioned you in the chat room #general") {
		t.Fatalf("alice's notifications: %q", got)
	}
	alice.Get(doc.Find(".notification a").AttrOr("href", ""))
	if p := alice.Path(); !strings.HasPrefix(p, "/chat/general") || alice.Last.Request.URL.Fragment != "m"+strconv.FormatInt(id, 10) {
		t.Errorf("the chat mention led to %s#%s", p, alice.Last.Request.URL.Fragment)
	}

	reader := site.Anonymous(t)
	forum := reader.Doc("/search?q=sourdough", http.StatusOK)
	if forum.Find(".search-hit").Length() != 0 {
		t.Error("chat messages appear among forum results")
	}
	chatURL, ok := forum.Find(`nav.tabs a[href*="in=chat"]`).Attr("href")
	if !ok {
		t.Fatal("the search page has no chat tab")
	}
	chat := reader.Doc(chatURL, http.StatusOK)
	if n := chat.Find(".search-hit").Length(); n != 2 {
		t.Errorf("chat search found %d messages, want 2 (not the hidden one)", n)
	}
	if mark := chat.Find(".search-hit .snippet mark").First().Text(); mark != "sourdough" {
		t.Errorf("chat snippet marks %q", mark)
	}
	if strings.Contains(chat.Text(), "**") || strings.Contains(chat.Text(), "secret") {
		t.Error("chat results show Markdown syntax or a hidden message")
	}
	byBob := reader.Doc("/search?in=chat&q=sourdough&author=bob", http.StatusOK)
	if n := byBob.Find(".search-hit").Length(); n != 1 || !strings.Contains(byBob.Find(".search-hit .meta").Text(), "bob") {
		t.Errorf("bob's chat messages: %d hits", n)
	}
}
