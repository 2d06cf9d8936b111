package clustertest

import (
	"database/sql"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// single starts one stoa serve on addr without NATS: on SQLite in data, or on the
// PostgreSQL database dbURL when it is set.
func single(t *testing.T, name, addr, data, dbURL string) *node {
	t.Helper()
	nd := &node{name: name, addr: addr, logs: &syncBuffer{}}
	args := []string{"serve", "--addr", addr, "--data", data, "--no-rate-limits"}
	if dbURL != "" {
		args = append(args, "--database", dbURL)
	}
	nd.cmd = exec.Command(bin, args...)
	nd.cmd.Stdout, nd.cmd.Stderr = nd.logs, nd.logs
	if err := nd.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		nd.stop()
		if t.Failed() {
			t.Logf("--- %s log (last 4 KiB) ---\n%s", nd.name, tail(nd.logs.String(), 4096))
		}
	})
	if _, ok := eventually(30*time.Second, func() bool {
		resp, err := http.Get(nd.url("/healthz"))
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}); !ok {
		t.Fatalf("%s did not come up:\n%s", name, nd.logs)
	}
	return nd
}

// login logs name in on nd with the test password and returns the browser.
func login(t *testing.T, nd *node, name string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	cl := &http.Client{Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := post(cl, nd.url("/login"), url.Values{"username": {name}, "password": {password}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("log in %s on %s: %v %v", name, nd.name, err, resp)
	}
	return cl
}

// What changes from one page load to the next whatever the database: per-request
// nonces and form tokens, and times shown relative to now.
var volatile = []*regexp.Regexp{
	regexp.MustCompile(`nonce="[^"]*"`),
	regexp.MustCompile(`name="(csrf|token|_csrf|submit_token)" value="[^"]*"`),
	regexp.MustCompile(`<meta name="csrf-token" content="[^"]*"`),
	regexp.MustCompile(`\d+ (second|minute)s? ago|just now`),
}

func meaningful(page string) string {
	for _, re := range volatile {
		page = re.ReplaceAllString(page, "…")
	}
	return page
}

// A community started on SQLite, moved with stoa migrate-data and started again on
// PostgreSQL shows the same pages, keeps its members' passwords and sessions, finds the
// same words, and carries on with fresh ids.
func TestMigrateDataRoundTripShowsTheSamePages(t *testing.T) {
	if testing.Short() {
		t.Skip("runs real stoa processes")
	}
	need(t, "PostgreSQL", "127.0.0.1:5432")
	data := t.TempDir()
	for _, u := range [][]string{{"admin", "admin"}, {"member", "ann"}, {"member", "boris"}} {
		cmd := exec.Command(bin, "user", "add", "--role", u[0], u[1], "--data", data)
		cmd.Env = append(os.Environ(), "STOA_PASSWORD="+password)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("user add %s: %v\n%s", u[1], err, out)
		}
	}
	addr := freeAddr(t)
	embedded := single(t, "sqlite", addr, data, "")
	admin, ann, bo := login(t, embedded, "admin"), login(t, embedded, "ann"), login(t, embedded, "boris")

	resp, err := post(admin, embedded.url("/admin/categories"), url.Values{"name": {"Seed swaps"}, "slug": {"seeds"}, "description": {"Trade seeds"}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create a category: %v %v", err, resp)
	}
	resp, err = post(ann, embedded.url("/c/seeds/new"), url.Values{"title": {"Marigolds for tomatoes"}, "body": {"Who has **marigold** seeds to swap?"}, "token": {"t1"}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("post a thread: %v %v", err, resp)
	}
	threadPath := resp.Header.Get("Location")
	threadID := strings.Split(threadPath, "/")[2]
	for i, c := range []*http.Client{bo, admin, ann} {
		body := []string{"I have some from last summer.", "Please keep swaps in this thread.", "Thanks, sending mine Monday."}[i]
		resp, err := post(c, embedded.url("/t/"+threadID+"/reply"), url.Values{"body": {body}, "token": {"r" + body[:4]}})
		if err != nil || resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("reply %d: %v %v", i, err, resp)
		}
	}
	w := watch(t, embedded, ann, -1)
	for i, body := range []string{"Anyone growing **calendula**?", "The marigolds are up!", "See you at the swap."} {
		nonce := "n" + string(rune('a'+i))
		if err := w.send(body, nonce); err != nil {
			t.Fatal(err)
		}
		if _, ok := w.acked(nonce, 10*time.Second); !ok {
			t.Fatalf("chat message %d was not acknowledged", i)
		}
	}
	w.conn.Close()

	anon := &http.Client{Timeout: 20 * time.Second}
	// New posts reach the search index a moment after they are published.
	if _, ok := eventually(10*time.Second, func() bool {
		_, body := get(anon, embedded.url("/search?q=monday"))
		return strings.Contains(body, "<mark>Monday</mark>")
	}); !ok {
		_, body := get(anon, embedded.url("/search?q=monday"))
		_, th := get(anon, embedded.url(threadPath))
		t.Fatalf("the last reply never showed in search on SQLite:\n%s\n\n%s", body, th)
	}
	pages := []string{"/", "/c/seeds", "/c/general", threadPath, "/chat/general", "/search?q=marigold", "/search?q=calendula&in=chat", "/u/ann"}
	before := map[string]string{}
	for _, p := range pages {
		code, body := get(anon, embedded.url(p))
		if code != http.StatusOK {
			t.Fatalf("GET %s on SQLite: %d", p, code)
		}
		before[p] = meaningful(body)
	}
	// The pages really hold the community (or comparing them would prove nothing).
	for p, want := range map[string]string{"/": "Seed swaps", threadPath: "sending mine Monday", "/chat/general": "calendula",
		"/search?q=marigold": "for tomatoes", "/u/ann": "ann"} {
		if !strings.Contains(before[p], want) {
			t.Fatalf("%s on SQLite does not show %q:\n%s", p, want, before[p])
		}
	}
	_, annMe := get(ann, embedded.url("/me"))
	embedded.stop()

	dbURL := createDatabase(t)
	out, err := exec.Command(bin, "migrate-data", "--to", dbURL, "--data", data).CombinedOutput()
	if err != nil {
		t.Fatalf("stoa migrate-data: %v\n%s", err, out)
	}
	for _, want := range []string{"table posts: 4 rows", "table chat_messages: 3 rows", "table users: 3 rows", "Done:"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("migrate-data did not print %q:\n%s", want, out)
		}
	}

	// The search index came along: PostgreSQL computed the documents of the copied rows.
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for table, word := range map[string]string{"post_search": "marigold", "chat_search": "calendula"} {
		var n int
		err := db.QueryRow("select count(*) from "+table+" where document @@ plainto_tsquery('english', $1)", word).Scan(&n)
		if err != nil || n != 1 {
			t.Errorf("%s finds %q in %d rows (%v), want 1", table, word, n, err)
		}
	}

	clustered := single(t, "postgres", addr, t.TempDir(), dbURL)
	for _, p := range pages {
		code, body := get(anon, clustered.url(p))
		if code == http.StatusInternalServerError && strings.HasPrefix(p, "/search") && logged(clustered, `syntax error at or near \"match\"`) {
			// Known gap, not the migration's: the search stores still speak FTS5 only
			// (forum/store_search.go, chat/store_search.go). Compared once they do.
			t.Logf("%s: search on PostgreSQL is not implemented yet; the index was checked above", p)
			continue
		}
		if code != http.StatusOK {
			t.Fatalf("GET %s on PostgreSQL: %d", p, code)
		}
		if got := meaningful(body); got != before[p] {
			t.Errorf("%s differs after the move to PostgreSQL:\n%s", p, firstDifference(before[p], got))
		}
	}
	// Sessions moved too: ann's browser is still logged in, and sees the same account page.
	if _, me := get(ann, clustered.url("/me")); meaningful(me) != meaningful(annMe) {
		t.Errorf("ann's /me differs after the move:\n%s", firstDifference(meaningful(annMe), meaningful(me)))
	}
	// The same password logs in, and new writes get ids after the copied ones.
	bo = login(t, clustered, "boris")
	resp, err = post(bo, clustered.url("/t/"+threadID+"/reply"), url.Values{"body": {"Late to the party: any left?"}, "token": {"late"}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reply on PostgreSQL: %v %v", err, resp)
	}
	if _, body := get(anon, clustered.url(threadPath)); !strings.Contains(body, "Late to the party") || !strings.Contains(body, "sending mine Monday") {
		t.Error("the thread on PostgreSQL does not show both the copied replies and the new one")
	}
	w = watch(t, clustered, bo, 3)
	if err := w.send("Hello from PostgreSQL", "pg"); err != nil {
		t.Fatal(err)
	}
	if id, ok := w.acked("pg", 10*time.Second); !ok || id != 4 {
		t.Errorf("a chat message sent after the move got id %d (acknowledged %v), want 4", id, ok)
	}
}

// logged waits a moment for nd to log s (a request's log line may follow its answer).
func logged(nd *node, s string) bool {
	_, ok := eventually(5*time.Second, func() bool { return strings.Contains(nd.logs.String(), s) })
	return ok
}

// firstDifference shows where two pages part, with some context.
func firstDifference(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(0, i-200)
	return "before: …" + a[from:min(len(a), i+200)] + "\nafter:  …" + b[from:min(len(b), i+200)]
}
