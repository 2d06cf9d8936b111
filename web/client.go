package web

import (
	"net"
	"net/http"
	"strings"
)

// ClientKey identifies the client's network address for in-memory rate limits only; it is
// never logged or stored (P3). Behind a reverse proxy (TrustProxy), the address the proxy
// saw is the last entry of X-Forwarded-For.
//
// Without TrustProxy a forwarded request counts as its proxy's: behind a proxy every
// client then shares one address's limits (and its 32 WebSockets). The first forwarded
// request says so in the log, once.
func (x *Responder) ClientKey(r *http.Request) string {
	xff := r.Header.Get("X-Forwarded-For")
	if x.TrustProxy && xff != "" {
		parts := strings.Split(xff, ",")
		return strings.TrimSpace(parts[len(parts)-1])
	}
	if xff != "" && !x.TrustProxy && x.Log != nil {
		x.proxyWarning.Do(func() {
			x.Log.Warn("requests arrive through a proxy (X-Forwarded-For) but --trust-proxy is off: " +
				"rate limits and the WebSocket cap count the proxy as one client. Behind your own proxy, start with --trust-proxy.")
		})
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
