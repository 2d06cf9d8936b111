package web

import "net/http"

// StatusRecorder remembers the status a handler wrote, for middleware that logs or counts
// responses.
type StatusRecorder struct {
	http.ResponseWriter
	Status int
}

// WriteHeader records the first status written.
func (s *StatusRecorder) WriteHeader(code int) {
	if s.Status == 0 {
		s.Status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

// Write records an implicit 200 when the handler wrote no status first.
func (s *StatusRecorder) Write(b []byte) (int, error) {
	if s.Status == 0 {
		s.Status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (WebSocket upgrades, flushes).
func (s *StatusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
