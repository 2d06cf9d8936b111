package forum

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"stoa/account"
	"stoa/privacy/pii"
	"stoa/ratelimit"
	"stoa/web"
)

// Preview renders what a member is writing through the same pipeline a post is stored
// with (Markdown, then the one sanitiser policy), so what they see is what is published.
// It stores nothing. The composer's script asks for it as the member types, at most about
// once a second, so each member has their own, looser pace here.
type Preview struct {
	svc  *Service
	web  *web.Responder
	pace *ratelimit.Keyed
}

// Preview pace per member: a burst for a quick series of edits, then two a second.
const (
	previewBurst = 30
	previewEvery = 500 * time.Millisecond
)

func newPreview(svc *Service, w *web.Responder) *Preview {
	return &Preview{svc: svc, web: w, pace: ratelimit.New(previewEvery, previewBurst)}
}

// previewAnswer is the JSON the composer's script shows: the sanitised HTML, and what
// the personal-information detector would ask the member to confirm on posting.
type previewAnswer struct {
	HTML     string   `json:"html"`
	Findings []string `json:"findings"`
	Error    string   `json:"error,omitempty"`
}

var errPreviewTooFast = &web.Error{Status: http.StatusTooManyRequests, RetryAfter: time.Second,
	Message: "The preview is updating too often. It will catch up in a moment; nothing you wrote is lost."}

func (x *Preview) render(w http.ResponseWriter, r *http.Request, u *account.User) {
	body := r.PostFormValue("body")
	var err error
	switch {
	case !x.pace.Allow(strconv.FormatInt(u.ID, 10)):
		err = errPreviewTooFast
	case len(body) > MaxBodyBytes:
		err = &web.Error{Status: http.StatusRequestEntityTooLarge,
			Message: fmt.Sprintf("This message is %d KiB; the limit is %d KiB. Shorten it or split it into several posts.", len(body)>>10, MaxBodyBytes>>10)}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if e := web.AsError(err); e != nil {
		if e.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(e.RetryAfter/time.Second)))
		}
		w.WriteHeader(e.Status)
		json.NewEncoder(w).Encode(previewAnswer{Error: e.Message})
		return
	}
	res := x.svc.render.Render(body)
	ans := previewAnswer{HTML: res.HTML, Findings: pii.Kinds(pii.Detect(body))}
	if ans.Findings == nil {
		ans.Findings = []string{}
	}
	json.NewEncoder(w).Encode(ans)
}
