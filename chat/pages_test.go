package chat_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"stoa/account"
	"stoa/chat"
	"stoa/storage"
)

// Every room page carries the public-disclosure warning; a member who has not yet
// acknowledged it sees it prominently, with a button that records the acknowledgement.
func TestP6_ChatRoomShowsDisclosure(t *testing.T) {
	s := newSite(t, func(o *siteOpts) { o.policy = func(context.Context) int { return 4 } })
	anon, alice := s.anonymous(), s.member("alice", account.RoleMember)

	doc := anon.doc("/chat/general", http.StatusOK)
	if doc.Find(`[data-disclosure="public"]`).Length() != 1 {
		t.Fatal("anonymous readers see no disclosure on the room page")
	}
	if doc.Find("#chat-form").Length() != 0 || !strings.Contains(doc.Find(".chat-compose").Text(), "Log in") {
		t.Fatal("anonymous readers should be invited to log in, not shown the composer")
	}

	doc = alice.doc("/chat/general", http.StatusOK)
	ack := doc.Find(`#chat-ack [data-disclosure="public"]`)
	if ack.Length() != 1 || !strings.Contains(ack.Text(), "recorded, archived and republished by anyone") {
		t.Fatalf("a member's first visit shows no prominent disclosure: %q", ack.Text())
	}
	if doc.Find(`#chat-ack-button`).Text() != "I understand" {
		t.Fatal("no acknowledgement button")
	}
	if doc.Find(`label[for="f-body"]`).Text() != "Message" || doc.Find(`#chat-form button[type=submit]`).Text() != "Send" {
		t.Fatal("the composer lacks its Message label or Send button")
	}
	alice.post("/chat/general/ack", url.Values{})
	if alice.resp.StatusCode != http.StatusOK || alice.resp.Request.URL.Path != "/chat/general" {
		t.Fatalf("acknowledging answered %d at %s", alice.resp.StatusCode, alice.resp.Request.URL)
	}
	if n := s.count("select count(*) from chat_acks where user_id = ? and policy_version = 4", alice.user.ID); n != 1 {
		t.Fatal("the acknowledgement was not recorded with the policy version")
	}
	doc = alice.parse()
	if doc.Find("#chat-ack").Length() != 0 {
		t.Fatal("the prominent warning is still shown after acknowledging")
	}
	if doc.Find(`.chat-line [data-disclosure="public"]`).Length() != 1 {
		t.Fatal("the persistent line above the input is missing")
	}
	// Acknowledged on the page, the member is not asked again over the WebSocket.
	c := alice.connect("general")
	c.send(map[string]any{"type": "send", "body": "hello", "nonce": "h1"})
	if f := c.expect("message"); f.Nonce != "h1" {
		t.Fatalf("got %+v", f)
	}
}

func TestP6_ChatDisclosureConfirmFlow(t *testing.T) {
	s := newSite(t, func(o *siteOpts) { o.policy = func(context.Context) int { return 2 } })
	alice := s.member("alice", account.RoleMember)
	c := alice.connect("general")
	c.send(map[string]any{"type": "send", "body": "my first message", "nonce": "c1"})
	f := c.expect("confirm_required")
	if f.Nonce != "c1" || strings.Join(f.Findings, ",") != chat.FindingPublicRoom {
		t.Fatalf("first message answered %+v, want confirm_required [public room]", f)
	}
	if n := s.count("select count(*) from chat_messages"); n != 0 {
		t.Fatal("a held message was stored")
	}
	c.send(map[string]any{"type": "send", "body": "my first message", "nonce": "c1", "confirm": true})
	if f := c.expect("message"); f.Nonce != "c1" {
		t.Fatalf("confirmed message answered %+v", f)
	}
	if n := s.count("select count(*) from chat_acks where user_id = ? and room_id = ? and policy_version = 2", alice.user.ID, s.general.ID); n != 1 {
		t.Fatal("confirming did not record the acknowledgement with the policy version")
	}
	c.send(map[string]any{"type": "send", "body": "second", "nonce": "c2"})
	if f := c.expect("message"); f.Nonce != "c2" {
		t.Fatalf("second message answered %+v, want it published at once", f)
	}
	// The acknowledgement holds per room.
	other, err := s.chat.CreateRoom(context.Background(), s.member("root", account.RoleAdmin).user, "random", "Random", "")
	if err != nil {
		t.Fatal(err)
	}
	c2 := alice.connect(other.Slug)
	c2.send(map[string]any{"type": "send", "body": "hi random", "nonce": "r1"})
	if f := c2.expect("confirm_required"); strings.Join(f.Findings, ",") != chat.FindingPublicRoom {
		t.Fatalf("first message in another room answered %+v", f)
	}
}

func TestP6_DetectorHoldsEmailInChat(t *testing.T) {
	s := newSite(t)
	alice := s.member("alice", account.RoleMember)
	alice.ack()
	c := alice.connect("general")
	c.send(map[string]any{"type": "send", "body": "write me at alice@example.com", "nonce": "p1"})
	if f := c.expect("confirm_required"); f.Nonce != "p1" || strings.Join(f.Findings, ",") != "email address" {
		t.Fatalf("got %+v, want confirm_required [email address]", f)
	}
	if n := s.count("select count(*) from chat_messages"); n != 0 {
		t.Fatal("a held message was stored")
	}
	c.send(map[string]any{"type": "send", "body": "the release is on 2024-05-01, version 1.2.3, for $19.99", "nonce": "p2"})
	if f := c.expect("message"); f.Nonce != "p2" {
		t.Fatalf("ordinary text answered %+v", f)
	}
	c.send(map[string]any{"type": "send", "body": "write me at alice@example.com", "nonce": "p1", "confirm": true})
	if f := c.expect("message"); f.Nonce != "p1" || !strings.Contains(f.HTML, "alice@example.com") {
		t.Fatalf("confirmed message answered %+v", f)
	}
	// Both warnings at once for a first message: one confirmation covers both.
	bob := s.member("bob", account.RoleMember)
	cb := bob.connect("general")
	cb.send(map[string]any{"type": "send", "body": "call +44 20 7946 0958", "nonce": "b1"})
	if f := cb.expect("confirm_required"); strings.Join(f.Findings, ",") != "public room,phone number" {
		t.Fatalf("got %+v", f)
	}
}

// Without JavaScript the form posts through the same rules, and live watchers see it.
func TestNoJSFormPostPublishes(t *testing.T) {
	s := newSite(t)
	alice, watcher := s.member("alice", account.RoleMember), s.anonymous()
	live := watcher.connect("general")
	doc := alice.doc("/chat/general", http.StatusOK)
	token, _ := doc.Find(`#chat-form input[name="token"]`).Attr("value")
	action, _ := doc.Find("#chat-form").Attr("action")
	if token == "" || action != "/chat/general/messages" {
		t.Fatalf("form action %q token %q", action, token)
	}

	form := url.Values{"body": {"Hello **everyone**, mail me at alice@example.com"}, "token": {token}}
	alice.post(action, form)
	doc = alice.parse()
	hold := doc.Find("[data-hold]").Text()
	if alice.resp.StatusCode != http.StatusOK || !strings.Contains(hold, "first message in this room") || !strings.Contains(hold, "email address") {
		t.Fatalf("first post answered %d with hold %q", alice.resp.StatusCode, hold)
	}
	if got := doc.Find("#f-body").Text(); got != form.Get("body") {
		t.Fatalf("the held message was not kept in the form: %q", got)
	}
	if n := s.count("select count(*) from chat_messages"); n != 0 {
		t.Fatal("a held message was stored")
	}

	form.Set("confirm", "1")
	alice.post(action, form)
	if alice.resp.StatusCode != http.StatusOK || alice.resp.Request.URL.Path != "/chat/general" {
		t.Fatalf("confirmed post answered %d at %s", alice.resp.StatusCode, alice.resp.Request.URL)
	}
	doc = alice.parse()
	if got := doc.Find(".chat-msg .chat-body strong").Text(); got != "everyone" {
		t.Fatalf("the page does not show the new message: %q", got)
	}
	if f := live.expect("message"); f.Author != "alice" || !strings.Contains(f.HTML, "<strong>everyone</strong>") {
		t.Fatalf("the live watcher got %+v", f)
	}
	// A double submit of the same form publishes once.
	alice.post(action, form)
	if n := s.count("select count(*) from chat_messages"); n != 1 {
		t.Fatalf("%d messages after a repeated submit, want 1", n)
	}
	if n := s.count("select count(*) from chat_acks where user_id = ?", alice.user.ID); n != 1 {
		t.Fatal("confirming the form did not record the acknowledgement")
	}

	// Limits give sentences, and keep the text.
	long := strings.Repeat("x", 5000)
	alice.post(action, url.Values{"body": {long}, "token": {"t2"}})
	if alice.resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(alice.body, "Shorten it") {
		t.Fatalf("oversized post answered %d", alice.resp.StatusCode)
	}
	if got := alice.parse().Find("#f-body").Text(); got != long {
		t.Fatal("the oversized message was lost from the form")
	}
	// Anonymous posts are sent to log in.
	anon := s.anonymous()
	anon.post(action, url.Values{"body": {"hi"}})
	if anon.resp.Request.URL.Path != "/login" {
		t.Fatalf("anonymous post ended at %s", anon.resp.Request.URL)
	}
	// Silenced members are told why.
	bob := s.member("bob", account.RoleMember)
	s.silenced.silence(bob.user.ID)
	doc = bob.doc("/chat/general", http.StatusOK)
	if doc.Find("#chat-form").Length() != 0 || !strings.Contains(doc.Find(".chat-compose").Text(), "silenced") {
		t.Fatal("a silenced member is offered the composer")
	}
	bob.post(action, url.Values{"body": {"hi"}, "confirm": {"1"}})
	if bob.resp.StatusCode != http.StatusForbidden || !strings.Contains(bob.body, "silenced") {
		t.Fatalf("silenced post answered %d", bob.resp.StatusCode)
	}
}

func TestHistoryPagesWithBefore(t *testing.T) {
	s := newSite(t, func(o *siteOpts) { o.limits.SendBurst = 1000 })
	alice := s.member("alice", account.RoleMember)
	alice.ack()
	for i := 1; i <= 120; i++ {
		if _, err := s.chat.Send(context.Background(), alice.user, s.general, chat.Input{Body: fmt.Sprintf("number %d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	anon := s.anonymous()
	doc := anon.doc("/chat/general", http.StatusOK)
	msgs := doc.Find(".chat-msg")
	if msgs.Length() != chat.PageSize || !strings.Contains(msgs.Last().Text(), "number 120") || !strings.Contains(msgs.First().Text(), "number 71") {
		t.Fatalf("latest page shows %d messages from %q to %q", msgs.Length(), msgs.First().Find(".chat-body").Text(), msgs.Last().Find(".chat-body").Text())
	}
	if live, _ := doc.Find("#chat").Attr("data-live"); live != "1" {
		t.Fatal("the latest page is not marked live")
	}
	if last, _ := doc.Find("#chat").Attr("data-last"); last != "120" {
		t.Fatalf("data-last %q, want 120", last)
	}
	pages := 1
	for {
		older, ok := doc.Find(".chat-older a").Attr("href")
		if !ok {
			break
		}
		doc = anon.doc(older, http.StatusOK)
		pages++
		if _, live := doc.Find("#chat").Attr("data-live"); live {
			t.Fatal("an older page is marked live")
		}
		if doc.Find(`.notice-line a[href="/chat/general"]`).Length() != 1 {
			t.Fatal("an older page has no way back to the latest messages")
		}
	}
	if first := strings.TrimSpace(doc.Find(".chat-msg .chat-body").First().Text()); pages != 3 || first != "number 1" {
		t.Fatalf("%d pages, first message on the last one %q", pages, first)
	}
	if n := doc.Find(".chat-msg").Length(); n != 20 {
		t.Fatalf("the oldest page shows %d messages, want 20", n)
	}
}

func TestEditAndDeleteWithoutJavaScript(t *testing.T) {
	s := newSite(t)
	alice, bob := s.member("alice", account.RoleMember), s.member("bob", account.RoleMember)
	alice.ack()
	m, err := s.chat.Send(context.Background(), alice.user, s.general, chat.Input{Body: "typo hree"})
	if err != nil {
		t.Fatal(err)
	}
	doc := alice.doc("/chat/general", http.StatusOK)
	msg := doc.Find(fmt.Sprintf("#m%d", m.ID))
	edit, _ := msg.Find(`a:contains("Edit")`).Attr("href")
	ask, _ := msg.Find(`a:contains("Delete")`).Attr("href")
	if edit == "" || ask == "" {
		t.Fatalf("own message lacks edit/delete: %q %q", edit, ask)
	}
	// Deleting asks first: the link opens a page that shows the message and a button.
	confirm := alice.doc(ask, http.StatusOK)
	del, _ := confirm.Find(`form:has(button:contains("Delete message"))`).Attr("action")
	if del == "" || !strings.Contains(confirm.Find(".chat-delete-preview").Text(), "typo hree") {
		t.Fatalf("the delete page shows no message or button (action %q)", del)
	}
	bob.get(ask)
	if bob.resp.StatusCode != http.StatusForbidden {
		t.Fatalf("bob opening the page that deletes alice's message: %d", bob.resp.StatusCode)
	}
	if bobDoc := bob.doc("/chat/general", http.StatusOK); bobDoc.Find(fmt.Sprintf(`#m%d a[href="/report?message=%d"]`, m.ID, m.ID)).Length() != 1 {
		t.Fatal("other members see no Report link")
	}
	if got := alice.doc(edit, http.StatusOK).Find("#f-body").Text(); got != "typo hree" {
		t.Fatalf("edit form holds %q", got)
	}
	bob.get(edit)
	if bob.resp.StatusCode != http.StatusForbidden {
		t.Fatalf("bob opening alice's edit form: %d", bob.resp.StatusCode)
	}
	alice.post(edit, url.Values{"body": {"typo here, mail me at a@example.com"}})
	if !strings.Contains(alice.parse().Find("[data-hold]").Text(), "email address") {
		t.Fatal("the detector did not hold the edit")
	}
	alice.post(edit, url.Values{"body": {"typo here"}})
	doc = alice.parse()
	if got := doc.Find(fmt.Sprintf("#m%d .chat-body", m.ID)).Text(); !strings.Contains(got, "typo here") || doc.Find(fmt.Sprintf("#m%d .chat-edited", m.ID)).Length() != 1 {
		t.Fatalf("after editing the page shows %q", got)
	}
	bob.post(del, url.Values{})
	if bob.resp.StatusCode != http.StatusForbidden {
		t.Fatalf("bob deleting alice's message: %d", bob.resp.StatusCode)
	}
	alice.post(del, url.Values{})
	if alice.parse().Find(fmt.Sprintf("#m%d", m.ID)).Length() != 0 {
		t.Fatal("the deleted message is still shown")
	}
}

// Pressing "I understand" after typing a first message, without JavaScript, keeps the
// message in the box: the button belongs to the message form (issue 16, bug 1).
func TestAckKeepsTypedMessage(t *testing.T) {
	s := newSite(t)
	alice := s.member("alice", account.RoleMember)
	doc := alice.doc("/chat/general", http.StatusOK)
	button := doc.Find("#chat-ack-button")
	form, _ := button.Attr("form")
	action, _ := button.Attr("formaction")
	token, _ := doc.Find(`#chat-form input[name="token"]`).Attr("value")
	if button.Text() != "I understand" || form != "chat-form" || action != "/chat/general/ack" {
		t.Fatalf("the acknowledgement button is %q, form=%q formaction=%q; want it to submit the message form to /chat/general/ack", button.Text(), form, action)
	}
	body := "My first words here, typed before reading the notice"
	alice.post(action, url.Values{"body": {body}, "token": {token}})
	if alice.resp.StatusCode != http.StatusOK {
		t.Fatalf("acknowledging with a typed message answered %d", alice.resp.StatusCode)
	}
	doc = alice.parse()
	if got := doc.Find("#f-body").Text(); got != body {
		t.Fatalf("after acknowledging, the box holds %q, want the typed message", got)
	}
	if kept, _ := doc.Find(`#chat-form input[name="token"]`).Attr("value"); kept != token {
		t.Errorf("the form's token changed from %q to %q", token, kept)
	}
	if doc.Find("#chat-ack").Length() != 0 || doc.Find(`.chat-line [data-disclosure="public"]`).Length() != 1 {
		t.Fatal("after acknowledging, the page should show the one-line disclosure, not the notice")
	}
	if n := s.count("select count(*) from chat_messages"); n != 0 {
		t.Fatal("acknowledging sent the message; it should only keep it in the box")
	}
	if n := s.count("select count(*) from chat_acks where user_id = ?", alice.user.ID); n != 1 {
		t.Fatal("the acknowledgement was not recorded")
	}
	alice.post("/chat/general/messages", url.Values{"body": {body}, "token": {token}})
	if alice.resp.StatusCode != http.StatusOK || alice.resp.Request.URL.Path != "/chat/general" {
		t.Fatalf("sending after acknowledging answered %d at %s", alice.resp.StatusCode, alice.resp.Request.URL)
	}
	if n := s.count("select count(*) from chat_messages where source = ?", body); n != 1 {
		t.Fatal("the kept message was not sent")
	}
}

// A held first message is one notice: the disclosure with what holds the message and the
// box to tick, not a second box under an "I understand" button (issue 16, bug 1).
func TestHeldFirstMessageIsOneNotice(t *testing.T) {
	s := newSite(t)
	alice := s.member("alice", account.RoleMember)
	doc := alice.doc("/chat/general", http.StatusOK)
	token, _ := doc.Find(`#chat-form input[name="token"]`).Attr("value")
	body := "Write to me at alice.private@example.com"
	alice.post("/chat/general/messages", url.Values{"body": {body}, "token": {token}})
	doc = alice.parse()
	if n := doc.Find("[data-hold]").Length(); n != 1 {
		t.Fatalf("the held first message shows %d hold notices, want 1", n)
	}
	if doc.Find("#chat-ack [data-hold]").Length() != 1 || doc.Find("#chat-ack-button").Length() != 0 {
		t.Fatal("the hold should sit in the disclosure notice, in place of its I understand button")
	}
	if got := doc.Find("[data-hold] b").Text(); got != "email address" {
		t.Errorf("the notice names %q, want the email address it found", got)
	}
	if f, _ := doc.Find("[data-hold] input[name=confirm]").Attr("form"); f != "chat-form" {
		t.Errorf("the confirm box belongs to form %q, want chat-form", f)
	}
	if got := doc.Find("#f-body").Text(); got != body {
		t.Fatalf("the held message is not in the box: %q", got)
	}
}

func TestRoomsAdmin(t *testing.T) {
	s := newSite(t)
	admin, alice, anon := s.member("root", account.RoleAdmin), s.member("alice", account.RoleMember), s.anonymous()

	doc := anon.doc("/chat", http.StatusOK)
	if doc.Find(`a[href="/chat/general"]`).Length() != 1 || doc.Find(`a[href="/chat/admin"]`).Length() != 0 {
		t.Fatal("the room list lacks general, or shows the admin link to a reader")
	}
	if admin.doc("/chat", http.StatusOK).Find(`a[href="/chat/admin"]`).Length() != 1 {
		t.Fatal("admins have no link to manage rooms")
	}
	alice.get("/chat/admin")
	if alice.resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a member opened the admin page: %d", alice.resp.StatusCode)
	}
	alice.post("/chat/admin/rooms", url.Values{"slug": {"mine"}, "name": {"Mine"}})
	if alice.resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a member created a room: %d", alice.resp.StatusCode)
	}
	anon.get("/chat/admin")
	if anon.resp.Request.URL.Path != "/login" {
		t.Fatal("an anonymous visitor was not sent to log in")
	}

	admin.post("/chat/admin/rooms", url.Values{"slug": {"Bad Slug!"}, "name": {""}})
	doc = admin.parse()
	if admin.resp.StatusCode != http.StatusUnprocessableEntity || doc.Find("#e-new-slug").Length() != 1 || doc.Find("#e-new-name").Length() != 1 {
		t.Fatalf("invalid room answered %d", admin.resp.StatusCode)
	}
	admin.post("/chat/admin/rooms", url.Values{"slug": {"releases"}, "name": {"Releases"}, "topic": {"Ship it"}})
	if !strings.Contains(admin.body, "Room created.") {
		t.Fatalf("creating a room answered %d", admin.resp.StatusCode)
	}
	admin.post("/chat/admin/rooms", url.Values{"slug": {"releases"}, "name": {"Again"}})
	if admin.resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatal("a duplicate address was accepted")
	}
	admin.post("/chat/admin/rooms/releases", url.Values{"name": {"Release train"}, "topic": {"Weekly"}})
	if !strings.Contains(admin.doc("/chat/releases", http.StatusOK).Find("h1").Text(), "Release train") {
		t.Fatal("renaming did not show on the room page")
	}

	// Archived: readable, not writable.
	alice.ack()
	room, _ := s.chat.Store().RoomBySlug(context.Background(), "releases")
	if _, err := s.chat.Send(context.Background(), alice.user, room, chat.Input{Body: "before archiving", Confirm: true}); err != nil {
		t.Fatal(err)
	}
	admin.post("/chat/admin/rooms/releases/archive", url.Values{"archived": {"1"}})
	doc = alice.doc("/chat/releases", http.StatusOK)
	if doc.Find("#chat-form").Length() != 0 || !strings.Contains(doc.Text(), "archived") || !strings.Contains(doc.Text(), "before archiving") {
		t.Fatal("an archived room should show its history without a composer")
	}
	c := alice.connect("releases")
	c.send(map[string]any{"type": "send", "body": "still here?", "nonce": "a1", "confirm": true})
	if f := c.expect("error"); f.Code != chat.CodeForbidden || !strings.Contains(f.Message, "archived") {
		t.Fatalf("sending to an archived room answered %+v", f)
	}
	if doc := anon.doc("/chat", http.StatusOK); !strings.Contains(doc.Find(".chat-archived-title").Text(), "Archived") {
		t.Fatal("the room list does not separate archived rooms")
	}
	admin.post("/chat/admin/rooms/releases/archive", url.Values{"archived": {"0"}})
	c.send(map[string]any{"type": "send", "body": "open again", "nonce": "a2", "confirm": true})
	if f := c.expect("message"); f.Nonce != "a2" {
		t.Fatalf("sending to a reopened room answered %+v", f)
	}
	anon.get("/chat/nowhere")
	if anon.resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown room: %d", anon.resp.StatusCode)
	}
}

func TestP15_ExportAndEraseChatMessages(t *testing.T) {
	s := newSite(t)
	alice, bob := s.member("alice", account.RoleMember), s.member("bob", account.RoleMember)
	alice.ack()
	ctx := context.Background()
	m, err := s.chat.Send(ctx, alice.user, s.general, chat.Input{Body: "mine", Confirm: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.chat.Send(ctx, bob.user, s.general, chat.Input{Body: "bob's", Confirm: true}); err != nil {
		t.Fatal(err)
	}
	files := map[string]any{}
	ds := s.chat.DataSource()
	if err := ds.ExportUser(ctx, alice.user.ID, func(name string, v any) error { files[name] = v; return nil }); err != nil {
		t.Fatal(err)
	}
	msgs, _ := files["chat_messages.json"].([]chat.ExportedMessage)
	if len(msgs) != 1 || msgs[0].Markdown != "mine" || msgs[0].Room != "general" || msgs[0].ID != m.ID {
		t.Fatalf("export holds %+v", files["chat_messages.json"])
	}
	if acks, _ := files["chat_acknowledgements.json"].([]chat.ExportedAck); len(acks) != 1 || acks[0].PolicyVersion != 1 {
		t.Fatalf("export acknowledgements %+v", files["chat_acknowledgements.json"])
	}

	// Keeping content: the message stays, attributed to a former member.
	if err := s.db.Write(ctx, func(tx *storage.Tx) error { return ds.EraseUser(tx, alice.user.ID, false) }); err != nil {
		t.Fatal(err)
	}
	got, _ := s.chat.MessageByID(ctx, m.ID)
	if got.Author != "former-member" || got.Source != "mine" || got.Deleted {
		t.Fatalf("anonymised message %+v", got)
	}
	// Erasing content blanks bob's messages.
	if err := s.db.Write(ctx, func(tx *storage.Tx) error { return ds.EraseUser(tx, bob.user.ID, true) }); err != nil {
		t.Fatal(err)
	}
	if n := s.count("select count(*) from chat_messages where source like '%bob%' or html like '%bob%'"); n != 0 {
		t.Fatal("erased text is still stored")
	}
	if n := s.count("select count(*) from chat_acks"); n != 0 {
		t.Fatal("acknowledgements of deleted accounts remain")
	}
}
