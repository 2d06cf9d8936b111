package chat

import (
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/gorilla/websocket"
)

// FuzzDecodeFrame: any frame either decodes or is answered with a well-formed
// bad_request error frame; nothing panics.
func FuzzDecodeFrame(f *testing.F) {
	for _, s := range []string{`{"type":"send","body":"hi","nonce":"c1"}`, `{"type":"typing"}`, `{"type":"send","confirm":true}`,
		`{`, `[]`, `null`, `{"type":1}`, "\xff\xfe", `{"type":"edit","id":-1}`, `{"nonce":"` + string(make([]byte, 80)) + `"}`} {
		f.Add(true, []byte(s))
	}
	f.Add(false, []byte{0, 1, 2})
	f.Fuzz(func(t *testing.T, text bool, data []byte) {
		kind := websocket.BinaryMessage
		if text {
			kind = websocket.TextMessage
		}
		in, refusal := decodeFrame(kind, data)
		if refusal == nil {
			if !text || !utf8.Valid(data) || len(in.Nonce) > maxNonce {
				t.Fatalf("accepted a frame it should refuse: %q", data)
			}
			return
		}
		var out struct{ Type, Code, Message string }
		if err := json.Unmarshal(refusal, &out); err != nil || out.Type != "error" || out.Code != CodeBadRequest || out.Message == "" {
			t.Fatalf("refusal %q is not a bad_request error frame", refusal)
		}
	})
}
