package chat

import (
	"net"
	"sync"
	"sync/atomic"
)

// maxHeldBytes bounds what a batchConn holds before it writes anyway.
const maxHeldBytes = 64 << 10

var heldBufs = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

// batchConn is the network connection under a chat WebSocket. gorilla/websocket writes
// every frame with its own write(2), and at fan-out those system calls were two thirds of
// the server's CPU. While the client's writer has more frames queued (hold), batchConn
// keeps the data frames gorilla hands it and writes them with the next frame that is not
// held, in one system call. gorilla still frames, locks and times out every write as
// usual: every Write reaches batchConn under gorilla's write lock, and the frame that
// ends a batch is written within gorilla's call for it, with its deadline.
//
// A control frame (ping, close) is never held: it takes the held frames out with it, in
// order, whichever goroutine sends it, so a close frame is never left behind.
type batchConn struct {
	net.Conn
	hold atomic.Bool
	buf  *[]byte // held frames; touched only inside gorilla's write lock
}

func (b *batchConn) Write(p []byte) (int, error) {
	if b.hold.Load() && len(p) > 0 && p[0]&0x0f < 8 && (b.buf == nil || len(*b.buf)+len(p) <= maxHeldBytes) {
		if b.buf == nil {
			b.buf = heldBufs.Get().(*[]byte)
		}
		*b.buf = append(*b.buf, p...)
		return len(p), nil
	}
	if b.buf == nil {
		return b.Conn.Write(p)
	}
	held := b.buf
	b.buf = nil
	bufs := net.Buffers{*held, p}
	_, err := bufs.WriteTo(b.Conn) // writev(2) on a TCP connection
	if cap(*held) <= maxHeldBytes+(16<<10) {
		*held = (*held)[:0]
		heldBufs.Put(held)
	}
	if err != nil {
		return 0, err
	}
	return len(p), nil
}
