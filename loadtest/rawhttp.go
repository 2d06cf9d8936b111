package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// rawGetter repeats one GET over its own keep-alive connection with as little client
// work as possible: the request bytes are built once and the response is read by its
// Content-Length and discarded. The load tool shares the machine's two cores with the
// server, so a lean client leaves more of them to what is being measured; the ceiling
// uses the same client, so the ratio stays fair.
type rawGetter struct {
	host string // 127.0.0.1:PORT
	req  []byte
	conn net.Conn
	br   *bufio.Reader
}

func newRawGetter(base, path string) *rawGetter {
	host := strings.TrimPrefix(base, "http://")
	req := "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: stoa-loadtest\r\nAccept: text/html\r\n\r\n"
	return &rawGetter{host: host, req: []byte(req)}
}

// rawGetters returns one getter per worker.
func rawGetters(n int, base, path string) []*rawGetter {
	g := make([]*rawGetter, n)
	for i := range g {
		g[i] = newRawGetter(base, path)
	}
	return g
}

// get sends the request and reads the whole response; it fails unless the status is 200.
func (g *rawGetter) get(ctx context.Context) error {
	if g.conn == nil {
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", g.host)
		if err != nil {
			return err
		}
		g.conn, g.br = c, bufio.NewReaderSize(c, 16<<10)
	}
	deadline := time.Now().Add(30 * time.Second)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	g.conn.SetDeadline(deadline)
	err := g.roundTrip()
	if err != nil {
		g.close()
	}
	return err
}

func (g *rawGetter) roundTrip() error {
	if _, err := g.conn.Write(g.req); err != nil {
		return err
	}
	line, err := g.br.ReadSlice('\n')
	if err != nil {
		return err
	}
	// "HTTP/1.1 200 OK\r\n"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return fmt.Errorf("loadtest: bad status line %q", line)
	}
	status := string(line[9:12])
	length, closeAfter, chunked := -1, false, false
	for {
		h, err := g.br.ReadSlice('\n')
		if err != nil {
			return err
		}
		h = bytes.TrimRight(h, "\r\n")
		if len(h) == 0 {
			break
		}
		name, value, ok := bytes.Cut(h, []byte(":"))
		if !ok {
			continue
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil {
				return fmt.Errorf("loadtest: bad Content-Length %q", value)
			}
		case bytes.EqualFold(name, []byte("Connection")) && bytes.EqualFold(value, []byte("close")):
			closeAfter = true
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(value, []byte("chunked"))
		}
	}
	switch {
	case chunked:
		if err := g.discardChunks(); err != nil {
			return err
		}
	case length >= 0:
		if _, err := g.br.Discard(length); err != nil {
			return err
		}
	default:
		return fmt.Errorf("loadtest: response without Content-Length or chunks (status %s)", status)
	}
	if closeAfter {
		g.close()
	}
	if status != "200" {
		return fmt.Errorf("loadtest: status %s", status)
	}
	return nil
}

// discardChunks reads a chunked body to its end (RFC 9112, section 7.1).
func (g *rawGetter) discardChunks() error {
	for range 1 << 20 {
		line, err := g.br.ReadSlice('\n')
		if err != nil {
			return err
		}
		size, _, _ := bytes.Cut(bytes.TrimRight(line, "\r\n"), []byte(";"))
		n, err := strconv.ParseInt(string(size), 16, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("loadtest: bad chunk size %q", line)
		}
		if n == 0 {
			// Trailers, then the empty line.
			for {
				t, err := g.br.ReadSlice('\n')
				if err != nil {
					return err
				}
				if len(bytes.TrimRight(t, "\r\n")) == 0 {
					return nil
				}
			}
		}
		if _, err := g.br.Discard(int(n) + 2); err != nil {
			return err
		}
	}
	return fmt.Errorf("loadtest: more than a million chunks")
}

func (g *rawGetter) close() {
	if g.conn != nil {
		g.conn.Close()
		g.conn, g.br = nil, nil
	}
}

func closeGetters(gs []*rawGetter) {
	for _, g := range gs {
		g.close()
	}
}
