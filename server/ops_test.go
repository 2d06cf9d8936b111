package server

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

func TestMetricsOnTheirOwnAddress(t *testing.T) {
	addr, metricsAddr := freeAddr(t), freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	app, err := NewApp(ctx, onTestEngine(t, Config{Addr: addr, MetricsAddr: metricsAddr, DataDir: t.TempDir(), Quiet: true, LogFormat: "json", NodeName: "n1"}),
		slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	go app.ListenAndServe(ctx)
	get := func(url string) (int, string) {
		t.Helper()
		var resp *http.Response
		var err error
		for range 100 {
			if resp, err = http.Get(url); err == nil {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	get("http://" + addr + "/c/general")
	code, body := get("http://" + metricsAddr + "/metrics")
	if code != 200 {
		t.Fatalf("/metrics: %d", code)
	}
	// Every metric carries the node's name, so one Prometheus tells several nodes apart.
	for _, want := range []string{`stoa_http_requests_total{code="200",node="n1",route="GET /c/{slug}"} 1`, `go_goroutines{node="n1"}`,
		"process_resident_memory_bytes", `stoa_websocket_connections{node="n1"} 0`, "stoa_chat_frames_delivered_total", `stoa_mail_outbox_queued{node="n1"} 0`} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/chat/general/ws", http.Header{"Origin": {"http://" + addr}})
	if err != nil {
		t.Fatalf("open chat socket: %v", err)
	}
	defer ws.Close()
	var connected bool
	for range 50 {
		if _, body := get("http://" + metricsAddr + "/metrics"); strings.Contains(body, `stoa_websocket_connections{node="n1"} 1`) {
			connected = true
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !connected {
		t.Error("an open chat socket is not counted in stoa_websocket_connections")
	}
	if code, _ := get("http://" + addr + "/metrics"); code != http.StatusNotFound {
		t.Errorf("/metrics is exposed on the public address: %d", code)
	}
}

func TestOversizedBodyIsRefusedClearly(t *testing.T) {
	site := newTestSite(t)
	body := strings.NewReader("username=x&password=" + strings.Repeat("a", 2<<20))
	req, _ := http.NewRequest(http.MethodPost, site+"/login", body)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), "larger than this site accepts") {
		t.Fatalf("2 MiB form: status %d", resp.StatusCode)
	}
}

func TestCrossSiteFormGetsAnExplainedRefusal(t *testing.T) {
	site := newTestSite(t)
	req, _ := http.NewRequest(http.MethodPost, site+"/logout", nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(b), "sent from another site") {
		t.Fatalf("cross-site POST: %d %q", resp.StatusCode, b)
	}
}
