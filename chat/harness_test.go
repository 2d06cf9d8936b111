package chat_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/gorilla/websocket"

	"stoa/account"
	"stoa/chat"
	"stoa/mail"
	"stoa/markup"
	stoasite "stoa/site"
	"stoa/storage"
	"stoa/storage/storagetest"
	"stoa/watchwords"
	"stoa/web"
)

// site is chat with real accounts, real SQLite and a real HTTP server, wired like the
// app wires it (account middleware, cross-origin protection), with limits a test can tune.
type site struct {
	t        testing.TB
	db       *storage.DB
	target   string // the database: a SQLite file or a postgres:// URL
	accounts *account.Service
	chat     *chat.Service
	srv      *httptest.Server
	url      string
	silenced *silencer
	general  *chat.Room
}

// silencer is a stand-in for moderation's sanctions.
type silencer struct {
	mu  sync.Mutex
	ids map[int64]bool
}

func (s *silencer) CanLogIn(context.Context, int64) error { return nil }

func (s *silencer) CanPost(_ context.Context, id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ids[id] {
		return errors.New("You are silenced until tomorrow: you can read, but you cannot post or chat until then.")
	}
	return nil
}

func (s *silencer) silence(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ids[id] = true
}

type siteOpts struct {
	limits  chat.Limits
	policy  chat.PolicyVersion
	origins []string
}

func newSite(t testing.TB, opts ...func(*siteOpts)) *site {
	t.Helper()
	var o siteOpts
	for _, f := range opts {
		f(&o)
	}
	ctx := context.Background()
	logs := newTestWriter(t) // first, so that its cleanup runs last
	// STOA_TEST_ENGINE=postgres runs chat's tests on a fresh PostgreSQL database.
	engine := storagetest.Engine()
	target := storagetest.Target(t, engine)
	db, err := storage.Open(ctx, target, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sil := &silencer{ids: map[int64]bool{}}
	accounts := account.NewService(account.NewStore(db), account.Options{Restrictions: sil, Outbox: mail.NewOutbox(db, mail.Config{}),
		Policies: account.PoliciesFunc(func(*storage.Tx, int64) error { return nil })})
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	resp := &web.Responder{Log: log}
	if o.policy == nil {
		o.policy = func(context.Context) int { return 1 }
	}
	svc := chat.NewService(chat.Config{DB: db, Renderer: markup.New(markup.Options{MentionURL: func(n string) string { return "/u/" + n }}),
		Restrictions: sil, PolicyVersion: o.policy, Sessions: account.NewStore(db), Notifier: account.NewNotifier(db, account.NotifierOptions{Outbox: mail.NewOutbox(db, mail.Config{})}),
		Words: mustWords(t, db), Automod: stoasite.DefaultAutomod, Audit: noAudit{}, Limits: o.limits,
		Log: log})
	if err := svc.EnsureDefaultRoom(ctx); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	ah, err := account.NewHandlers(accounts, resp, account.HandlerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ah.Routes(mux)
	chat.NewHandlers(svc, resp, chat.HandlerConfig{AllowedOrigins: o.origins}).Routes(mux)
	srv := httptest.NewServer(http.NewCrossOriginProtection().Handler(ah.Middleware(mux)))
	s := &site{t: t, db: db, target: target, accounts: accounts, chat: svc, srv: srv, url: srv.URL, silenced: sil}
	t.Cleanup(func() {
		srv.Close()
		svc.Close()
		db.Close()
	})
	s.general, err = svc.Store().RoomBySlug(ctx, "general")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// testWriter logs to the test until its cleanup, and drops what goroutines log later.
type testWriter struct {
	t    testing.TB
	mu   *sync.Mutex
	done *bool
}

func newTestWriter(t testing.TB) testWriter {
	w := testWriter{t: t, mu: &sync.Mutex{}, done: new(bool)}
	t.Cleanup(func() {
		w.mu.Lock()
		*w.done = true
		w.mu.Unlock()
	})
	return w
}

func (w testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !*w.done {
		w.t.Log(strings.TrimSpace(string(p)))
	}
	return len(p), nil
}

// member is a logged-in member: their account, session cookie and browser-like client.
type member struct {
	site *site
	user *account.User
	http *http.Client
	// Last response of get/post, with its body.
	resp *http.Response
	body string
}

func (s *site) member(name string, role account.Role) *member {
	s.t.Helper()
	ctx := context.Background()
	u, err := s.accounts.CreateUser(ctx, name, "password-"+name, role)
	if err != nil {
		s.t.Fatal(err)
	}
	_, token, err := s.accounts.LogIn(ctx, name, "password-"+name)
	if err != nil {
		s.t.Fatal(err)
	}
	m := s.anonymous()
	base, _ := url.Parse(s.url)
	m.http.Jar.SetCookies(base, []*http.Cookie{{Name: account.CookieName, Value: token, Path: "/"}})
	m.user = u
	return m
}

func (s *site) anonymous() *member {
	jar, _ := cookiejar.New(nil)
	return &member{site: s, http: &http.Client{Jar: jar}}
}

func (m *member) do(req *http.Request) *http.Response {
	m.site.t.Helper()
	resp, err := m.http.Do(req)
	if err != nil {
		m.site.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		m.site.t.Fatal(err)
	}
	m.resp, m.body = resp, string(b)
	return resp
}

func (m *member) get(path string) *http.Response {
	m.site.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, m.site.url+path, nil)
	return m.do(req)
}

func (m *member) post(path string, form url.Values) *http.Response {
	m.site.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, m.site.url+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", m.site.url)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return m.do(req)
}

func (m *member) doc(path string, want int) *goquery.Document {
	m.site.t.Helper()
	if resp := m.get(path); resp.StatusCode != want {
		m.site.t.Fatalf("GET %s: status %d, want %d", path, resp.StatusCode, want)
	}
	return m.parse()
}

func (m *member) parse() *goquery.Document {
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(m.body))
	if err != nil {
		m.site.t.Fatal(err)
	}
	return doc
}

// frame is any frame the server sends.
type frame struct {
	Type     string   `json:"type"`
	ID       int64    `json:"id"`
	Room     string   `json:"room"`
	Author   string   `json:"author"`
	HTML     string   `json:"html"`
	At       string   `json:"at"`
	Nonce    string   `json:"nonce"`
	Edited   bool     `json:"edited"`
	Code     string   `json:"code"`
	Message  string   `json:"message"`
	Findings []string `json:"findings"`
	User     string   `json:"user"`
	Users    []string `json:"users"`
}

// wsConn is a real WebSocket client.
type wsConn struct {
	t    testing.TB
	conn *websocket.Conn
}

// dialOpts changes how a test client connects.
type dialOpts struct {
	origin string
	query  string
	dialer *websocket.Dialer
}

// dial opens /chat/{room}/ws as m would from a page of the site.
func (m *member) dial(room string, opts ...func(*dialOpts)) (*wsConn, *http.Response, error) {
	o := dialOpts{origin: m.site.url, dialer: &websocket.Dialer{HandshakeTimeout: 5 * time.Second}}
	for _, f := range opts {
		f(&o)
	}
	o.dialer.Jar = m.http.Jar
	h := http.Header{}
	if o.origin != "" {
		h.Set("Origin", o.origin)
	}
	u := "ws" + strings.TrimPrefix(m.site.url, "http") + "/chat/" + room + "/ws" + o.query
	conn, resp, err := o.dialer.Dial(u, h)
	if err != nil {
		return nil, resp, err
	}
	c := &wsConn{t: m.site.t, conn: conn}
	m.site.t.Cleanup(func() { conn.Close() })
	return c, resp, nil
}

func (m *member) connect(room string, opts ...func(*dialOpts)) *wsConn {
	m.site.t.Helper()
	o := dialOpts{dialer: &websocket.Dialer{}}
	for _, f := range opts {
		f(&o)
	}
	c, resp, err := m.dial(room, opts...)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		m.site.t.Fatalf("dial %s: %v (status %d)", room, err, status)
	}
	// Without a replay, the first frame after joining is the room's presence; a replay
	// comes before it.
	if o.query == "" {
		c.expect("presence")
	}
	return c
}

func after(id int64) func(*dialOpts) {
	return func(o *dialOpts) { o.query = "?after=" + itoa(id) }
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func (c *wsConn) send(v any) {
	c.t.Helper()
	if err := c.conn.WriteJSON(v); err != nil {
		c.t.Fatalf("send: %v", err)
	}
}

func (c *wsConn) sendRaw(kind int, data []byte) {
	c.t.Helper()
	if err := c.conn.WriteMessage(kind, data); err != nil {
		c.t.Fatalf("send raw: %v", err)
	}
}

// next returns the next frame, failing after a few seconds of silence.
func (c *wsConn) next() frame {
	c.t.Helper()
	f, err := c.read(5 * time.Second)
	if err != nil {
		c.t.Fatalf("read frame: %v", err)
	}
	return f
}

func (c *wsConn) read(wait time.Duration) (frame, error) {
	var f frame
	c.conn.SetReadDeadline(time.Now().Add(wait))
	_, data, err := c.conn.ReadMessage()
	if err != nil {
		return f, err
	}
	if err := json.Unmarshal(data, &f); err != nil {
		c.t.Fatalf("frame %q is not JSON: %v", data, err)
	}
	return f, nil
}

// expect skips presence and typing frames (unless asked for) and returns the next frame,
// which must be of type kind.
func (c *wsConn) expect(kind string) frame {
	c.t.Helper()
	for {
		f := c.next()
		if f.Type == kind {
			return f
		}
		if f.Type == "presence" || f.Type == "typing" {
			continue
		}
		c.t.Fatalf("got %+v, want a %s frame", f, kind)
	}
}

// quiet checks that no frame other than presence or typing arrives for a moment.
func (c *wsConn) quiet(d time.Duration) {
	c.t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		f, err := c.read(time.Until(deadline))
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return
		}
		if err != nil {
			c.t.Fatalf("read: %v", err)
		}
		if f.Type != "presence" && f.Type != "typing" {
			c.t.Fatalf("unexpected frame %+v", f)
		}
	}
}

// say sends a message (confirmed, so no warning holds it) and returns its acknowledgement.
func (c *wsConn) say(body, nonce string) frame {
	c.t.Helper()
	c.send(map[string]any{"type": "send", "body": body, "nonce": nonce, "confirm": true})
	f := c.expect("message")
	if f.Nonce != nonce {
		c.t.Fatalf("acknowledgement %+v, want nonce %q", f, nonce)
	}
	return f
}

func (s *site) count(query string, args ...any) int {
	s.t.Helper()
	var n int
	if err := s.db.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		s.t.Fatal(err)
	}
	return n
}

// ack records that m knows the general room is public, as the page's button does.
func (m *member) ack() {
	m.site.t.Helper()
	if err := m.site.chat.Acknowledge(context.Background(), m.user, m.site.general); err != nil {
		m.site.t.Fatal(err)
	}
}

// mustWords loads the (empty) watched words of db.
func mustWords(t testing.TB, db *storage.DB) *watchwords.List {
	t.Helper()
	l, err := watchwords.New(context.Background(), db, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// noAudit stands in for moderation's audit log, which chat's own tests do not read.
type noAudit struct{}

func (noAudit) RecordRoomMode(*storage.Tx, *account.User, *chat.Room, string) error { return nil }
