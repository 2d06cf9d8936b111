package chat_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"stoa/account"
	"stoa/chat"
)

func TestEditAndDeleteOwnMessages(t *testing.T) {
	s := newSite(t)
	alice, bob := s.member("alice", account.RoleMember), s.member("bob", account.RoleMember)
	ca, cb := alice.connect("general"), bob.connect("general")
	m := ca.say("frist", "a1")
	cb.expect("message")

	ca.send(map[string]any{"type": "edit", "id": m.ID, "body": "first", "nonce": "e1"})
	for _, c := range []*wsConn{ca, cb} {
		f := c.expect("message")
		if f.ID != m.ID || !f.Edited || !strings.Contains(f.HTML, "first") {
			t.Fatalf("edited copy %+v", f)
		}
	}
	cb.send(map[string]any{"type": "edit", "id": m.ID, "body": "hijacked", "nonce": "e2"})
	if f := cb.expect("error"); f.Code != chat.CodeForbidden {
		t.Fatalf("editing someone else's message answered %+v", f)
	}
	cb.send(map[string]any{"type": "delete", "id": m.ID, "nonce": "d0"})
	if f := cb.expect("error"); f.Code != chat.CodeForbidden {
		t.Fatalf("deleting someone else's message answered %+v", f)
	}
	ca.send(map[string]any{"type": "delete", "id": m.ID, "nonce": "d1"})
	for _, c := range []*wsConn{ca, cb} {
		if f := c.expect("deleted"); f.ID != m.ID {
			t.Fatalf("deleted frame %+v", f)
		}
	}
	if n := s.count("select count(*) from chat_messages where deleted_at is not null"); n != 1 {
		t.Fatal("message not marked deleted")
	}
	// A reconnecting client does not get the deleted message back.
	c := alice.connect("general", after(0))
	c.quiet(200 * time.Millisecond)
}

func TestStaffDeleteTellsClients(t *testing.T) {
	s := newSite(t)
	alice, bob := s.member("alice", account.RoleMember), s.member("bob", account.RoleMember)
	ca, cb := alice.connect("general"), bob.connect("general")
	m := ca.say("rule-breaking", "a1")
	cb.expect("message")
	snap, err := s.chat.MessageByID(context.Background(), m.ID)
	if err != nil || snap.Source != "rule-breaking" || snap.Author != "alice" || snap.Room != "general" || snap.URL() == "" {
		t.Fatalf("snapshot %+v, %v", snap, err)
	}
	if err := s.chat.DeleteByStaff(context.Background(), m.ID); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*wsConn{ca, cb} {
		if f := c.expect("deleted"); f.ID != m.ID {
			t.Fatalf("deleted frame %+v", f)
		}
	}
	snap, _ = s.chat.MessageByID(context.Background(), m.ID)
	if !snap.Deleted || snap.Source != "rule-breaking" {
		t.Fatalf("after staff delete: %+v (moderation keeps the text)", snap)
	}
	// Hiding and showing again.
	m2 := ca.say("borderline", "a2")
	cb.expect("message")
	if err := s.chat.HideByStaff(context.Background(), m2.ID, true); err != nil {
		t.Fatal(err)
	}
	if f := cb.expect("deleted"); f.ID != m2.ID {
		t.Fatalf("hidden: %+v", f)
	}
	if err := s.chat.HideByStaff(context.Background(), m2.ID, false); err != nil {
		t.Fatal(err)
	}
	if f := cb.expect("message"); f.ID != m2.ID || !f.Edited {
		t.Fatalf("shown again: %+v", f)
	}
}

func TestTypingAndPresence(t *testing.T) {
	s := newSite(t, func(o *siteOpts) { o.limits.PresenceEvery = 20 * time.Millisecond })
	alice, bob, anon := s.member("alice", account.RoleMember), s.member("bob", account.RoleMember), s.anonymous()
	ca := alice.connect("general")
	cb, _, err := bob.dial("general")
	if err != nil {
		t.Fatal(err)
	}
	if f := cb.expect("presence"); strings.Join(f.Users, ",") != "alice,bob" {
		t.Fatalf("bob's first presence %v, want alice,bob", f.Users)
	}
	if f := ca.expect("presence"); strings.Join(f.Users, ",") != "alice,bob" {
		t.Fatalf("alice's presence after bob joined: %v", f.Users)
	}
	anon.connect("general") // watchers are not listed
	ca.send(map[string]any{"type": "typing"})
	ca.send(map[string]any{"type": "typing"}) // throttled
	if f := cb.expect("typing"); f.User != "alice" {
		t.Fatalf("typing %+v", f)
	}
	cb.conn.Close()
	if f := ca.expect("presence"); strings.Join(f.Users, ",") != "alice" {
		t.Fatalf("presence after bob left: %v", f.Users)
	}
	// Alice never hears her own typing, and the second typing was throttled.
	for {
		f, err := ca.read(150 * time.Millisecond)
		if err != nil {
			break
		}
		if f.Type == "typing" {
			t.Fatalf("alice got typing %+v", f)
		}
	}
}

func TestShutdownClosesWith1001AndCommitsPendingWrites(t *testing.T) {
	s := newSite(t, func(o *siteOpts) { o.limits.SendBurst = 1000 })
	alice := s.member("alice", account.RoleMember)
	alice.ack()
	c := alice.connect("general")

	var wg sync.WaitGroup
	var mu sync.Mutex
	var stored []int64
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m, err := s.chat.Send(context.Background(), alice.user, s.general, chat.Input{Body: fmt.Sprintf("last words %d", i)})
			if err == nil {
				mu.Lock()
				stored = append(stored, m.ID)
				mu.Unlock()
			} else if err != chat.ErrClosed {
				t.Errorf("send: %v", err)
			}
		}()
	}
	time.Sleep(5 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.chat.Shutdown(ctx)
	s.chat.Close()
	wg.Wait()

	for {
		_, err := c.read(5 * time.Second)
		if err == nil {
			continue
		}
		if !websocket.IsCloseError(err, websocket.CloseGoingAway) {
			t.Fatalf("connection ended with %v, want close 1001", err)
		}
		break
	}
	for _, id := range stored {
		if s.count("select count(*) from chat_messages where id = ?", id) != 1 {
			t.Fatalf("acknowledged message %d was not stored", id)
		}
	}
	if len(stored) == 0 {
		t.Log("every send was refused: shutdown won the race")
	}
	// A new connection is refused while shutting down.
	if _, resp, err := alice.dial("general"); err == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("dial during shutdown: %v %v", err, resp)
	}
}

func TestConnectionsPerAddressAreCapped(t *testing.T) {
	s := newSite(t, func(o *siteOpts) {
		o.limits.MaxConnsPerAddr = 3
	})
	anon := s.anonymous()
	var conns []*wsConn
	for range 3 {
		conns = append(conns, anon.connect("general"))
	}
	if _, resp, err := anon.dial("general"); err == nil || resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("fourth connection: %v %v, want 429", err, resp)
	}
	conns[0].conn.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, _, err := anon.dial("general")
		if err == nil {
			c.conn.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a closed connection never freed its slot")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
