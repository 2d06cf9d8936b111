package chat

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"stoa/web"
)

// Error codes of the chat protocol (DESIGN.md, "Chat WebSocket").
const (
	CodeRateLimited = "rate_limited"
	CodeTooLarge    = "too_large"
	CodeBadRequest  = "bad_request"
	CodeForbidden   = "forbidden"
	CodeSilenced    = "silenced"
	// CodeSuspended refuses a suspended member, signed in only to read and answer their
	// notices (or banned while connected).
	CodeSuspended = "suspended"
	// CodeUnavailable is sent when a message could not be stored; the client may retry.
	CodeUnavailable = "unavailable"
)

// FindingPublicRoom is the confirm_required finding for a member's first message in a room
// they have not acknowledged as public.
const FindingPublicRoom = "public room"

// codeFor returns the protocol's error code for a refusal, from its HTTP status: the
// same *web.Error answers a form post and a WebSocket frame.
func codeFor(e *web.Error) string {
	switch {
	case e.Status == http.StatusTooManyRequests:
		return CodeRateLimited
	case e.Status == http.StatusRequestEntityTooLarge:
		return CodeTooLarge
	case e.Status == http.StatusServiceUnavailable:
		return CodeUnavailable
	case e.Status == http.StatusForbidden && errors.Is(e, errSuspended):
		return CodeSuspended
	case e.Status == http.StatusForbidden && errors.Is(e, errSilenced):
		return CodeSilenced
	case e.Status == http.StatusForbidden:
		return CodeForbidden
	}
	return CodeBadRequest
}

// ConfirmError says a message was held until its author confirms it: because the room is
// public and they have not acknowledged that yet, or because the personal-information
// detector found something.
type ConfirmError struct{ Findings []string }

func (e *ConfirmError) Error() string { return "chat: confirmation required" }

// inbound is any frame a client sends.
type inbound struct {
	Type    string `json:"type"`
	Body    string `json:"body"`
	Nonce   string `json:"nonce"`
	Confirm bool   `json:"confirm"`
	ID      int64  `json:"id"`
}

type outMessage struct {
	Type   string `json:"type"`
	ID     int64  `json:"id"`
	Room   string `json:"room"`
	Author string `json:"author"`
	HTML   string `json:"html"`
	At     string `json:"at"`
	Nonce  string `json:"nonce,omitempty"`
	Edited bool   `json:"edited,omitempty"`
}

type outConfirm struct {
	Type     string   `json:"type"`
	Nonce    string   `json:"nonce,omitempty"`
	Findings []string `json:"findings"`
}

type outError struct {
	Type    string `json:"type"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Nonce   string `json:"nonce,omitempty"`
}

type outDeleted struct {
	Type string `json:"type"`
	ID   int64  `json:"id"`
}

type outTyping struct {
	Type string `json:"type"`
	User string `json:"user"`
}

type outPresence struct {
	Type  string   `json:"type"`
	Users []string `json:"users"`
	// Others counts the members present beyond those listed.
	Others int `json:"others,omitempty"`
}

// encode is json.Marshal without escaping <, > and & (the frames carry HTML and are never
// embedded in a page) and without the trailing newline.
func encode(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Every frame type is plain strings and numbers; this cannot fail.
		panic("chat: encode frame: " + err.Error())
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

func messageFrame(m *Message, nonce string, edited bool) []byte {
	return encode(outMessage{Type: "message", ID: m.ID, Room: m.Room, Author: m.Author, HTML: m.HTML,
		At: m.CreatedAt.UTC().Format(time.RFC3339), Nonce: nonce, Edited: edited})
}

func errorFrame(code, msg, nonce string) []byte {
	return encode(outError{Type: "error", Code: code, Message: msg, Nonce: nonce})
}
