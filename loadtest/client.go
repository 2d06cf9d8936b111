package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// sessionCookie is the name of Stoa's login cookie.
const sessionCookie = "stoa_session"

// httpClient returns a client that keeps up to conns connections alive to one host and
// never follows redirects: a 303 after a form is the acknowledgement itself.
func httpClient(conns int) *http.Client {
	tr := &http.Transport{
		Proxy:               nil,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		MaxConnsPerHost:     conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return &http.Client{
		Transport:     tr,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// member is a logged-in account of the load test.
type member struct {
	Name   string
	Cookie string // value of stoa_session
}

// site talks to one running Stoa over HTTP.
type site struct {
	base   string
	client *http.Client
	prof   *profiler // nil unless -profile
	srv    *server   // the process, for its CPU time
	// peers are the other nodes of a cluster run (-nodes): clients spread over s and them.
	peers []*site
}

// node returns the site that the i-th client connects to: with peers, the nodes in turn.
func (s *site) node(i int) *site {
	if len(s.peers) == 0 {
		return s
	}
	if i%(len(s.peers)+1) == 0 {
		return s
	}
	return s.peers[i%(len(s.peers)+1)-1]
}

// servers are the processes of every node, for their CPU time.
func (s *site) servers() []*server {
	out := []*server{s.srv}
	for _, p := range s.peers {
		out = append(out, p.srv)
	}
	return out
}

// token returns a fresh one-time form token (any unique string works).
func token() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// postForm submits a form the way a browser on the site would: same-origin headers, the
// member's cookie, no redirect followed. It returns the status and Location.
func (s *site) postForm(ctx context.Context, m *member, path string, form url.Values) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", s.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if m != nil && m.Cookie != "" {
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: m.Cookie})
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), nil
}

// get fetches path as an anonymous reader and returns the status, body and headers.
func (s *site) get(ctx context.Context, path string) (int, []byte, http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.base+path, nil)
	if err != nil {
		return 0, nil, nil, err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header, err
}

// login logs name in over POST /login and returns the member with their session.
func (s *site) login(ctx context.Context, name string) (*member, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.base+"/login",
		strings.NewReader(url.Values{"username": {name}, "password": {password(name)}}.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", s.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("loadtest: log in %s: %w", name, err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("loadtest: log in %s: status %d, want 303", name, resp.StatusCode)
	}
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie && c.Value != "" {
			return &member{Name: name, Cookie: c.Value}, nil
		}
	}
	return nil, fmt.Errorf("loadtest: log in %s: no %s cookie in the answer", name, sessionCookie)
}

var (
	threadPath = regexp.MustCompile(`^/t/(\d+)/[^/?#]+$`)
	postAnchor = regexp.MustCompile(`#p(\d+)$`)
)

// formValues builds a form from name, value pairs.
func formValues(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

// ackedPost is a reply the server acknowledged: it must be in the database afterwards.
type ackedPost struct {
	ID    int64
	Token string
}

// reply posts body to thread id and returns the acknowledged post.
func (s *site) reply(ctx context.Context, m *member, thread int64, body string) (ackedPost, error) {
	tok := token()
	status, loc, err := s.postForm(ctx, m, fmt.Sprintf("/t/%d/reply", thread), url.Values{"body": {body}, "token": {tok}})
	if err != nil {
		return ackedPost{}, err
	}
	mt := postAnchor.FindStringSubmatch(loc)
	if status != http.StatusSeeOther || mt == nil {
		return ackedPost{}, fmt.Errorf("loadtest: reply: status %d to %q, want 303 to the post", status, loc)
	}
	id, _ := strconv.ParseInt(mt[1], 10, 64)
	return ackedPost{ID: id, Token: tok}, nil
}
