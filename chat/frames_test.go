package chat

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// readFrame reads one server frame as a client would: final, unmasked, with its length
// in the shortest form.
func readFrame(r *bufio.Reader) (op byte, payload []byte, err error) {
	var h [2]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return 0, nil, err
	}
	if h[0]&0xf0 != finBit || h[1]&0x80 != 0 {
		return 0, nil, fmt.Errorf("header % x: want a final, unmasked frame", h)
	}
	n := uint64(h[1])
	switch n {
	case 126:
		var b [2]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return 0, nil, err
		}
		if n = uint64(binary.BigEndian.Uint16(b[:])); n < 126 {
			return 0, nil, fmt.Errorf("length %d in a 16-bit field", n)
		}
	case 127:
		var b [8]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return 0, nil, err
		}
		if n = binary.BigEndian.Uint64(b[:]); n <= 0xffff {
			return 0, nil, fmt.Errorf("length %d in a 64-bit field", n)
		}
	}
	payload = make([]byte, n)
	_, err = io.ReadFull(r, payload)
	return h[0] & 0x0f, payload, err
}

// connPair returns the two ends of a loopback TCP connection (written with writev) or of
// a pipe (any other connection, written in one piece).
func connPair(t *testing.T, tcp bool) (server, client net.Conn) {
	t.Helper()
	if !tcp {
		server, client = net.Pipe()
		t.Cleanup(func() { server.Close(); client.Close() })
		return server, client
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := l.Accept()
		accepted <- c
	}()
	client, err = net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server = <-accepted
	if server == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { server.Close(); client.Close() })
	return server, client
}

// Frames of every length come out as a WebSocket client reads them.
func TestFramesOfEveryLength(t *testing.T) {
	for _, tcp := range []bool{true, false} {
		t.Run(fmt.Sprint("tcp=", tcp), func(t *testing.T) {
			server, client := connPair(t, tcp)
			w := &wireConn{Conn: server, wait: 5 * time.Second}
			sizes := []int{0, 1, 125, 126, 127, 0xffff, 0x10000, 200_000}
			var frames [][]byte
			for i, n := range sizes {
				frames = append(frames, textFrame(bytes.Repeat([]byte{byte('a' + i)}, n)))
			}
			errc := make(chan error, 1)
			go func() { errc <- w.writeFrames(frames, 5*time.Second) }()
			r := bufio.NewReader(client)
			for i, n := range sizes {
				op, payload, err := readFrame(r)
				if err != nil {
					t.Fatalf("frame %d (%d bytes): %v", i, n, err)
				}
				if op != opText || !bytes.Equal(payload, bytes.Repeat([]byte{byte('a' + i)}, n)) {
					t.Fatalf("frame %d: opcode %d, %d bytes, want a text frame of %d", i, op, len(payload), n)
				}
			}
			if err := <-errc; err != nil {
				t.Fatal(err)
			}
		})
	}
}

// Batches written by the client's writer and control frames written by gorilla at the
// same time never interleave: every frame arrives whole, every batch in one piece.
func TestWritersTakeTurns(t *testing.T) {
	for _, tcp := range []bool{true, false} {
		t.Run(fmt.Sprint("tcp=", tcp), func(t *testing.T) {
			server, client := connPair(t, tcp)
			w := &wireConn{Conn: server, wait: 5 * time.Second}
			const writers, rounds, perBatch = 4, 50, 3
			var wg sync.WaitGroup
			for g := range writers {
				wg.Add(2)
				go func() {
					defer wg.Done()
					for i := range rounds {
						var batch [][]byte
						for k := range perBatch {
							batch = append(batch, textFrame(fmt.Appendf(nil, "%d/%d/%d/%s", g, i, k, bytes.Repeat([]byte("x"), 3000))))
						}
						if err := w.writeFrames(batch, 5*time.Second); err != nil {
							t.Error(err)
							return
						}
					}
				}()
				go func() {
					defer wg.Done()
					for i := range rounds {
						// gorilla hands over each control frame whole, in one Write.
						if _, err := w.Write(frame(0xA, fmt.Appendf(nil, "pong %d/%d", g, i))); err != nil {
							t.Error(err)
							return
						}
					}
				}()
			}
			r := bufio.NewReader(client)
			next := make(map[int]int)        // writer → next expected round of its batches
			for range 2 * writers * rounds { // one pong or one batch each
				op, payload, err := readFrame(r)
				if err != nil {
					t.Fatal(err)
				}
				if op == 0xA {
					continue
				}
				var g, i, k int
				if _, err := fmt.Sscanf(string(payload), "%d/%d/%d/", &g, &i, &k); err != nil || k != 0 || i != next[g] {
					t.Fatalf("frame %.20q: want the first frame of writer %d's batch %d", payload, g, next[g])
				}
				for k := 1; k < perBatch; k++ {
					_, rest, err := readFrame(r)
					if err != nil {
						t.Fatal(err)
					}
					if want := fmt.Sprintf("%d/%d/%d/", g, i, k); !bytes.HasPrefix(rest, []byte(want)) {
						t.Fatalf("frame %.20q inside a batch, want %s", rest, want)
					}
				}
				next[g]++
			}
			wg.Wait()
		})
	}
}

// gorilla sets a write deadline before each control frame it sends; that must not cut
// short the client's writer, whose own deadline governs its write.
func TestGorillaDeadlinesDoNotCutWritesShort(t *testing.T) {
	server, client := connPair(t, true)
	w := &wireConn{Conn: server, wait: 5 * time.Second}
	big := textFrame(bytes.Repeat([]byte("y"), 64<<20)) // more than the socket buffers hold
	errc := make(chan error, 1)
	go func() { errc <- w.writeFrames([][]byte{big}, 5*time.Second) }()
	// The write is under way and blocked: the client reads nothing yet. gorilla now sets
	// an already passed deadline, as it would for a pong that is due.
	client.SetReadDeadline(time.Now().Add(10 * time.Second)) // a cut write would leave the reader waiting
	r := bufio.NewReader(client)
	if _, err := r.Peek(1); err != nil {
		t.Fatal(err)
	}
	if err := w.SetWriteDeadline(time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	_, payload, err := readFrame(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(payload) != 64<<20 {
		t.Fatalf("read %d bytes, want %d", len(payload), 64<<20)
	}
	if err := <-errc; err != nil {
		t.Fatalf("the write was cut short: %v", err)
	}
}
