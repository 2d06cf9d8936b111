package crashtest

import (
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

type frame struct {
	Type     string   `json:"type"`
	ID       int64    `json:"id"`
	Nonce    string   `json:"nonce"`
	Code     string   `json:"code"`
	Findings []string `json:"findings"`
}

// chatSender opens a WebSocket to room general as the member whose cookies c holds.
func (s *server) chatSender(c *http.Client) (*websocket.Conn, error) {
	u := "ws://" + s.addr + "/chat/general/ws"
	h := http.Header{"Origin": {"http://" + s.addr}}
	for _, ck := range c.Jar.Cookies(mustURL("http://" + s.addr + "/")) {
		h.Add("Cookie", ck.Name+"="+ck.Value)
	}
	conn, _, err := websocket.DefaultDialer.Dial(u, h)
	return conn, err
}

// chatLoad sends chat messages from each member until stop closes or the server dies,
// and returns the bodies the server acknowledged (the sender's own copy with its nonce).
func (s *server) chatLoad(members []*http.Client, stop <-chan struct{}) ([]string, error) {
	var mu sync.Mutex
	var acked []string
	var wg sync.WaitGroup
	errs := make(chan error, len(members))
	for i, c := range members {
		conn, err := s.chatSender(c)
		if err != nil {
			return nil, err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer conn.Close()
			// The first message in a room asks to confirm it is public; confirm once.
			send := func(body, nonce string, confirm bool) error {
				return conn.WriteJSON(map[string]any{"type": "send", "body": body, "nonce": nonce, "confirm": confirm})
			}
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				body := fmt.Sprintf("chat-marker-%d-%d", i, n)
				if err := send(body, body, n == 0); err != nil {
					return
				}
				for {
					conn.SetReadDeadline(time.Now().Add(10 * time.Second))
					var f frame
					if err := conn.ReadJSON(&f); err != nil {
						return // the server died: an unanswered message was not acknowledged
					}
					if f.Nonce != body {
						continue // someone else's message, presence, typing
					}
					if f.Type == "message" {
						mu.Lock()
						acked = append(acked, body)
						mu.Unlock()
						break
					}
					errs <- fmt.Errorf("chat send %s answered %s %s %v", body, f.Type, f.Code, f.Findings)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return acked, <-errs
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}
