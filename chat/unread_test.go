package chat_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"stoa/account"
	"stoa/chat"
)

// unreadIn reads the room page's sidebar: each room's unread count.
func unreadIn(doc *goquery.Document) map[string]string {
	out := map[string]string{}
	doc.Find(".chat-room-nav a").Each(func(_ int, a *goquery.Selection) {
		href, _ := a.Attr("href")
		b := a.Find(".unread-count").Clone()
		b.Find(".visually-hidden").Remove()
		out[href] = strings.TrimSpace(b.Text())
	})
	return out
}

// The room page lists the rooms beside the log with how many messages the member has not
// read in each: a member starts caught up, messages by others count, their own do not,
// and opening a room (or reading it live) clears its count.
func TestRoomSidebarCountsUnreadMessages(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	admin, ann, bob := s.member("root", account.RoleAdmin), s.member("ann", account.RoleMember), s.member("bob", account.RoleMember)
	garden, err := s.chat.CreateRoom(ctx, admin.user, "garden", "Garden", "")
	if err != nil {
		t.Fatal(err)
	}
	say := func(m *member, room *chat.Room, body string) *chat.Message {
		t.Helper()
		msg, err := s.chat.Send(ctx, m.user, room, chat.Input{Body: body, Confirm: true})
		if err != nil {
			t.Fatal(err)
		}
		return msg
	}
	say(bob, s.general, "old news before ann ever opened chat")

	// Ann opens chat for the first time: nothing old counts as unread.
	if got := unreadIn(ann.doc("/chat/general", http.StatusOK)); got["/chat/general"] != "" || got["/chat/garden"] != "" {
		t.Fatalf("a first visit shows unread counts %v", got)
	}
	say(bob, garden, "tomatoes are in")
	say(bob, garden, "and beans")
	say(ann, garden, "my own words do not count")
	say(bob, s.general, "hello general")
	doc := ann.doc("/chat/general", http.StatusOK)
	if got := unreadIn(doc); got["/chat/garden"] != "2" || got["/chat/general"] != "" {
		t.Fatalf("sidebar on #general: %v, want garden 2 and general read", got)
	}
	if cur, _ := doc.Find(`.chat-room-nav a[href="/chat/general"]`).Attr("aria-current"); cur != "page" {
		t.Errorf("the current room is not marked: %q", cur)
	}
	rooms := ann.doc("/chat", http.StatusOK)
	if got := strings.TrimSpace(rooms.Find(`a[href="/chat/garden"] + .unread-count`).Clone().Children().Remove().End().Text()); got != "2" {
		t.Errorf("the room list shows %q unread for garden", got)
	}

	// Reading live: the page's script reports how far it has read.
	last := say(bob, garden, "carrots too")
	c := ann.connect("garden")
	c.send(map[string]any{"type": "read", "id": last.ID})
	deadline := time.Now().Add(5 * time.Second)
	for s.count("select count(*) from chat_reads where user_id = ? and room_id = ? and last_read_id = ?", ann.user.ID, garden.ID, last.ID) != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the read frame was not recorded")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// A position never moves back.
	c.send(map[string]any{"type": "read", "id": 1})
	c.quiet(1200 * time.Millisecond)
	if got := unreadIn(ann.doc("/chat/general", http.StatusOK)); got["/chat/garden"] != "" {
		t.Errorf("after reading garden live it still counts %v", got)
	}
	// Anonymous readers see the rooms without counts and record nothing.
	if got := unreadIn(s.anonymous().doc("/chat/general", http.StatusOK)); len(got) != 2 || got["/chat/garden"] != "" {
		t.Errorf("a reader's sidebar: %v", got)
	}
}

// Consecutive messages by one member moments apart are grouped: only the first shows the
// author's name and picture.
func TestConsecutiveMessagesAreGrouped(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	ann, bob := s.member("ann", account.RoleMember), s.member("bob", account.RoleMember)
	for _, m := range []struct {
		who  *member
		body string
	}{{ann, "one"}, {ann, "two"}, {bob, "three"}, {ann, "four"}, {ann, "five"}} {
		if _, err := s.chat.Send(ctx, m.who.user, s.general, chat.Input{Body: m.body, Confirm: true}); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	ann.doc("/chat/general", http.StatusOK).Find(".chat-msg").Each(func(_ int, li *goquery.Selection) {
		got = append(got, fmt.Sprintf("%s:%v", strings.TrimSpace(li.Find(".chat-body").Text()), li.HasClass("grouped")))
	})
	if want := "one:false two:true three:false four:false five:true"; strings.Join(got, " ") != want {
		t.Errorf("grouping %q, want %q", strings.Join(got, " "), want)
	}
}

// Moderators get a Delete link on others' messages, to the message's review page; members
// do not.
func TestModeratorsSeeDeleteOnOthersMessages(t *testing.T) {
	s := newSite(t)
	mod, ann, bob := s.member("mona", account.RoleModerator), s.member("ann", account.RoleMember), s.member("bob", account.RoleMember)
	m, err := s.chat.Send(context.Background(), ann.user, s.general, chat.Input{Body: "spam spam", Confirm: true})
	if err != nil {
		t.Fatal(err)
	}
	// The link leads back to the room once the moderator acted.
	link := fmt.Sprintf(`#m%d a.chat-mod-delete[href="/mod/review/message/%d?next=%%2Fchat%%2Fgeneral"]`, m.ID, m.ID)
	if mod.doc("/chat/general", http.StatusOK).Find(link).Length() != 1 {
		t.Error("a moderator has no Delete link on ann's message")
	}
	if bob.doc("/chat/general", http.StatusOK).Find(link).Length() != 0 {
		t.Error("a member has a moderator's Delete link")
	}
	if v, _ := mod.doc("/chat/general", http.StatusOK).Find("#chat").Attr("data-staff"); v != "1" {
		t.Error("the room page does not tell its script the viewer is staff")
	}
}
