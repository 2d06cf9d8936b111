package chat

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// wsUpgrader upgrades chat WebSockets after checking where the page that opens them
// came from.
type wsUpgrader struct {
	websocket.Upgrader
	origins map[string]bool
}

func newUpgrader(l Limits, allowed []string) *wsUpgrader {
	u := &wsUpgrader{origins: map[string]bool{}}
	for _, o := range allowed {
		if n := normalizeOrigin(o); n != "" {
			u.origins[n] = true
		}
	}
	u.Upgrader = websocket.Upgrader{
		HandshakeTimeout: 10 * time.Second,
		// A small read buffer keeps an idle connection cheap. gorilla writes no data
		// frames here (the client's writes frame them, frames.go), and a write buffer pool
		// it never draws from keeps it from giving each connection a buffer of its own.
		ReadBufferSize:  l.ReadBufferSize,
		WriteBufferPool: &sync.Pool{},
		CheckOrigin:     u.checkOrigin,
		Error: func(w http.ResponseWriter, r *http.Request, status int, reason error) {
			text := "This address is for chat WebSocket connections. Open the room's page in a browser instead."
			if status == http.StatusForbidden {
				text = "Chat connections are accepted only from pages of this site."
			}
			http.Error(w, text, status)
		},
	}
	return u
}

// checkOrigin accepts the request's own host and the configured origins. Cookies ride
// along with a WebSocket handshake from any site, and CSRF protection does not cover a
// GET, so this check is what stops another site from chatting as the visitor. A request
// without Origin does not come from a browser page and carries no one else's cookies.
//
// An origin is compared whole, scheme, host and port: http://site is not https://site.
func (u *wsUpgrader) checkOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	o := normalizeOrigin(origin)
	if o == "" {
		return false
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return o == normalizeOrigin(scheme+"://"+r.Host) || u.origins[o]
}

// normalizeOrigin returns scheme://host:port of an origin or URL, lower-case, with the
// scheme's default port written out, or "" when it is not one.
func normalizeOrigin(s string) string {
	o, err := url.Parse(strings.TrimSpace(s))
	if err != nil || o.Host == "" || o.Scheme != "http" && o.Scheme != "https" && o.Scheme != "ws" && o.Scheme != "wss" {
		return ""
	}
	scheme := strings.ToLower(o.Scheme)
	port := o.Port()
	if port == "" {
		port = map[string]string{"http": "80", "ws": "80", "https": "443", "wss": "443"}[scheme]
	}
	return scheme + "://" + strings.ToLower(o.Hostname()) + ":" + port
}

// socket upgrades /chat/{room}/ws?after=ID. Anyone may watch; sending is checked per
// message.
func (h *Handlers) socket(w http.ResponseWriter, r *http.Request) {
	room, err := h.loadRoom(r)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	var after int64
	v, resume := r.URL.Query().Get("after"), r.URL.Query().Has("after")
	if resume {
		if after, err = strconv.ParseInt(v, 10, 64); err != nil || after < 0 {
			http.Error(w, "after must be the id of the last message the client has, such as after=42.", http.StatusBadRequest)
			return
		}
	}
	addr := h.web.ClientKey(r)
	if !h.svc.hub.acquire(addr) {
		w.Header().Set("Retry-After", "30")
		http.Error(w, "Too many chat connections from your network. Close some chat tabs, then reload.", http.StatusTooManyRequests)
		return
	}
	rm, err := h.svc.hub.room(room.ID, room.Slug)
	if err != nil {
		h.svc.hub.release(addr)
		http.Error(w, "The server is restarting. Reconnect in a moment.", http.StatusServiceUnavailable)
		return
	}
	hj := &hijacker{ResponseWriter: w, wait: h.svc.limits.WriteWait}
	conn, err := h.ws.Upgrade(hj, r, nil)
	if err != nil {
		h.svc.hub.release(addr) // the upgrader has answered the client
		return
	}
	h.svc.connect(r, conn, hj.wire, rm, room, addr, after, resume)
}
