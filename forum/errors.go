package forum

import (
	"fmt"
	"net/http"
	"strings"

	"stoa/web"
)

// What a member is told when the forum refuses something. Each is a *web.Error, so the
// handlers answer any of them the same way: web.FormErrors beside a form, or
// Responder.Fail as a page.
var (
	ErrLocked    = web.Refused(http.StatusForbidden, "This thread is closed: new replies are not accepted.")
	ErrForbidden = web.Refused(http.StatusForbidden, "You cannot change this post.")
	// ErrTooFast is returned when a member posts faster than the posting pace allows.
	ErrTooFast = &web.Error{Status: http.StatusTooManyRequests, RetryAfter: PostEvery,
		Message: "You are posting very quickly. Wait a few seconds, then send it again; your text is kept below."}

	ErrNoReaction      = web.Refused(http.StatusBadRequest, "That reaction does not exist. Choose one of the reactions shown under the post.")
	ErrReactionsClosed = web.Refused(http.StatusForbidden, "This thread is closed: reactions are not accepted any more.")

	ErrNotStaff      = web.Refused(http.StatusForbidden, "Only moderators can pin, close or move threads.")
	ErrUnknownAction = web.Refused(http.StatusUnprocessableEntity, "Choose pin, unpin, close, reopen or move."+goBack)
	ErrNoCategory    = web.Refused(http.StatusUnprocessableEntity, "Choose the category to move the thread to."+goBack)
	ErrLongReason    = web.Refused(http.StatusUnprocessableEntity, fmt.Sprintf("Shorten the reason to %d characters or fewer.", MaxReasonRunes)+goBack)
)

// goBack ends the messages of the staff tools, which answer with a page of their own.
const goBack = " Go back to the thread and try again."

// HoldError says the personal-information detector held a submission until its author
// confirms it. It is not a refusal, so not a web.Error: the form comes back with a
// warning that names what was found (Findings) and a way to publish anyway.
type HoldError struct{ Findings []string }

func (e *HoldError) Error() string {
	return "forum: held for confirmation: " + strings.Join(e.Findings, ", ")
}
