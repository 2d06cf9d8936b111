package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"stoa/storage"
	"stoa/views"
)

// Error is a failure a person can do something about. Message is safe to show them and
// says what to do next; Fields holds messages for single form fields ("form" for the whole
// form); Status is the HTTP status that answers it. The cause, if any, is only logged.
//
// Services return *Error for what the member must fix and declare the recurring ones as
// sentinels, which errors.Is matches by identity:
//
//	var ErrLocked = web.Refused(http.StatusForbidden, "This thread is closed: new replies are not accepted.")
type Error struct {
	Status  int
	Message string
	Fields  map[string]string
	// RetryAfter, when set, is sent as the Retry-After header.
	RetryAfter time.Duration
	cause      error
}

func (e *Error) Error() string {
	msg := e.Message
	if msg == "" {
		for f, m := range e.Fields {
			msg = f + ": " + m
			break
		}
	}
	if e.cause != nil {
		return msg + ": " + e.cause.Error()
	}
	return msg
}

// Unwrap returns the internal cause.
func (e *Error) Unwrap() error { return e.cause }

// Refused is an error with a status and a message for the person.
func Refused(status int, message string) *Error {
	return &Error{Status: status, Message: message}
}

// Invalid is a 422 for one form field; the field "form" stands for the whole form.
func Invalid(field, message string) *Error {
	return &Error{Status: http.StatusUnprocessableEntity, Fields: map[string]string{field: message}}
}

// InvalidFields is a 422 for several fields at once, or nil when fields is empty, so that
// validation can collect messages and return InvalidFields(fields) at the end.
func InvalidFields(fields map[string]string) error {
	if len(fields) == 0 {
		return nil
	}
	return &Error{Status: http.StatusUnprocessableEntity, Fields: fields}
}

// Because returns a copy of e that records cause for the log.
func (e *Error) Because(cause error) *Error {
	c := *e
	c.cause = cause
	return &c
}

// Is lets errors.Is match a copy made by Because against its sentinel.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Status == e.Status && t.Message == e.Message && t.RetryAfter == e.RetryAfter && len(t.Fields) == 0 && len(e.Fields) == 0
}

// AsError returns the *Error in err's chain, or nil.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// FormErrors returns the messages to show beside a form's fields for err, with the status
// to answer, when err is one the person can fix; ok is false for any other error.
func FormErrors(w http.ResponseWriter, err error) (fields views.FieldError, status int, ok bool) {
	e := AsError(err)
	if e == nil || e.Status == http.StatusNotFound {
		return nil, 0, false
	}
	fields = views.FieldError{}
	for f, m := range e.Fields {
		fields[f] = m
	}
	if e.Message != "" {
		fields["form"] = e.Message
	}
	setRetryAfter(w, e)
	return fields, e.Status, true
}

func setRetryAfter(w http.ResponseWriter, e *Error) {
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((e.RetryAfter+time.Second-1)/time.Second)))
	}
}

// Fail answers err: a person's *Error as a page with its status and message, a missing
// row as 404, anything else as a 500 that reveals nothing.
func (x *Responder) Fail(w http.ResponseWriter, r *http.Request, err error) {
	if e := AsError(err); e != nil {
		if e.Status == http.StatusNotFound {
			x.NotFound(w, r)
			return
		}
		setRetryAfter(w, e)
		msg := e.Message
		if msg == "" {
			for _, m := range e.Fields {
				msg = m
				break
			}
		}
		x.Error(w, r, e.Status, headingFor(e.Status), msg)
		return
	}
	if errors.Is(err, storage.ErrNotFound) {
		x.NotFound(w, r)
		return
	}
	x.ServerError(w, r, err)
}

func headingFor(status int) string {
	switch status {
	case http.StatusForbidden:
		return "Not allowed"
	case http.StatusTooManyRequests:
		return "Slow down"
	case http.StatusConflict:
		return "Already changed"
	case http.StatusRequestEntityTooLarge:
		return "Too large"
	}
	return "Could not do that"
}

// PathID reads the positive integer path value name ("id" in /t/{id}).
func PathID(r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	return id, err == nil && id > 0
}
