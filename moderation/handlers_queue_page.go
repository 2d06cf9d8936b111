package moderation

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"stoa/account"
	"stoa/views"
)

// This file serves the review queue: grouped by member, filtered by GET parameters.

func (h *Handlers) queue(w http.ResponseWriter, r *http.Request, _ *account.User) {
	h.renderQueue(w, r, r.URL.String(), http.StatusOK, "")
}

// renderQueue shows the queue at queue (its path and filters), with problem above the
// list when a bulk action was refused.
func (h *Handlers) renderQueue(w http.ResponseWriter, r *http.Request, queue string, status int, problem string) {
	ctx := r.Context()
	at, _ := url.Parse(queue)
	f, d := queueFilter(at.Query())
	d.Error = problem
	groups, err := h.svc.GroupedQueue(ctx, f)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	if d.Awaiting, err = h.svc.AwaitingCount(ctx); err != nil {
		h.web.Fail(w, r, err)
		return
	}
	waiting, err := h.svc.Waiting(ctx)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	d.Waiting = waitingViews(waiting)
	if status == http.StatusOK {
		d.Flash = queueFlash(at.Query())
		switch at.Query().Get("reviewed") {
		case "approved":
			d.Reviewed = "approved and published"
		case "rejected":
			d.Reviewed = "rejected"
		}
	}
	next := "?next=" + url.QueryEscape(d.QueueURL)
	for _, g := range groups {
		vg := views.ModQueueGroup{Member: g.Username, Reports: g.Reports()}
		if g.Username != "" {
			vg.MemberURL = recordURL(g.Username)
		}
		for _, it := range g.Items {
			v := queueTarget(it.Kind, it.TargetID, it.Target, it.Reports, it.History)
			v.Key, v.ReviewURL = string(it.Kind)+":"+strconv.FormatInt(it.TargetID, 10), v.ReviewURL+next
			v.Standings = standingViews(it.Standings)
			vg.Items = append(vg.Items, v)
		}
		if g.UserID != 0 && len(g.Items) > 1 {
			first := g.Items[0]
			vg.AllURL = reviewURL(first.Kind, first.TargetID) + next + "&all=1"
		}
		d.Groups = append(d.Groups, vg)
	}
	h.web.Render(w, r, status, views.ModQueue(h.web.Page(r, "Moderation", "mod"), d))
}

// queueFilter reads the queue's filters from its query; what names no filter is ignored.
func queueFilter(q url.Values) (QueueFilter, views.ModQueueData) {
	var f QueueFilter
	d := views.ModQueueData{}
	if k, ok := ParseTargetKind(q.Get("kind")); ok {
		f.Kind = k
	}
	if rs := Reason(q.Get("reason")); validReason(rs) {
		f.Reason = rs
	}
	if a, ok := ParseQueueAge(q.Get("age")); ok {
		f.Age = a
	}
	d.Kind, d.Reason, d.Age = string(f.Kind), string(f.Reason), string(f.Age)
	d.Kinds = []views.Choice{{Value: "", Label: "Everything"}, {Value: string(TargetPost), Label: "Forum posts"},
		{Value: string(TargetMessage), Label: "Chat messages"}, {Value: string(TargetUser), Label: "Members"}}
	d.Reasons = []views.Choice{{Value: "", Label: "Any reason"}}
	for _, rs := range Reasons() {
		d.Reasons = append(d.Reasons, views.Choice{Value: string(rs), Label: rs.Label()})
	}
	for _, a := range QueueAges() {
		d.Ages = append(d.Ages, views.Choice{Value: string(a), Label: a.Label()})
	}
	d.QueueURL = queueURL(f)
	d.Filtered = f != QueueFilter{}
	return f, d
}

// queueURL is the queue with filter f, as a link.
func queueURL(f QueueFilter) string {
	v := url.Values{}
	for k, x := range map[string]string{"kind": string(f.Kind), "reason": string(f.Reason), "age": string(f.Age)} {
		if x != "" {
			v.Set(k, x)
		}
	}
	if len(v) == 0 {
		return "/mod"
	}
	return "/mod?" + v.Encode()
}

// queueFlash says what the last action from the queue did.
func queueFlash(q url.Values) string {
	n, _ := strconv.Atoi(q.Get("dismissed"))
	skipped, _ := strconv.Atoi(q.Get("skipped"))
	switch {
	case q.Get("done") == "1":
		return "Done. What you did is recorded in the audit log. Nothing else in this queue waits for review."
	case n > 0 && skipped > 0:
		return fmt.Sprintf("Reports dismissed on %s. %s had been handled by another moderator meanwhile.", plural(n, "item"), plural(skipped, "item"))
	case n > 0:
		return fmt.Sprintf("Reports dismissed on %s.", plural(n, "item"))
	case skipped > 0:
		return fmt.Sprintf("Another moderator had already handled %s; nothing was changed.", plural(skipped, "item"))
	}
	return ""
}
