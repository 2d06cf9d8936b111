package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"stoa/account"
	"stoa/internal/stoatest"
)

// The automatic first line (issue 15) through the whole app: watched words, new-member
// review, hiding after reports, duplicate messages, slow mode and freeze.

// newThread starts a thread as c and returns its address (after the redirect).
func newThread(t *testing.T, c *stoatest.Client, title, body string) string {
	t.Helper()
	tok := c.FormToken("/c/general/new")
	c.PostForm("/c/general/new", url.Values{"title": {title}, "body": {body}, "token": {tok}})
	if c.Last.StatusCode != http.StatusOK || !strings.HasPrefix(c.Path(), "/t/") {
		t.Fatalf("new thread %q: status %d at %s", title, c.Last.StatusCode, c.Path())
	}
	return c.Path()
}

func addWatchedWord(t *testing.T, admin *stoatest.Client, pattern, action, replacement string, regex bool) {
	t.Helper()
	form := url.Values{"pattern": {pattern}, "action": {action}, "replacement": {replacement}}
	if regex {
		form.Set("regex", "1")
	}
	admin.PostForm("/admin/watched-words", form)
	if admin.Last.StatusCode != http.StatusOK || !strings.Contains(admin.Body, "Added.") {
		t.Fatalf("adding %q: status %d", pattern, admin.Last.StatusCode)
	}
}

func setAutomod(t *testing.T, admin *stoatest.Client, newMember, autoHide, duplicate int) {
	t.Helper()
	admin.PostForm("/admin/automod", url.Values{"new_member_posts": {fmt.Sprint(newMember)},
		"auto_hide_reports": {fmt.Sprint(autoHide)}, "duplicate_minutes": {fmt.Sprint(duplicate)}})
	if admin.Last.StatusCode != http.StatusOK || !strings.Contains(admin.Body, "Saved.") {
		t.Fatalf("automatic moderation settings: status %d", admin.Last.StatusCode)
	}
}

// TestWatchedWordsAdminPage: the list is reached from /admin, a bad expression is refused
// with a clear message and the form kept, and every change is in the audit log.
func TestWatchedWordsAdminPage(t *testing.T) {
	site := stoatest.Start(t)
	admin := site.Member(t, "root", account.RoleAdmin)
	mod := site.Member(t, "mia", account.RoleModerator)

	if doc := admin.Doc("/admin", http.StatusOK); doc.Find(`a[href="/admin/watched-words"]`).Length() == 0 || doc.Find(`a[href="/admin/automod"]`).Length() == 0 {
		t.Fatal("/admin links neither the watched words nor the automatic moderation settings")
	}
	if mod.Get("/admin/watched-words"); mod.Last.StatusCode != http.StatusForbidden {
		t.Errorf("a moderator opened the watched words: %d", mod.Last.StatusCode)
	}
	admin.PostForm("/admin/watched-words", url.Values{"pattern": {"(unclosed"}, "regex": {"1"}, "action": {"block"}})
	if admin.Last.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(admin.Body, "not a regular expression Stoa understands") {
		t.Fatalf("a broken expression: status %d", admin.Last.StatusCode)
	}
	if v, _ := admin.Parse().Find(`input[name="pattern"]`).Attr("value"); v != "(unclosed" {
		t.Errorf("the refused form lost the expression: %q", v)
	}
	admin.PostForm("/admin/watched-words", url.Values{"pattern": {"a*"}, "regex": {"1"}, "action": {"hold"}})
	if !strings.Contains(admin.Body, "matches empty text") {
		t.Errorf("an expression matching empty text was not refused: %d", admin.Last.StatusCode)
	}
	admin.PostForm("/admin/watched-words", url.Values{"pattern": {strings.Repeat("x", 201)}, "regex": {"1"}, "action": {"block"}})
	if !strings.Contains(admin.Body, "200 characters or fewer") {
		t.Errorf("a 201-character expression was not refused: %d", admin.Last.StatusCode)
	}
	addWatchedWord(t, admin, "spamword", "block", "", false)
	admin.PostForm("/admin/watched-words", url.Values{"pattern": {"SPAMWORD"}, "action": {"hold"}})
	if !strings.Contains(admin.Body, "on the list already") {
		t.Errorf("the same word twice was not refused: %d", admin.Last.StatusCode)
	}
	doc := admin.Doc("/admin/watched-words", http.StatusOK)
	if doc.Find("table.watched-words tbody tr").Length() != 1 {
		t.Fatalf("%d rows on the list, want 1", doc.Find("table.watched-words tbody tr").Length())
	}
	action, _ := doc.Find("table.watched-words form").Attr("action")
	admin.PostForm(action, nil)
	if !strings.Contains(admin.Body, "Removed from the list") {
		t.Errorf("removing: %d", admin.Last.StatusCode)
	}
	audit := admin.Doc("/admin/audit", http.StatusOK).Text()
	if !strings.Contains(audit, "Watched word “spamword” added: block") || !strings.Contains(audit, "Watched word “spamword” removed") {
		t.Error("the audit log lacks the watched-word changes")
	}
}

// TestWatchedWordsOnPostsTitlesAndChat: block refuses and says which word, keeping the
// text; replace rewrites at write; hold keeps a post and a chat message out of sight,
// with "waiting for review" for their author, until a moderator approves from the queue.
func TestWatchedWordsOnPostsTitlesAndChat(t *testing.T) {
	site := stoatest.Start(t)
	admin := site.Member(t, "root", account.RoleAdmin)
	mod := site.Member(t, "mia", account.RoleModerator)
	sam := site.Member(t, "sam", account.RoleMember)
	bob := site.Member(t, "bob", account.RoleMember)
	anon := site.Anonymous(t)
	addWatchedWord(t, admin, "spamword", "block", "", false)
	addWatchedWord(t, admin, `cheap\s+pills?`, "hold", "", true)
	addWatchedWord(t, admin, "darn", "replace", "d***", false)

	// Block, in the body and in the title; the form keeps what was written.
	tok := sam.FormToken("/c/general/new")
	sam.PostForm("/c/general/new", url.Values{"title": {"Hello"}, "body": {"Buy SpamWord now, friends"}, "token": {tok}})
	if sam.Last.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(sam.Parse().Text(), "“spamword” is on this community's list of watched words") {
		t.Fatalf("a blocked word in a post: status %d", sam.Last.StatusCode)
	}
	if got := sam.Parse().Find(`textarea[name="body"]`).Text(); got != "Buy SpamWord now, friends" {
		t.Errorf("the refused composer kept %q", got)
	}
	sam.PostForm("/c/general/new", url.Values{"title": {"spamword deals"}, "body": {"Hello"}, "token": {tok}})
	if sam.Last.StatusCode != http.StatusUnprocessableEntity || sam.Parse().Find(`#e-f-title`).Length() != 1 {
		t.Errorf("a blocked word in a title was not refused beside the title: %d", sam.Last.StatusCode)
	}
	// A word inside a longer word is not the word.
	thread := newThread(t, sam, "Spamwordsmith", "I am a darn good spamwordsmith.")
	doc := anon.Doc(thread, http.StatusOK)
	if text := doc.Find(".post .prose").First().Text(); !strings.Contains(text, "I am a d*** good spamwordsmith.") {
		t.Errorf("the replaced post reads %q", text)
	}

	// Hold: the author sees the reply waiting, nobody else sees it, until approved.
	sam.PostForm("/t/"+threadID(thread)+"/reply", url.Values{"body": {"Get CHEAP   pills here"}, "token": {"r1"}})
	if sam.Last.StatusCode != http.StatusOK || sam.Parse().Find("[data-waiting-review]").Length() != 1 {
		t.Fatalf("the held reply's author does not see it waiting: status %d", sam.Last.StatusCode)
	}
	if strings.Contains(anon.Doc(thread, http.StatusOK).Text(), "pills") || strings.Contains(bob.Doc(thread, http.StatusOK).Text(), "pills") {
		t.Fatal("a held reply is shown to others")
	}
	queue := mod.Doc("/mod", http.StatusOK)
	item := queue.Find(`.review-item[data-review^="post-"]`)
	if item.Length() != 1 || !strings.Contains(item.Text(), "Watched word “CHEAP   pills”") {
		t.Fatalf("the queue does not list the held reply: %q", queue.Find(".review-queue").Text())
	}
	approve, _ := item.Find(`form[action$="/approve"]`).Attr("action")
	mod.PostForm(approve, nil)
	if !strings.Contains(mod.Body, "approved and published") {
		t.Fatalf("approving: status %d", mod.Last.StatusCode)
	}
	if !strings.Contains(anon.Doc(thread, http.StatusOK).Text(), "pills here") {
		t.Error("the approved reply is not shown")
	}
	if n := sam.Doc("/notifications", http.StatusOK).Text(); !strings.Contains(n, "The moderators approved your reply") {
		t.Error("the author was not told of the approval")
	}

	// A held new thread: its author can open it, nobody else can until it is approved.
	held := newThread(t, sam, "Deals", "cheap pill")
	if sam.Parse().Find("[data-waiting-review]").Length() != 1 {
		t.Fatal("the author of a held thread does not see it waiting")
	}
	if anon.Get(held); anon.Last.StatusCode != http.StatusNotFound {
		t.Errorf("a held thread answered %d to the public", anon.Last.StatusCode)
	}
	reject, _ := mod.Doc("/mod", http.StatusOK).Find(`.review-item form[action$="/reject"]`).Attr("action")
	mod.PostForm(reject, nil)
	if sam.Get(held); sam.Last.StatusCode != http.StatusNotFound {
		t.Errorf("a rejected thread answered %d to its author", sam.Last.StatusCode)
	}
	if n := sam.Doc("/notifications", http.StatusOK).Text(); !strings.Contains(n, "The moderators rejected your new thread") {
		t.Error("the author was not told of the rejection")
	}
	audit := admin.Doc("/admin/audit", http.StatusOK).Text()
	if !strings.Contains(audit, "Post approved after review") || !strings.Contains(audit, "Post rejected after review") {
		t.Error("the audit log lacks the review decisions")
	}

	// Chat: blocked, replaced, held until approved.
	samWS := chatDial(t, site, sam, "general")
	bobWS := chatDial(t, site, bob, "general")
	samWS.WriteJSON(map[string]any{"type": "send", "body": "spamword!", "nonce": "c1", "confirm": true})
	if f := chatNext(t, samWS, "error"); f["code"] != "watched_word" || !strings.Contains(f["message"].(string), "“spamword”") {
		t.Errorf("a blocked chat message answered %v", f)
	}
	samWS.WriteJSON(map[string]any{"type": "send", "body": "cheap pills, anyone?", "nonce": "c2", "confirm": true})
	if f := chatNext(t, samWS, "held"); f["nonce"] != "c2" || !strings.Contains(f["message"].(string), "waiting for review") {
		t.Errorf("a held chat message answered %v", f)
	}
	samWS.WriteJSON(map[string]any{"type": "send", "body": "darn it", "nonce": "c3", "confirm": true})
	if f := chatNext(t, bobWS, "message"); !strings.Contains(f["html"].(string), "d*** it") {
		t.Errorf("bob's first message from sam is %v: the held one leaked, or the word was not replaced", f["html"])
	}
	approve, _ = mod.Doc("/mod", http.StatusOK).Find(`.review-item[data-review^="message-"] form[action$="/approve"]`).Attr("action")
	mod.PostForm(approve, nil)
	if f := chatNext(t, bobWS, "message"); !strings.Contains(f["html"].(string), "cheap pills, anyone?") {
		t.Errorf("the approved chat message reached bob as %v", f["html"])
	}
}

// TestNewMemberReview: with new-member review at 1, a member's first post waits (its
// author sees it marked, others do not, nobody is notified), approval publishes and
// notifies, and the next post is published at once.
func TestNewMemberReview(t *testing.T) {
	site := stoatest.Start(t)
	admin := site.Member(t, "root", account.RoleAdmin)
	mod := site.Member(t, "mia", account.RoleModerator)
	alice := site.Member(t, "alice", account.RoleMember)
	newbie := site.Member(t, "newbie", account.RoleMember)
	thread := newThread(t, alice, "Welcome", "Say hello.")
	setAutomod(t, admin, 1, 0, 5)
	if !strings.Contains(admin.Doc("/admin/audit", http.StatusOK).Text(), "new-member review 1 posts") {
		t.Error("the settings change is not in the audit log")
	}

	newbie.PostForm("/t/"+threadID(thread)+"/reply", url.Values{"body": {"Hello, I am new"}, "token": {"n1"}})
	if newbie.Parse().Find("[data-waiting-review]").Length() != 1 {
		t.Fatalf("the new member's first post is not marked waiting (status %d)", newbie.Last.StatusCode)
	}
	if strings.Contains(alice.Doc(thread, http.StatusOK).Text(), "I am new") {
		t.Error("another member sees a post waiting for review")
	}
	if strings.Contains(alice.Doc("/notifications", http.StatusOK).Text(), "newbie replied") {
		t.Error("the thread's author was notified of a post still waiting")
	}
	if why := mod.Doc("/mod", http.StatusOK).Find(".review-item").Text(); !strings.Contains(why, "New member: post 1 of the first 1") {
		t.Errorf("the queue item says %q", why)
	}
	approve, _ := mod.Parse().Find(`.review-item form[action$="/approve"]`).Attr("action")
	mod.PostForm(approve, nil)
	if !strings.Contains(alice.Doc(thread, http.StatusOK).Text(), "I am new") {
		t.Error("the approved post is not published")
	}
	if !strings.Contains(alice.Doc("/notifications", http.StatusOK).Text(), "newbie replied to your thread") {
		t.Error("approval did not send the reply's notification")
	}
	newbie.PostForm("/t/"+threadID(thread)+"/reply", url.Values{"body": {"Second post"}, "token": {"n2"}})
	if newbie.Parse().Find("[data-waiting-review]").Length() != 0 || !strings.Contains(alice.Doc(thread, http.StatusOK).Text(), "Second post") {
		t.Error("the member's second post waited although the first was approved")
	}
	// Staff are never held.
	mod2 := site.Member(t, "max", account.RoleModerator)
	mod2.PostForm("/t/"+threadID(thread)+"/reply", url.Values{"body": {"A moderator's first post"}, "token": {"m1"}})
	if mod2.Parse().Find("[data-waiting-review]").Length() != 0 {
		t.Error("a moderator's first post waits for review")
	}
}

// TestAutoHideAfterReports: three members' reports hide a post by themselves (audited,
// without an actor); the queue shows each reporter's standing; a moderator shows it again.
// A reporter whose reports were agreed with counts twice.
func TestAutoHideAfterReports(t *testing.T) {
	site := stoatest.Start(t)
	admin := site.Member(t, "root", account.RoleAdmin)
	mod := site.Member(t, "mia", account.RoleModerator)
	troll := site.Member(t, "troll", account.RoleMember)
	anon := site.Anonymous(t)
	setAutomod(t, admin, 0, 3, 5)
	thread := newThread(t, troll, "Bait", "Something rude")
	postID := func(path string) string {
		id, _ := anon.Doc(path, http.StatusOK).Find(".post").First().Attr("id")
		return strings.TrimPrefix(id, "p")
	}
	id := postID(thread)
	report := func(c *stoatest.Client, id string) {
		t.Helper()
		c.PostForm("/report", url.Values{"kind": {"post"}, "id": {id}, "reason": {"harassment"}})
		if c.Last.StatusCode != http.StatusOK {
			t.Fatalf("report: %d", c.Last.StatusCode)
		}
	}
	var reporters []*stoatest.Client
	for _, name := range []string{"ann", "ben", "cat"} {
		reporters = append(reporters, site.Member(t, name, account.RoleMember))
	}
	report(reporters[0], id)
	report(reporters[1], id)
	if !strings.Contains(anon.Doc(thread, http.StatusOK).Text(), "Something rude") {
		t.Fatal("two reports hid the post; the threshold is three")
	}
	report(reporters[2], id)
	// A hidden opening post leaves its thread readable, with a placeholder (issue 15, bug 1).
	if text := anon.Doc(thread, http.StatusOK).Text(); strings.Contains(text, "Something rude") || !strings.Contains(text, "Hidden by moderators") {
		t.Fatal("three reports did not hide the opening post")
	}
	if !strings.Contains(reporters[2].Body, "hidden until a moderator looks") {
		t.Error("the third reporter is not told the post is now hidden")
	}
	audit := admin.Doc("/admin/audit", http.StatusOK).Text()
	if !strings.Contains(audit, "Hidden automatically after reports") || !strings.Contains(audit, "Reported by 3 members") {
		t.Error("the audit log lacks the automatic hiding")
	}
	if st := mod.Doc("/mod", http.StatusOK).Find(".reporter-standing").Text(); !strings.Contains(st, "ann (0 agreed, 0 dismissed") {
		t.Errorf("the queue shows standing %q", st)
	}
	// The moderator agrees (the reports close as acted on) and shows it again.
	mod.PostForm("/mod/review/post/"+id, url.Values{"do": {"apply"}, "unhide": {"1"}, "reports_open": {"1"}})
	if mod.Last.StatusCode != http.StatusOK || !strings.Contains(anon.Doc(thread, http.StatusOK).Text(), "Something rude") {
		t.Fatalf("showing the post again: status %d", mod.Last.StatusCode)
	}

	// ann's reports are agreed with three times: her report now counts twice, so she and
	// one other member hide a post.
	for i := range 2 {
		p := newThread(t, troll, fmt.Sprintf("Bait %d", i), fmt.Sprintf("Rude %d", i))
		pid := postID(p)
		report(reporters[0], pid)
		mod.PostForm("/mod/review/post/"+pid, url.Values{"do": {"apply"}, "hide": {"1"}, "reports_open": {"1"}})
	}
	last := newThread(t, troll, "Bait again", "Rude again")
	lid := postID(last)
	report(reporters[0], lid)
	if st := mod.Doc("/mod", http.StatusOK).Find(".reporter-standing").Text(); !strings.Contains(st, "ann (3 agreed, 0 dismissed, counts double)") {
		t.Errorf("the queue shows standing %q", st)
	}
	report(reporters[1], lid)
	if text := anon.Doc(last, http.StatusOK).Text(); strings.Contains(text, "Rude again") {
		t.Error("a trusted reporter and one other did not hide the post")
	}
}

// TestDuplicatesRefused: the same text again within the window is refused in the forum
// (the form keeps it) and in chat (code "duplicate"), whatever its case and spacing,
// while a double submit of one form still answers with the first post.
func TestDuplicatesRefused(t *testing.T) {
	site := stoatest.Start(t)
	sam := site.Member(t, "sam", account.RoleMember)
	thread := newThread(t, sam, "Plants", "What grows in shade?")
	reply := "/t/" + threadID(thread) + "/reply"
	sam.PostForm(reply, url.Values{"body": {"Ferns do well."}, "token": {"d1"}})
	first := sam.Path()
	// The same form sent again (its token): the first reply, no refusal, no second post.
	sam.PostForm(reply, url.Values{"body": {"Ferns do well."}, "token": {"d1"}})
	if sam.Last.StatusCode != http.StatusOK || sam.Path() != first {
		t.Errorf("a double submit answered %d at %s", sam.Last.StatusCode, sam.Path())
	}
	sam.PostForm(reply, url.Values{"body": {"  ferns   DO well. "}, "token": {"d2"}})
	if sam.Last.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(sam.Body, "You posted this same text in the last 5 minutes") {
		t.Fatalf("a duplicate reply: status %d", sam.Last.StatusCode)
	}
	if got := sam.Parse().Find(`form#reply textarea[name="body"]`).Text(); got != "  ferns   DO well. " {
		t.Errorf("the refused reply form kept %q", got)
	}
	if n := strings.Count(sam.Doc(thread, http.StatusOK).Text(), "do well"); n != 1 {
		t.Errorf("the thread shows the text %d times", n)
	}

	ws := chatDial(t, site, sam, "general")
	ws.WriteJSON(map[string]any{"type": "send", "body": "Good morning", "nonce": "a", "confirm": true})
	chatNext(t, ws, "message")
	ws.WriteJSON(map[string]any{"type": "send", "body": "good   MORNING", "nonce": "b", "confirm": true})
	if f := chatNext(t, ws, "error"); f["code"] != "duplicate" || f["nonce"] != "b" || !strings.Contains(f["message"].(string), "same message") {
		t.Errorf("a duplicate chat message answered %v", f)
	}
	ws.WriteJSON(map[string]any{"type": "send", "body": "Good morning, everyone", "nonce": "c", "confirm": true})
	if f := chatNext(t, ws, "message"); f["nonce"] != "c" {
		t.Errorf("a different message answered %v", f)
	}
}

// TestSlowModeAndFreeze: a moderator (not only an admin) sets slow mode and freezes a
// room from its page; members are refused with slow_mode (seconds left) and frozen,
// staff are exempt, the page says so, and the changes are audited.
func TestSlowModeAndFreeze(t *testing.T) {
	site := stoatest.Start(t)
	admin := site.Member(t, "root", account.RoleAdmin)
	mod := site.Member(t, "mia", account.RoleModerator)
	sam := site.Member(t, "sam", account.RoleMember)

	if mod.Doc("/chat/general", http.StatusOK).Find(`form[action="/chat/general/mode"]`).Length() != 1 {
		t.Fatal("the room page offers a moderator no slow mode form")
	}
	if sam.Doc("/chat/general", http.StatusOK).Find(`form[action="/chat/general/mode"]`).Length() != 0 {
		t.Error("the room page offers a member the slow mode form")
	}
	sam.PostForm("/chat/general/mode", url.Values{"slow": {"60"}})
	if sam.Last.StatusCode != http.StatusForbidden {
		t.Errorf("a member set slow mode: %d", sam.Last.StatusCode)
	}
	mod.PostForm("/chat/general/mode", url.Values{"slow": {"99999"}})
	if mod.Last.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(mod.Body, "from 0 (off) to 3600 seconds") {
		t.Errorf("an out-of-range slow mode: %d", mod.Last.StatusCode)
	}
	mod.PostForm("/chat/general/mode", url.Values{"slow": {"60"}})
	if mod.Last.StatusCode != http.StatusOK || !strings.Contains(mod.Body, "Saved.") {
		t.Fatalf("setting slow mode: %d", mod.Last.StatusCode)
	}
	if sam.Doc("/chat/general", http.StatusOK).Find(`[data-room-mode="slow"]`).Length() != 1 {
		t.Error("the room page does not show slow mode")
	}
	ws := chatDial(t, site, sam, "general")
	ws.WriteJSON(map[string]any{"type": "send", "body": "first", "nonce": "1", "confirm": true})
	chatNext(t, ws, "message")
	ws.WriteJSON(map[string]any{"type": "send", "body": "second", "nonce": "2", "confirm": true})
	f := chatNext(t, ws, "error")
	left, _ := f["retry_after"].(float64)
	if f["code"] != "slow_mode" || left <= 0 || left > 60 {
		t.Errorf("a second message in slow mode answered %v", f)
	}
	modWS := chatDial(t, site, mod, "general")
	for i := range 2 {
		modWS.WriteJSON(map[string]any{"type": "send", "body": fmt.Sprintf("staff %d", i), "nonce": fmt.Sprint(i), "confirm": true})
		if g := chatNext(t, modWS, "message"); g["nonce"] != fmt.Sprint(i) {
			t.Errorf("staff message %d in slow mode: %v", i, g)
		}
	}

	mod.PostForm("/chat/general/mode", url.Values{"slow": {"0"}, "frozen": {"1"}})
	ws.WriteJSON(map[string]any{"type": "send", "body": "third", "nonce": "3", "confirm": true})
	if f := chatNext(t, ws, "error"); f["code"] != "frozen" {
		t.Errorf("a message in a frozen room answered %v", f)
	}
	page := sam.Doc("/chat/general", http.StatusOK)
	if page.Find(`[data-room-mode="frozen"]`).Length() != 1 || page.Find("#chat-form").Length() != 0 {
		t.Error("the frozen room's page does not say so, or still offers the message form")
	}
	modWS.WriteJSON(map[string]any{"type": "send", "body": "staff in a frozen room", "nonce": "f", "confirm": true})
	if g := chatNext(t, modWS, "message"); g["nonce"] != "f" {
		t.Errorf("staff in a frozen room: %v", g)
	}
	audit := admin.Doc("/admin/audit", http.StatusOK).Text()
	if !strings.Contains(audit, "#general: slow mode 60 s, not frozen") || !strings.Contains(audit, "#general: slow mode off, frozen") {
		t.Error("the audit log lacks the room mode changes")
	}
}
