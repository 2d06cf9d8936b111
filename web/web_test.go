package web

import (
	"errors"
	"net/http"
	"net/http/httptest"
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
	for in, want := range map[string]string{
		"/c/general": "/c/general", "": "/", "//evil.example": "/", "/\\evil.example": "/",
		"https://evil.example": "/", "javascript:alert(1)": "/", "/": "/",
	} {
		if got := SafeNext(in); got != want {
			t.Errorf("SafeNext(%q) = %q, want %q", in, got, want)
		}
	}
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
