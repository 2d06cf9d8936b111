package chat_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"stoa/account"
	"stoa/chat"
)

// A client that stops reading is disconnected, and the others keep receiving
// everything meanwhile.
func TestSlowClientIsDroppedOthersKeepReceiving(t *testing.T) {
	s := newSite(t, func(o *siteOpts) {
		o.limits.SendBurst = 1 << 20
		o.limits.QueueLen = 32
		o.limits.WriteWait = 2 * time.Second
	})
	alice, fastReader, slowReader := s.member("alice", account.RoleMember), s.anonymous(), s.anonymous()
	alice.ack()
	fast := fastReader.connect("general")
	// The slow reader's socket has a tiny receive buffer and it never reads, so the
	// server's writes to it soon block.
	slowReader.connect("general", func(o *dialOpts) {
		o.dialer.NetDialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
			if tcp, ok := conn.(*net.TCPConn); ok {
				tcp.SetReadBuffer(4 << 10)
			}
			return conn, err
		}
	})
	if n := s.chat.Hub().Clients(s.general.ID); n != 2 {
		t.Fatalf("%d clients connected, want 2", n)
	}

	// Send until the slow client is dropped, then some more: the fast reader must get
	// every one of them, without pause.
	body := strings.Repeat("All work and no play makes a dull chat. ", 90) // ~3.6 KB
	frames := make(chan frame, 1<<14)
	go func() {
		for {
			f, err := fast.read(10 * time.Second)
			if err != nil {
				close(frames)
				return
			}
			if f.Type == "message" {
				frames <- f
			}
		}
	}()
	start := time.Now()
	sent, droppedAt := 0, 0
	for ; sent < 20000 && (droppedAt == 0 || sent < droppedAt+50); sent++ {
		if _, err := s.chat.Send(context.Background(), alice.user, s.general, chat.Input{Body: fmt.Sprintf("%d %s", sent, body)}); err != nil {
			t.Fatal(err)
		}
		if droppedAt == 0 && sent%50 == 0 && s.chat.Hub().Clients(s.general.ID) == 1 {
			droppedAt = sent
		}
	}
	if droppedAt == 0 {
		t.Fatalf("the slow client was not dropped after %d messages", sent)
	}
	for i := range sent {
		select {
		case f, ok := <-frames:
			if !ok {
				t.Fatalf("the fast reader's connection ended after %d of %d messages", i, sent)
			}
			if !strings.HasPrefix(f.HTML, fmt.Sprintf("<p>%d ", i)) {
				t.Fatalf("message %d out of order: %.20q", i, f.HTML)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("the fast reader stalled after %d of %d messages", i, sent)
		}
	}
	t.Logf("slow client dropped after %d messages of %d bytes; the fast reader got all %d in %v", droppedAt, len(body), sent, time.Since(start))
}
