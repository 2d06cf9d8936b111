package server

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"strings"
	"time"

	"github.com/a-h/templ"

	"stoa/account"
	"stoa/ratelimit"
	"stoa/web"
)

// recoverPanics turns a panicking handler into a 500 page; the server keeps running.
func recoverPanics(log *slog.Logger, x *web.Responder, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				log.Error("handler panicked", "path", r.URL.Path, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				x.ServerError(w, r, fmt.Errorf("panic: %v", p))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// logRequests logs method, path, status and duration: never the client's address or
// User-Agent (P3).
func logRequests(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &web.StatusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		log.Info("request", "method", r.Method, "path", r.URL.Path, "status", rec.Status, "ms", time.Since(start).Milliseconds())
	})
}

// securityHeaders sets a strict Content-Security-Policy with a fresh nonce for the
// page's own scripts, and the other headers that keep pages from being framed or sniffed.
func securityHeaders(secure bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 16)
		rand.Read(b)
		nonce := base64.StdEncoding.EncodeToString(b)
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self' 'nonce-"+nonce+"'; style-src 'self'; img-src 'self'; "+
			"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if secure {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r.WithContext(templ.WithNonce(r.Context(), nonce)))
	})
}

// limitForms rate-limits state-changing requests per client address: tight for login
// and registration, password resets and the setup link (password guessing, sign-up spam,
// argon2's memory), looser for everything else.
func limitForms(x *web.Responder, next http.Handler) http.Handler {
	auth := ratelimit.New(6*time.Second, 10)
	other := ratelimit.New(time.Second, 60)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			lim := other
			// Each of these checks or hashes a password (argon2id): the tight limit.
			if r.URL.Path == "/login" || r.URL.Path == "/register" || strings.HasPrefix(r.URL.Path, "/setup/") ||
				strings.HasPrefix(r.URL.Path, "/reset/") {
				lim = auth
			}
			if !lim.Allow(x.ClientKey(r)) {
				w.Header().Set("Retry-After", "60")
				x.Error(w, r, http.StatusTooManyRequests, "Slow down",
					"Too many attempts from your connection in a short time. Wait a minute, then try again.")
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// maxBodyBytes bounds any request body; forms are bounded tighter by web.ParseForm.
const maxBodyBytes = 1 << 20

// limitBodies caps every request body, so no handler can be made to read without end.
// A profile picture may be a phone photo, larger than any form: its upload has its own
// cap, which its handler enforces again.
func limitBodies(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			limit := int64(maxBodyBytes)
			if r.URL.Path == "/me/avatar" {
				limit = account.MaxAvatarUpload + 64<<10
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		next.ServeHTTP(w, r)
	})
}

// suspendedWrites are the only writes a suspended member's session may make: answering
// the moderators' notices, and logging out (issue 15, bug 5).
var suspendedWrites = regexp.MustCompile(`^/(logout|notices/[0-9]+/reply)$`)

// limitSuspended lets a suspended member, signed in to read and answer their notices,
// read every page but write nothing else: each other state-changing request is refused
// with the suspension's own explanation. Chat refuses their messages itself, with the
// protocol's code "suspended".
func limitSuspended(x *web.Responder, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := account.UserFrom(r.Context())
		if u != nil && u.Restricted != "" && r.Method != http.MethodGet && r.Method != http.MethodHead &&
			!(r.Method == http.MethodPost && suspendedWrites.MatchString(r.URL.Path)) {
			x.Error(w, r, http.StatusForbidden, "Your account is suspended", u.Restricted)
			return
		}
		next.ServeHTTP(w, r)
	})
}
