package web

import (
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

func formRequest(body string) (*httptest.ResponseRecorder, *http.Request) {
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return httptest.NewRecorder(), r
}

func TestParseFormRejectsInvalidUTF8AndOversize(t *testing.T) {
	w, r := formRequest("body=ok%20text&title=hi")
	if err := ParseForm(w, r); err != nil || r.PostFormValue("body") != "ok text" {
		t.Fatalf("valid form: %v", err)
	}
	w, r = formRequest("body=bad%FFbyte")
	if err := ParseForm(w, r); !errors.Is(err, ErrInvalidUTF8) {
		t.Fatalf("invalid UTF-8 value: %v", err)
	}
	w, r = formRequest("b%FE=1")
	if err := ParseForm(w, r); !errors.Is(err, ErrInvalidUTF8) {
		t.Fatalf("invalid UTF-8 key: %v", err)
	}
	w, r = formRequest("body=" + strings.Repeat("a", MaxFormBytes+1))
	var tooBig *http.MaxBytesError
	if err := ParseForm(w, r); !errors.As(err, &tooBig) {
		t.Fatalf("oversized form: %v", err)
	}
}

func TestSafeNextStaysOnSite(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"/c/general", "/c/general"},
		{"/t/7/a-thread?page=2#p40", "/t/7/a-thread?page=2#p40"},
		{"/", "/"},
		{"", "/"},
		{"//evil.example", "/"},
		{"/\\evil.example", "/"},
		{"\\/evil.example", "/"},
		{"/\\/evil.example", "/"},
		{"https://evil.example", "/"},
		{"https:evil.example", "/"},
		{"HTTPS://evil.example", "/"},
		{"javascript:alert(1)", "/"},
		{" //evil.example", "/"},
		// Browsers remove TAB, CR and LF anywhere in a URL before they read it, so each of
		// these is //evil.example to them: a link to another site.
		{"/\t/evil.example", "/"},
		{"/\r\n/evil.example", "/"},
		{"\t//evil.example", "/"},
		{"/\n/evil.example", "/"},
		// Other control characters never belong in a path.
		{"/\x00/evil.example", "/"},
		{"/c/general\x7f", "/"},
		{"/c/\u0085general", "/"},
		{"evil.example", "/"},
		{"./evil", "/"},
		{"/%2F/evil.example", "/%2F/evil.example"}, // a path on this site: %2F stays encoded
		{"/" + strings.Repeat("a", 3000), "/"},
	} {
		if got := SafeNext(c.in); got != c.want {
			t.Errorf("SafeNext(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// The redirect the login check answers with, for the string of issue 14: the query
// decodes %09 to a TAB, which must not reach the Location header.
func TestSafeNextRedirectStaysOnSite(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/login/check?next=/%09/evil.example", nil)
	w := httptest.NewRecorder()
	http.Redirect(w, r, SafeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
	if loc := w.Header().Get("Location"); loc != "/" {
		t.Fatalf("Location: %q, want /", loc)
	}
}

// FuzzSafeNext: whatever it is given, SafeNext returns a path that a browser, once it
// has removed TAB, CR and LF as it does, resolves to this site.
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/c/general", "//evil", "/\\evil", "/\t/evil", "https:evil", "/%09/evil", "/?next=//evil", "/#//evil"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://stoa.example/t/1")
	f.Fuzz(func(t *testing.T, next string) {
		got := SafeNext(next)
		seen := strings.NewReplacer("\t", "", "\r", "", "\n", "").Replace(got)
		if strings.ContainsAny(got, "\\\x00") || seen != got {
			t.Fatalf("SafeNext(%q) = %q keeps characters a browser rewrites", next, got)
		}
		u, err := url.Parse(seen)
		if err != nil {
			t.Fatalf("SafeNext(%q) = %q does not parse: %v", next, got, err)
		}
		if abs := base.ResolveReference(u); abs.Host != base.Host || abs.Scheme != base.Scheme {
			t.Fatalf("SafeNext(%q) = %q leads to %s", next, got, abs)
		}
	})
}

func TestClientKeyTrustsProxyOnlyWhenTold(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = "127.0.0.1:5555"
	r.Header.Set("X-Forwarded-For", "203.0.113.9, 198.51.100.7")
	if got := (&Responder{}).ClientKey(r); got != "127.0.0.1" {
		t.Errorf("without TrustProxy: %q", got)
	}
	if got := (&Responder{TrustProxy: true}).ClientKey(r); got != "198.51.100.7" {
		t.Errorf("with TrustProxy: %q, want the address the proxy saw", got)
	}
}

// FuzzParseForm: any body either fails with an error or yields only valid UTF-8, and
// never panics.
func FuzzParseForm(f *testing.F) {
	for _, s := range []string{"a=b", "body=%FF", "x=%zz", "=&&=", "a=" + strings.Repeat("%E2%82", 10), "t=%F0%9F%91%8D"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		w, r := formRequest(body)
		if err := ParseForm(w, r); err != nil {
			return
		}
		for k, vs := range r.Form {
			if !utf8.ValidString(k) {
				t.Fatalf("invalid key %q accepted", k)
			}
			for _, v := range vs {
				if !utf8.ValidString(v) {
					t.Fatalf("invalid value %q accepted", v)
				}
			}
		}
	})
}

// Behind a proxy that is not trusted, the log says once that limits are per proxy.
func TestClientKeyWarnsOnceAboutAnUntrustedProxy(t *testing.T) {
	var logs strings.Builder
	x := &Responder{Log: slog.New(slog.NewTextHandler(&logs, nil))}
	for range 3 {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = "127.0.0.1:5555"
		r.Header.Set("X-Forwarded-For", "127.0.0.1")
		if got := x.ClientKey(r); got != "127.0.0.1" {
			t.Fatalf("key %q", got)
		}
	}
	if n := strings.Count(logs.String(), "--trust-proxy is off"); n != 1 {
		t.Errorf("warned %d times, want once: %s", n, logs.String())
	}
}
