package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestRawGetterReadsResponsesBackToBack checks the lean client on one keep-alive
// connection: fixed-length and chunked bodies, and a status other than 200.
func TestRawGetterReadsResponsesBackToBack(t *testing.T) {
	page := strings.Repeat("<p>post</p>\n", 2000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/fixed":
			w.Header().Set("Content-Length", "24000")
			w.Write([]byte(page))
		case "/chunked":
			w.Write([]byte(page)) // no length: net/http chunks a body this large
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	ctx := context.Background()
	for _, path := range []string{"/fixed", "/chunked"} {
		g := newRawGetter(srv.URL, path)
		for i := range 50 {
			if err := g.get(ctx); err != nil {
				t.Fatalf("%s, request %d: %v", path, i, err)
			}
		}
		g.close()
	}
	g := newRawGetter(srv.URL, "/missing")
	if err := g.get(ctx); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("GET /missing: %v, want a 404 error", err)
	}
}
