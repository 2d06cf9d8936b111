package forum

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// hugeRepetitiveBody is the post of issue 14: 60 KB of one word, which made FTS5's
// snippet() compare 30,000 matches with each other.
var hugeRepetitiveBody = strings.Repeat("a ", 30000)

// Three 60 KB posts of "a a a …" cost a search of "a" next to nothing: it answers long
// before the request's deadline (it took over 30 seconds), and the snippets are short.
func TestSearchOfHugeRepetitivePostsAnswers(t *testing.T) {
	tf := newTestForum(t)
	for i := range 3 {
		// Each ends differently: the same text twice would be refused as a duplicate.
		tf.thread(t, tf.mod, fmt.Sprintf("Thread %d", i), hugeRepetitiveBody+strings.Repeat("b ", i))
	}
	// Far longer than the search needs on the busiest machine, far shorter than before.
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	hits, total, err := tf.Search.Find(ctx, SearchQuery{Text: "a"})
	if err != nil {
		t.Fatalf("search: %v", err)
	}
	if total != 3 || len(hits) != 3 {
		t.Fatalf("found %d of %d, want the three posts", len(hits), total)
	}
	for _, h := range hits {
		if !strings.HasPrefix(h.SnippetHTML, "<mark>a</mark> <mark>a</mark>") || len(h.SnippetHTML) > 24*len("<mark>a</mark> ")+10 {
			t.Errorf("snippet %q: want the first 24 words, marked", h.SnippetHTML)
		}
	}
}

// BenchmarkSearchHugeRepetitivePosts reports what the search of issue 14 costs now.
func BenchmarkSearchHugeRepetitivePosts(b *testing.B) {
	tf := newTestForum(b)
	for i := range 3 {
		tf.thread(b, tf.mod, fmt.Sprintf("Thread %d", i), hugeRepetitiveBody)
	}
	ctx := context.Background()
	for b.Loop() {
		if _, _, err := tf.Search.Find(ctx, SearchQuery{Text: "a"}); err != nil {
			b.Fatal(err)
		}
	}
}

// A word in every post ranks only the newest candidates, and the page says there may be
// more.
func TestSearchRanksTheNewestCandidatesOnly(t *testing.T) {
	tf := newTestForum(t)
	tf.Search.candidates = 3
	var ids []int64
	for i := range 5 {
		ids = append(ids, tf.thread(t, tf.mod, fmt.Sprintf("Kiwi %d", i), fmt.Sprintf("kiwi fruit number %d", i)).ID)
	}
	hits, total, err := tf.Search.Find(context.Background(), SearchQuery{Text: "kiwi"})
	if err != nil || total != 3 || len(hits) != 3 {
		t.Fatalf("found %d of %d (%v), want the newest 3", len(hits), total, err)
	}
	for _, h := range hits {
		if h.ThreadID <= ids[1] {
			t.Errorf("thread %d is not among the newest three", h.ThreadID)
		}
	}
	srv := httptest.NewServer(tf.mux())
	defer srv.Close()
	body := get(t, srv.URL+"/search?q=kiwi", http.StatusOK)
	if !strings.Contains(body, "More than 3 results") {
		t.Error("the page does not say there may be more results")
	}
}

// mux is the forum's routes.
func (tf *testForum) mux() *http.ServeMux {
	mux := http.NewServeMux()
	tf.Routes(mux)
	return mux
}

func get(t *testing.T, u string, want int) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("GET %s: status %d, want %d", u, resp.StatusCode, want)
	}
	return string(b)
}

// Searches never take every reader: while SearchSlots searches run, eight more are told
// to try again (they do not queue for a connection), and a thread page still answers.
func TestSearchesBeyondTheirSlotsDoNotStallPages(t *testing.T) {
	tf := newTestForum(t)
	th := tf.thread(t, tf.member, "A thread to read", "Some text to search for.")
	if readers := tf.db.Read().Stats().MaxOpenConnections; SearchSlots >= readers {
		t.Fatalf("%d search slots would take all %d readers", SearchSlots, readers)
	}
	srv := httptest.NewServer(tf.mux())
	defer srv.Close()

	// SearchSlots searches are running: they hold every slot until the test lets go.
	for range SearchSlots {
		tf.Search.slots <- struct{}{}
	}
	var wg sync.WaitGroup
	statuses := make(chan string, 8)
	for range 8 { // fewer than SearchBurst: the per-client pace is not what stops them
		wg.Go(func() {
			resp, err := http.Get(srv.URL + "/search?q=text")
			if err != nil {
				statuses <- err.Error()
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			statuses <- fmt.Sprintf("%d %s %t", resp.StatusCode, resp.Header.Get("Retry-After"), strings.Contains(string(b), "Many searches are running"))
		})
	}
	// The thread page answers while the searches are held.
	get(t, srv.URL+th.URL(), http.StatusOK)
	wg.Wait() // they answered while the slots were still held
	close(statuses)
	for s := range statuses {
		if s != "503 5 true" {
			t.Errorf("a search beyond the slots answered %q, want 503, Retry-After and a message", s)
		}
	}
	for range SearchSlots {
		<-tf.Search.slots
	}
	if body := get(t, srv.URL+"/search?q=text", http.StatusOK); !strings.Contains(body, "A thread to read") {
		t.Error("once the slots are free, the search does not find the thread")
	}
}

// One client searching without pause is slowed down; another is not.
func TestSearchIsPacedPerClient(t *testing.T) {
	tf := newTestForum(t)
	tf.thread(t, tf.member, "Pacing", "Words to find.")
	srv := httptest.NewServer(tf.mux())
	defer srv.Close()
	for range SearchBurst {
		get(t, srv.URL+"/search?q=words", http.StatusOK)
	}
	body := get(t, srv.URL+"/search?"+url.Values{"q": {"words"}}.Encode(), http.StatusTooManyRequests)
	if !strings.Contains(body, "You are searching very quickly") || !strings.Contains(body, `value="words"`) {
		t.Error("the refusal does not say to wait, or loses the query")
	}
	// The form and an empty query are not searches.
	get(t, srv.URL+"/search", http.StatusOK)
	other := httptest.NewRequest(http.MethodGet, "/search?q=words", nil)
	other.RemoteAddr = "198.51.100.7:4000"
	w := httptest.NewRecorder()
	tf.mux().ServeHTTP(w, other)
	if w.Code != http.StatusOK {
		t.Errorf("another client was refused too: %d", w.Code)
	}
}

func TestMarkedSnippet(t *testing.T) {
	for _, c := range []struct{ query, text, want string }{
		{"rye", "Feed the starter with rye flour every morning.", "Feed the starter with \x02rye\x03 flour every morning."},
		{`"rye and spelt"`, "@alice a rye and spelt miche, every time.", "@alice a \x02rye and spelt\x03 miche, every time."},
		{"ovens", "Baking in a dutch oven.", "Baking in a dutch \x02oven\x03."},
		{"baking", "I baked bread", "I \x02baked\x03 bread"},
		{"sourd*", "Sourdough rules", "\x02Sourdough\x03 rules"},
		{"bôld", "Bold and BOLD", "\x02Bold\x03 and \x02BOLD\x03"},
		{"starter -rye", "starter rye", "\x02starter\x03 rye"},
		{"x NOT rye", "x rye", "\x02x\x03 rye"},
		{"zebra", strings.Repeat("one two ", 20) + "a zebra was here " + strings.Repeat("three ", 30),
			"…two one two a \x02zebra\x03 was here three three three three three three three three three three three three three three three three three…"},
		{"missing", "no match at all", "no match at all"},
		{"a", "", ""},
	} {
		if got := markedSnippet(c.text, markPhrases(c.query)); got != c.want {
			t.Errorf("snippet of %q for %q:\n got %q\nwant %q", c.text, c.query, got, c.want)
		}
	}
	if got := markedTitle("Keeping a sourdough starter", markPhrases("sourdough")); got != "Keeping a \x02sourdough\x03 starter" {
		t.Errorf("title marked %q", got)
	}
}
