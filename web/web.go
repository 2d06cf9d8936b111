// Package web holds the HTTP helpers every handler package shares: rendering a page with
// the site's chrome, error pages, and careful form parsing. It imports only views.
package web

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/a-h/templ"

	"stoa/views"
)

// MaxFormBytes bounds every form body: a 64 KiB post plus its other fields fits easily.
const MaxFormBytes = 256 << 10

// Chrome builds the frame of a page for a request: who is looking and which banners to
// show. The server supplies it, since it knows every package that adds banners.
type Chrome func(r *http.Request, title, section string) views.Page

// Responder renders pages and errors with the site's chrome.
type Responder struct {
	Chrome Chrome
	Log    *slog.Logger
	// TrustProxy says a reverse proxy sets X-Forwarded-For (see ClientKey).
	TrustProxy bool

	proxyWarning sync.Once
}

// Page returns the chrome for a page titled title in a navigation section.
func (x *Responder) Page(r *http.Request, title, section string) views.Page {
	if x.Chrome == nil {
		return views.Page{Title: title, Section: section}
	}
	return x.Chrome(r, title, section)
}

// Render writes c with status. It renders into a buffer first so that a failure midway
// becomes a clean 500 rather than half a page.
func (x *Responder) Render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	var buf bytes.Buffer
	if err := c.Render(r.Context(), &buf); err != nil {
		x.ServerError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// Error renders an error page whose text tells the person what to do next.
func (x *Responder) Error(w http.ResponseWriter, r *http.Request, status int, heading, text string) {
	c := views.ErrorPage(x.Page(r, heading, ""), status, heading, text)
	var buf bytes.Buffer
	if err := c.Render(r.Context(), &buf); err != nil {
		http.Error(w, text, status)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// NotFound renders the 404 page.
func (x *Responder) NotFound(w http.ResponseWriter, r *http.Request) {
	x.Error(w, r, http.StatusNotFound, "Page not found", "There is nothing at this address. It may have been deleted, or the link may be mistyped.")
}

// Forbidden renders the 403 page.
func (x *Responder) Forbidden(w http.ResponseWriter, r *http.Request, text string) {
	if text == "" {
		text = "Your account is not allowed to do this. If you think it should be, contact the moderators."
	}
	x.Error(w, r, http.StatusForbidden, "Not allowed", text)
}

// ServerError logs err and renders a 500 page that reveals nothing internal.
func (x *Responder) ServerError(w http.ResponseWriter, r *http.Request, err error) {
	if x.Log != nil {
		x.Log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	x.Error(w, r, http.StatusInternalServerError, "Something went wrong", "The server could not finish this request. Your data is safe; please try again in a moment.")
}

// BadInput renders a 400 page for a request the server cannot use.
func (x *Responder) BadInput(w http.ResponseWriter, r *http.Request, err error) {
	text := "The form could not be read. Go back, check what you entered and try again."
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		x.Error(w, r, http.StatusRequestEntityTooLarge, "Too large", "What you sent is larger than this site accepts. Shorten it and try again.")
		return
	case errors.Is(err, ErrInvalidUTF8):
		text = "The form contained characters that are not valid text (invalid UTF-8). Remove them and try again."
	}
	x.Error(w, r, http.StatusBadRequest, "Could not read the request", text)
}

// RequireLogin sends an anonymous visitor to the login page, returning to this page after.
func RequireLogin(w http.ResponseWriter, r *http.Request) {
	next := r.URL.Path
	if r.Method != http.MethodGet {
		// Back to the page the form was on, when it was on this site.
		next = "/"
		if ref, err := url.Parse(r.Referer()); err == nil && ref.Host == r.Host {
			next = ref.RequestURI()
		}
	}
	http.Redirect(w, r, "/login?next="+url.QueryEscape(SafeNext(next)), http.StatusSeeOther)
}

// ErrInvalidUTF8 is returned by ParseForm when a value is not valid UTF-8.
var ErrInvalidUTF8 = errors.New("web: form value is not valid UTF-8")

// ParseForm reads a form body of at most MaxFormBytes and checks that every value is
// valid UTF-8.
func ParseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, MaxFormBytes)
	if err := r.ParseForm(); err != nil {
		return err
	}
	for k, vs := range r.Form {
		if !utf8.ValidString(k) {
			return ErrInvalidUTF8
		}
		for _, v := range vs {
			if !utf8.ValidString(v) {
				return ErrInvalidUTF8
			}
		}
	}
	return nil
}

// PageNumber reads ?page=N, defaulting to 1.
func PageNumber(r *http.Request) int {
	n, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// maxNextBytes bounds a return address: one longer than this is not a link Stoa made.
const maxNextBytes = 2048

// SafeNext returns next when it is a path on this site, else "/": it stops a login link,
// or any other form that sends people on, from sending them to another site. It reads
// next as a browser would: browsers remove TAB, CR and LF anywhere in a URL before they
// parse it (so "/\t/evil.example" is "//evil.example" to them) and take a backslash for a
// slash, so those are removed first and backslashes and other control characters refused.
// What is left must be a path (it starts with one "/") with no scheme and no host.
func SafeNext(next string) string {
	if len(next) > maxNextBytes {
		return "/"
	}
	next = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, next)
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsRune(next, '\\') ||
		strings.ContainsFunc(next, unicode.IsControl) || !utf8.ValidString(next) {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") {
		return "/"
	}
	return next
}
