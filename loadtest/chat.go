package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// frame is any server → client chat frame (DESIGN.md, "Chat WebSocket").
type frame struct {
	Type     string   `json:"type"`
	ID       int64    `json:"id"`
	HTML     string   `json:"html"`
	Nonce    string   `json:"nonce"`
	Code     string   `json:"code"`
	Message  string   `json:"message"`
	Findings []string `json:"findings"`
}

// sendFrame is a client → server "send".
type sendFrame struct {
	Type    string `json:"type"`
	Body    string `json:"body"`
	Nonce   string `json:"nonce"`
	Confirm bool   `json:"confirm,omitempty"`
}

// ackedMessage is a chat message the server acknowledged (the sender's own copy with its
// nonce): it must be in the database afterwards.
type ackedMessage struct {
	ID    int64
	Nonce string
}

// Read buffer sizes of the tool's WebSocket clients: small keeps 10,000 idle clients
// cheap; large lets a busy client take several frames per read system call, so that the
// tool spends less of the shared CPU than the server it measures.
const (
	smallReadBuffer = 1 << 10
	largeReadBuffer = 16 << 10
)

// dialChat opens /chat/{room}/ws as a browser page of the site would: with the site's
// Origin and, for a member, their session cookie.
func dialChat(ctx context.Context, s *site, room string, m *member, readBuffer int) (*websocket.Conn, error) {
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second, ReadBufferSize: readBuffer, WriteBufferSize: 1024}
	h := http.Header{"Origin": {s.base}}
	if m != nil {
		h.Set("Cookie", sessionCookie+"="+m.Cookie)
	}
	url := "ws" + strings.TrimPrefix(s.base, "http") + "/chat/" + room + "/ws"
	conn, resp, err := d.DialContext(ctx, url, h)
	if err != nil {
		if resp != nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
			resp.Body.Close()
			return nil, fmt.Errorf("loadtest: open %s: status %d: %s", url, resp.StatusCode, bytes.TrimSpace(body))
		}
		return nil, fmt.Errorf("loadtest: open %s: %w", url, err)
	}
	return conn, nil
}

// dialMany opens n connections with at most 64 handshakes in flight and gives up at the
// first failure.
func dialMany(ctx context.Context, s *site, room string, n, readBuffer int) ([]*websocket.Conn, error) {
	conns := make([]*websocket.Conn, n)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	sem := make(chan struct{}, 64)
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			c, err := dialChat(ctx, s.node(i), room, nil, readBuffer)
			if err != nil {
				cancel(fmt.Errorf("connection %d of %d: %w", i+1, n, err))
				return
			}
			conns[i] = c
		}()
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		closeAll(conns)
		return nil, err
	}
	return conns, nil
}

func closeAll(conns []*websocket.Conn) {
	for _, c := range conns {
		if c != nil {
			c.Close()
		}
	}
}

// idleResult is what scenario 5 measured.
type idleResult struct {
	Clients   int
	Open      int   // still open after the pause
	Before    int64 // server RSS with no client
	After     int64 // server RSS with every client connected
	PerConn   float64
	FileLimit uint64
}

// runIdle opens n anonymous WebSockets that say nothing, and measures the server's
// resident memory before and after (RSS delta / n).
func runIdle(ctx context.Context, s *site, srv *server, n int, settle time.Duration) (idleResult, error) {
	res := idleResult{Clients: n}
	// A few connections first, so that code paths and pools the first ones warm up are
	// not counted against idle connections.
	warm, err := dialMany(ctx, s, "general", min(50, n), smallReadBuffer)
	if err != nil {
		return res, err
	}
	closeAll(warm)
	time.Sleep(settle)
	if res.Before, err = srv.rss(); err != nil {
		return res, err
	}
	conns, err := dialMany(ctx, s, "general", n, smallReadBuffer)
	if err != nil {
		return res, err
	}
	defer closeAll(conns)
	var open atomic.Int64
	open.Store(int64(n))
	for _, c := range conns {
		// Reading answers the server's pings; an idle client sends nothing else.
		go func() {
			defer open.Add(-1)
			for {
				if _, _, err := c.NextReader(); err != nil {
					return
				}
			}
		}()
	}
	time.Sleep(settle)
	if res.After, err = srv.rss(); err != nil {
		return res, err
	}
	s.prof.heap(ctx, "5-idle")
	res.Open = int(open.Load())
	res.PerConn = float64(res.After-res.Before) / float64(n)
	if res.Open < n {
		return res, fmt.Errorf("loadtest: %d of %d idle connections were closed by the server", n-res.Open, n)
	}
	return res, nil
}

// chatConn is a member's chat connection that sends messages and waits for their
// acknowledgements; one goroutine reads, any may send.
type chatConn struct {
	conn    *websocket.Conn
	prefix  string // every nonce this connection sends starts with it
	wmu     sync.Mutex
	mu      sync.Mutex
	pending map[string]pendingSend
	confirm atomic.Int64 // confirm_required answered
	done    chan struct{}
	err     error // why reading stopped
}

func newChatConn(conn *websocket.Conn, prefix string) *chatConn {
	c := &chatConn{conn: conn, prefix: prefix, pending: map[string]pendingSend{}, done: make(chan struct{})}
	go c.read()
	return c
}

// pendingSend is a message waiting for its acknowledgement.
type pendingSend struct {
	body      string
	ch        chan frame
	confirmed bool
}

// read is the connection's one reader. Frames without this connection's nonce prefix
// are other people's messages and are skipped without decoding.
func (c *chatConn) read() {
	defer close(c.done)
	marker := []byte(`"nonce":"` + c.prefix)
	var buf bytes.Buffer
	for {
		_, r, err := c.conn.NextReader()
		if err == nil {
			buf.Reset()
			_, err = buf.ReadFrom(r)
		}
		if err != nil {
			c.err = err
			c.failAll(err)
			return
		}
		data := buf.Bytes()
		if !bytes.Contains(data, marker) {
			continue
		}
		var f frame
		if err := json.Unmarshal(data, &f); err != nil {
			continue
		}
		if f.Type == "confirm_required" {
			// One mechanism for both warnings: the client confirms and sends again.
			c.confirm.Add(1)
			c.mu.Lock()
			p, ok := c.pending[f.Nonce]
			again := p.confirmed
			p.confirmed = true
			if ok {
				c.pending[f.Nonce] = p
			}
			c.mu.Unlock()
			if !ok {
				continue
			}
			if again {
				// Asked again after confirming: answering once more could go on forever.
				c.deliver(f.Nonce, frame{Type: "error", Code: "confirm_loop", Message: "confirmation asked for again after confirm:true"})
				continue
			}
			if err := c.write(sendFrame{Type: "send", Body: p.body, Nonce: f.Nonce, Confirm: true}); err != nil {
				c.deliver(f.Nonce, frame{Type: "error", Code: "write", Message: err.Error()})
			}
			continue
		}
		c.deliver(f.Nonce, f)
	}
}

func (c *chatConn) deliver(nonce string, f frame) {
	c.mu.Lock()
	p, ok := c.pending[nonce]
	delete(c.pending, nonce)
	c.mu.Unlock()
	if ok {
		p.ch <- f
	}
}

func (c *chatConn) failAll(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for n, p := range c.pending {
		p.ch <- frame{Type: "error", Code: "closed", Message: err.Error()}
		delete(c.pending, n)
	}
}

func (c *chatConn) write(f sendFrame) error {
	b, _ := json.Marshal(f)
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	return c.conn.WriteMessage(websocket.TextMessage, b)
}

// send publishes body with a fresh nonce and returns the channel its answer arrives on.
func (c *chatConn) send(seq int, body string) (string, chan frame, error) {
	nonce := c.prefix + strconv.Itoa(seq)
	ch := make(chan frame, 1)
	c.mu.Lock()
	c.pending[nonce] = pendingSend{body: body, ch: ch}
	c.mu.Unlock()
	select {
	case <-c.done:
		return "", nil, fmt.Errorf("loadtest: connection closed: %v", c.err)
	default:
	}
	if err := c.write(sendFrame{Type: "send", Body: body, Nonce: nonce}); err != nil {
		c.deliver(nonce, frame{})
		return "", nil, err
	}
	return nonce, ch, nil
}

// await waits for the acknowledgement of nonce on ch.
func await(ctx context.Context, nonce string, ch chan frame) (ackedMessage, error) {
	select {
	case f := <-ch:
		if f.Type == "message" && f.ID > 0 {
			return ackedMessage{ID: f.ID, Nonce: nonce}, nil
		}
		return ackedMessage{}, fmt.Errorf("loadtest: send %q: %s %s: %s", nonce, f.Type, f.Code, f.Message)
	case <-time.After(15 * time.Second):
		return ackedMessage{}, fmt.Errorf("loadtest: send %q: no acknowledgement within 15 s", nonce)
	case <-ctx.Done():
		return ackedMessage{}, ctx.Err()
	}
}

// sendAndWait publishes body and waits for its acknowledgement.
func (c *chatConn) sendAndWait(ctx context.Context, seq int, body string) (ackedMessage, error) {
	nonce, ch, err := c.send(seq, body)
	if err != nil {
		return ackedMessage{}, err
	}
	return await(ctx, nonce, ch)
}
