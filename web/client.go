package web

import (
	"net"
	"net/http"
	"strings"
)

// ClientKey identifies the client's network address for in-memory rate limits only; it is
// never logged or stored (P3). Behind a reverse proxy (TrustProxy), the address the proxy
// saw is the last entry of X-Forwarded-For.
func (x *Responder) ClientKey(r *http.Request) string {
	if x.TrustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			return strings.TrimSpace(parts[len(parts)-1])
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
