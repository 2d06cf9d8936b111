package chat_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"stoa/account"
	"stoa/chat"
	"stoa/storage"
)

func TestTwoMembersSeeEachOtherInOrder(t *testing.T) {
	s := newSite(t, func(o *siteOpts) { o.limits.SendBurst = 100 })
	alice, bob := s.member("alice", account.RoleMember), s.member("bob", account.RoleMember)
	ca, cb := alice.connect("general"), bob.connect("general")

	const each = 15
	var wg sync.WaitGroup
	for _, p := range []struct {
		c    *wsConn
		name string
	}{{ca, "alice"}, {cb, "bob"}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if err := p.c.conn.WriteJSON(map[string]any{"type": "send", "body": fmt.Sprintf("%s %d", p.name, i),
					"nonce": fmt.Sprintf("%s-%d", p.name, i), "confirm": true}); err != nil {
					t.Errorf("send: %v", err)
				}
			}
		}()
	}
	wg.Wait()
	read := func(c *wsConn) []frame {
		var got []frame
		for len(got) < 2*each {
			got = append(got, c.expect("message"))
		}
		return got
	}
	fa, fb := read(ca), read(cb)
	for i := range fa {
		if fa[i].ID != fb[i].ID || fa[i].HTML != fb[i].HTML {
			t.Fatalf("message %d differs: alice sees %+v, bob sees %+v", i, fa[i], fb[i])
		}
		if i > 0 && fa[i].ID <= fa[i-1].ID {
			t.Fatalf("ids out of order: %d after %d", fa[i].ID, fa[i-1].ID)
		}
		if fa[i].Room != "general" || fa[i].At == "" || fa[i].Author == "" {
			t.Fatalf("incomplete message frame %+v", fa[i])
		}
		// Each member's own copies carry their nonce; the other's do not.
		if own := fa[i].Author == "alice"; own != (fa[i].Nonce != "") {
			t.Fatalf("alice got %+v", fa[i])
		}
	}
	// Each member's own messages arrive in the order they were sent.
	next := map[string]int{}
	for _, f := range fa {
		want := fmt.Sprintf("<p>%s %d</p>", f.Author, next[f.Author])
		if strings.TrimSpace(f.HTML) != want {
			t.Fatalf("got %q, want %q", f.HTML, want)
		}
		next[f.Author]++
	}
	if n := s.count("select count(*) from chat_messages"); n != 2*each {
		t.Fatalf("%d rows stored, want %d", n, 2*each)
	}
}

// The sender's acknowledgement means the message is in the database file: another
// connection to it, opened after the ack arrived, reads the row.
func TestAckArrivesOnlyAfterCommit(t *testing.T) {
	s := newSite(t)
	alice := s.member("alice", account.RoleMember)
	c := alice.connect("general")
	// A connection of its own, outside Stoa's storage package, on either engine.
	driver, dsn, query := "sqlite3", "file:"+s.db.Path()+"?_query_only=true", "select source from chat_messages where id = ?"
	if s.db.Dialect() == storage.Postgres {
		driver, dsn, query = "pgx", s.target, "select source from chat_messages where id = $1"
	}
	other, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	for i := range 5 {
		ack := c.say(fmt.Sprintf("durable %d", i), fmt.Sprintf("n%d", i))
		var body string
		if err := other.QueryRow(query, ack.ID).Scan(&body); err != nil {
			t.Fatalf("ack for message %d arrived, but the row is not readable: %v", ack.ID, err)
		}
		if body != fmt.Sprintf("durable %d", i) {
			t.Fatalf("row %d holds %q", ack.ID, body)
		}
	}
}

// A client that disconnects and reconnects with after= gets exactly what it missed,
// while another member keeps sending, including messages committed mid-reconnect.
func TestReconnectWithAfterMissesNothing(t *testing.T) {
	s := newSite(t, func(o *siteOpts) { o.limits.SendBurst = 1000 })
	alice, bob := s.member("alice", account.RoleMember), s.member("bob", account.RoleMember)
	bob.ack()

	const total = 200
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range total {
			if _, err := s.chat.Send(context.Background(), bob.user, s.general, chat.Input{Body: fmt.Sprintf("m%d", i)}); err != nil {
				t.Errorf("send %d: %v", i, err)
				return
			}
			if i%10 == 0 {
				time.Sleep(time.Millisecond)
			}
		}
	}()

	var got []int64
	var last int64
	seen := map[int64]bool{}
	for reconnects := 0; len(got) < total; reconnects++ {
		// The first connection, too, asks for everything after the (empty) page it saw.
		c := alice.connect("general", after(last))
		// Read a few messages, then drop the connection without warning.
		for n := 0; n < 7 && len(got) < total; n++ {
			f := c.expect("message")
			if seen[f.ID] {
				t.Fatalf("message %d delivered twice (reconnection %d)", f.ID, reconnects)
			}
			if f.ID <= last {
				t.Fatalf("message %d arrived after %d", f.ID, last)
			}
			// Only bob writes here, so ids are consecutive: anything else is a gap.
			if f.ID != last+1 {
				t.Fatalf("message %d arrived right after %d (reconnection %d)", f.ID, last, reconnects)
			}
			seen[f.ID] = true
			got = append(got, f.ID)
			last = f.ID
		}
		c.conn.Close()
	}
	<-done
	rows, err := s.db.Read().Query("select id from chat_messages order by id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var want []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		want = append(want, id)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("received %v\nstored   %v", got, want)
	}
}

func TestReplayCarriesOwnNonce(t *testing.T) {
	s := newSite(t)
	alice, bob := s.member("alice", account.RoleMember), s.member("bob", account.RoleMember)
	ca := alice.connect("general")
	first := ca.say("before", "a1")
	ca.conn.Close()
	cb := bob.connect("general")
	cb.say("from bob", "b1")
	ca2 := alice.connect("general", after(0))
	if f := ca2.expect("message"); f.ID != first.ID || f.Nonce != "a1" {
		t.Fatalf("replayed own message %+v, want id %d with nonce a1", f, first.ID)
	}
	if f := ca2.expect("message"); f.Author != "bob" || f.Nonce != "" {
		t.Fatalf("replayed bob's message %+v, want no nonce", f)
	}
}

func TestFloodIsRateLimited(t *testing.T) {
	s := newSite(t)
	alice := s.member("alice", account.RoleMember)
	c := alice.connect("general")
	for i := range 15 {
		c.send(map[string]any{"type": "send", "body": fmt.Sprintf("spam %d", i), "nonce": fmt.Sprintf("f%d", i), "confirm": true})
	}
	var acks, limited int
	for range 15 {
		f := c.next()
		switch {
		case f.Type == "presence":
			continue
		case f.Type == "message":
			acks++
		case f.Type == "error" && f.Code == chat.CodeRateLimited:
			limited++
			if f.Nonce == "" || f.Message == "" {
				t.Errorf("rate_limited error %+v lacks nonce or message", f)
			}
		default:
			t.Fatalf("unexpected frame %+v", f)
		}
	}
	if acks != 10 || limited != 5 {
		t.Fatalf("%d sent and %d refused, want 10 and 5 (burst of 10)", acks, limited)
	}
	if n := s.count("select count(*) from chat_messages"); n != 10 {
		t.Fatalf("%d messages stored, want 10", n)
	}
}

func TestBadFramesGetErrorsAndConnectionStaysUsable(t *testing.T) {
	s := newSite(t)
	alice := s.member("alice", account.RoleMember)
	alice.ack()
	c := alice.connect("general")
	cases := []struct {
		name string
		kind int
		data string
		code string
	}{
		{"binary frame", websocket.BinaryMessage, `{"type":"send","body":"hi"}`, chat.CodeBadRequest},
		{"invalid UTF-8", websocket.TextMessage, "{\"type\":\"send\",\"body\":\"\xff\xfe\"}", chat.CodeBadRequest},
		{"malformed JSON", websocket.TextMessage, `{"type":"send","body":`, chat.CodeBadRequest},
		{"not an object", websocket.TextMessage, `[1,2,3]`, chat.CodeBadRequest},
		{"wrong field type", websocket.TextMessage, `{"type":"send","body":42}`, chat.CodeBadRequest},
		{"unknown type", websocket.TextMessage, `{"type":"dance","nonce":"u1"}`, chat.CodeBadRequest},
		{"empty body", websocket.TextMessage, `{"type":"send","body":"   ","nonce":"e1"}`, chat.CodeBadRequest},
		{"oversized body", websocket.TextMessage, `{"type":"send","nonce":"big","body":"` + strings.Repeat("a", 5000) + `"}`, chat.CodeTooLarge},
	}
	for i, tc := range cases {
		c.sendRaw(tc.kind, []byte(tc.data))
		f := c.expect("error")
		if f.Code != tc.code || f.Message == "" {
			t.Errorf("%s: got %+v, want error %s with a message", tc.name, f, tc.code)
		}
		// The connection still works.
		if ack := c.say(fmt.Sprintf("still here %d", i), fmt.Sprintf("ok%d", i)); ack.ID == 0 {
			t.Fatalf("%s: no acknowledgement after the bad frame", tc.name)
		}
	}
	if n := s.count("select count(*) from chat_messages"); n != len(cases) {
		t.Fatalf("%d messages stored, want %d (only the good ones)", n, len(cases))
	}
}

func TestCrossOriginUpgradeRefused(t *testing.T) {
	s := newSite(t, func(o *siteOpts) { o.origins = []string{"https://chat.example.org"} })
	alice := s.member("alice", account.RoleMember)
	_, resp, err := alice.dial("general", func(o *dialOpts) { o.origin = "https://evil.example" })
	if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-origin upgrade: err %v, response %v; want 403", err, resp)
	}
	for _, origin := range []string{s.url, "https://chat.example.org", "HTTPS://Chat.Example.org", ""} {
		if _, resp, err := alice.dial("general", func(o *dialOpts) { o.origin = origin }); err != nil {
			t.Errorf("origin %q refused: %v (%v)", origin, err, resp)
		}
	}
}

func TestAnonymousWatcherReceivesButCannotSend(t *testing.T) {
	s := newSite(t)
	alice, anon := s.member("alice", account.RoleMember), s.anonymous()
	watcher := anon.connect("general")
	ca := alice.connect("general")
	sent := ca.say("hello watchers", "w1")
	if f := watcher.expect("message"); f.ID != sent.ID || f.Nonce != "" || !strings.Contains(f.HTML, "hello watchers") {
		t.Fatalf("watcher got %+v", f)
	}
	watcher.send(map[string]any{"type": "send", "body": "let me in", "nonce": "x1", "confirm": true})
	if f := watcher.expect("error"); f.Code != chat.CodeForbidden || f.Nonce != "x1" {
		t.Fatalf("anonymous send answered %+v, want forbidden", f)
	}
	if n := s.count("select count(*) from chat_messages"); n != 1 {
		t.Fatalf("%d messages stored, want 1", n)
	}
	// Watching set no cookie.
	anon.get("/chat/general")
	if len(anon.resp.Cookies()) != 0 {
		t.Fatalf("anonymous reader got cookies %v", anon.resp.Cookies())
	}
}

func TestSilencedMemberCannotChat(t *testing.T) {
	s := newSite(t)
	bob := s.member("bob", account.RoleMember)
	bob.ack()
	s.silenced.silence(bob.user.ID)
	c := bob.connect("general")
	c.send(map[string]any{"type": "send", "body": "can I?", "nonce": "s1", "confirm": true})
	if f := c.expect("error"); f.Code != chat.CodeSilenced || !strings.Contains(f.Message, "silenced") {
		t.Fatalf("silenced send answered %+v", f)
	}
	if n := s.count("select count(*) from chat_messages"); n != 0 {
		t.Fatalf("%d messages stored", n)
	}
}
