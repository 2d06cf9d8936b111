package chat

import (
	"encoding/binary"
	"net"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// The server writes its WebSocket frames itself (RFC 6455, section 5.2: a server's frames
// are unmasked, so a frame is a header of two to ten bytes and the payload). That lets a
// broadcast be framed once for every client, and everything queued for one client go out
// in one system call: at fan-out, a write(2) per frame was two thirds of the server's CPU.
// gorilla/websocket still does the handshake and all the reading.

const (
	opText  = 0x1
	opClose = 0x8
	opPing  = 0x9
	finBit  = 0x80
	// maxHeader is the longest frame header: two bytes and a 64-bit length.
	maxHeader = 10
)

// appendHeader appends the header of a final, unmasked frame of opcode op carrying n
// bytes.
func appendHeader(b []byte, op byte, n int) []byte {
	b = append(b, finBit|op)
	switch {
	case n < 126:
		return append(b, byte(n))
	case n <= 0xffff:
		return binary.BigEndian.AppendUint16(append(b, 126), uint16(n))
	default:
		return binary.BigEndian.AppendUint64(append(b, 127), uint64(n))
	}
}

// frame returns payload as one whole frame of opcode op.
func frame(op byte, payload []byte) []byte {
	b := appendHeader(make([]byte, 0, maxHeader+len(payload)), op, len(payload))
	return append(b, payload...)
}

// textFrame returns one JSON message of the chat protocol as a text frame.
func textFrame(payload []byte) []byte { return frame(opText, payload) }

func pingFrame() []byte { return frame(opPing, nil) }

func closeFrame(code int, reason string) []byte {
	return frame(opClose, websocket.FormatCloseMessage(code, reason))
}

// wireConn is a chat WebSocket's network connection. gorilla reads from it; every write
// goes through it, one at a time and each with its own deadline: the frames a client's
// writer sends together, and the few control frames gorilla writes itself (a pong, the
// reply to a close, a close after a protocol error), which it hands over whole, one
// frame per Write.
type wireConn struct {
	net.Conn
	wait time.Duration // the longest one write may take
	mu   sync.Mutex
}

// Write writes what gorilla sends: the handshake's response and its control frames.
func (w *wireConn) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.Conn.SetWriteDeadline(time.Now().Add(w.wait)); err != nil {
		return 0, err
	}
	return w.Conn.Write(p)
}

// SetWriteDeadline ignores gorilla's deadlines: each write sets its own while it holds the
// connection, so that gorilla setting one for a pong never cuts short a write under way.
func (w *wireConn) SetWriteDeadline(time.Time) error { return nil }

// writeFrames writes whole frames, in order, in one system call where the connection
// allows it, and fails if that takes longer than wait. It consumes frames (the slice, not
// the frames' bytes, which may be shared with other clients).
func (w *wireConn) writeFrames(frames [][]byte, wait time.Duration) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.Conn.SetWriteDeadline(time.Now().Add(wait)); err != nil {
		return err
	}
	switch w.Conn.(type) {
	case *net.TCPConn, *net.UnixConn:
		bufs := net.Buffers(frames)
		_, err := bufs.WriteTo(w.Conn) // writev(2)
		return err
	}
	// Any other connection (TLS) would take each frame as a write of its own.
	n := 0
	for _, f := range frames {
		n += len(f)
	}
	joined := make([]byte, 0, n)
	for _, f := range frames {
		joined = append(joined, f...)
	}
	_, err := w.Conn.Write(joined)
	return err
}
