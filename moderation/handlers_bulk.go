package moderation

import (
	"net/http"
	"net/url"
	"strconv"

	"stoa/account"
)

// bulk acts on the items ticked in the queue (or the one whose own button was pressed):
// today, dismissing their reports. It goes back to the queue with its filters.
func (h *Handlers) bulk(w http.ResponseWriter, r *http.Request, u *account.User) {
	back := safeNext(r.PostFormValue("next"))
	if !isQueueURL(back) {
		back = "/mod"
	}
	keys := r.PostForm["item"]
	if only := r.PostFormValue("only"); only != "" {
		keys = []string{only}
	}
	var items []ItemRef
	for _, k := range keys {
		if it, ok := ParseItemRef(k); ok {
			items = append(items, it)
		}
	}
	if r.PostFormValue("do") != "dismiss" && r.PostFormValue("only") == "" {
		h.web.Fail(w, r, errBulkAction)
		return
	}
	dismissed, skipped, err := h.svc.DismissMany(r.Context(), u, items)
	if fields, ok := formProblem(w, err); ok {
		h.renderQueue(w, r, back, http.StatusUnprocessableEntity, fields["form"])
		return
	}
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	sep := "?"
	if back != "/mod" {
		sep = "&"
	}
	v := url.Values{"dismissed": {strconv.Itoa(dismissed)}, "skipped": {strconv.Itoa(skipped)}}
	http.Redirect(w, r, back+sep+v.Encode(), http.StatusSeeOther)
}
