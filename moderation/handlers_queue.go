package moderation

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"stoa/account"
	"stoa/views"
	"stoa/web"
)

// This file serves the page that acts on one reported thing (the queue itself is in
// handlers_queue_page.go).

// queueTarget shows a target through the snapshot of its latest report, with what has
// happened to it since; t is the target as it is now, nil when it no longer exists.
func queueTarget(kind TargetKind, id int64, t *Target, reports []*Report, hist *History) views.ModTarget {
	v := views.ModTarget{Noun: kind.Noun(), ReviewURL: reviewURL(kind, id)}
	seen := map[int64]bool{}
	for _, r := range reports {
		seen[r.ReporterID] = true
		v.Reports = append(v.Reports, views.ModReport{Reporter: r.Reporter, Reason: r.Reason.Label(), Details: r.Details, CreatedAt: r.CreatedAt})
	}
	v.Reporters = len(seen)
	if len(reports) > 0 {
		last := reports[len(reports)-1]
		v.Label, v.HTML, v.Text, v.URL, v.Member = last.SnapshotLabel, last.SnapshotHTML, last.SnapshotText, last.TargetURL, last.TargetUser
	}
	if t == nil {
		v.State = append(v.State, "no longer exists")
	} else {
		if len(reports) == 0 {
			v.Label, v.HTML, v.Text, v.URL, v.Member = t.Label, t.HTML, t.Text, t.URL, t.Username
		}
		v.State = targetState(t)
	}
	if v.Member != "" {
		v.MemberURL = "/mod/users/" + v.Member
	}
	if hist != nil {
		v.History = hist.Summary()
		v.Suggestion = hist.Suggest().Label()
	}
	if inc := covered(reports); inc != nil {
		v.Covered = inc.Describe()
		v.Suggestion = "no further notice or sanction: hide or delete the content if needed, or dismiss"
	}
	return v
}

func targetState(t *Target) []string {
	var out []string
	if t.Deleted {
		out = append(out, "deleted")
	}
	if t.Hidden {
		out = append(out, "hidden")
	}
	if t.ThreadLocked {
		out = append(out, "thread closed")
	}
	return out
}

func durationChoices(list []time.Duration) []views.Choice {
	var out []views.Choice
	for _, d := range list {
		out = append(out, views.Choice{Value: strconv.Itoa(int(d / time.Hour)), Label: DurationLabel(d)})
	}
	return out
}

// describeActive says the sanction in force: "silenced until 2 Jan 2026 15:04 UTC".
func describeActive(x *Sanction) string {
	switch x.Kind {
	case Ban:
		return "banned"
	case Suspend:
		return "suspended until " + FormatTime(x.EndsAt)
	}
	return "silenced until " + FormatTime(x.EndsAt)
}

// actionForm is the empty action form for a target (nil for a member's own record).
func (h *Handlers) actionForm(ctx context.Context, viewer *account.User, url string, t *Target, member *account.User, hist *History, reports int) (views.ModActionForm, error) {
	f := views.ModActionForm{URL: url, HasReports: reports > 0, Silence: durationChoices(SilenceDurations()),
		Suspend: durationChoices(SuspendDurations()), SilenceFor: "24", SuspendFor: "168"}
	if t != nil && !t.Deleted {
		switch t.Kind {
		case TargetPost:
			f.CanHide, f.CanUnhide, f.CanDelete = !t.Hidden, t.Hidden, true
			f.CanLock, f.CanUnlock = !t.ThreadLocked, t.ThreadLocked
		case TargetMessage:
			// A message hidden (after reports) can be shown again or deleted.
			f.CanUnhide, f.CanDelete = t.Hidden, true
		}
	}
	if member != nil {
		f.Member, f.MemberStaff, f.CanNotice = member.Username, member.IsStaff(), CanNotice(viewer, member)
	}
	version, rules, err := h.svc.CurrentRules(ctx)
	if err != nil {
		return f, err
	}
	f.AgreementVer = version
	for _, rule := range rules {
		f.Rules = append(f.Rules, views.ModRuleChoice{Number: rule.Number, Text: rule.Text})
	}
	if hist != nil && hist.Active != nil {
		f.Active = describeActive(hist.Active)
	}
	return f, nil
}

// suggest fills the form with the suggested step; the moderator may change any of it.
func suggest(f *views.ModActionForm, st Step) {
	f.SendNotice, f.Sanction = true, string(st.Sanction)
	hours := strconv.Itoa(int(st.Duration / time.Hour))
	switch st.Sanction {
	case Silence:
		f.SilenceFor = hours
	case Suspend:
		f.SuspendFor = hours
	}
}

// keepPosted puts what the moderator sent back into the form, after an error.
func keepPosted(f *views.ModActionForm, r *http.Request) {
	on := func(name string) bool { return r.PostFormValue(name) == "1" }
	f.Hide, f.Unhide, f.Delete, f.Lock, f.Unlock = on("hide"), on("unhide"), on("delete"), on("lock"), on("unlock")
	f.SendNotice, f.Notice, f.Sanction = on("send_notice"), r.PostFormValue("notice"), r.PostFormValue("sanction")
	f.SilenceFor, f.SuspendFor, f.Reason = r.PostFormValue("silence_for"), r.PostFormValue("suspend_for"), r.PostFormValue("reason")
	chosen := map[string]bool{}
	for _, v := range r.PostForm["rule"] {
		chosen[v] = true
	}
	for i := range f.Rules {
		f.Rules[i].Checked = chosen[strconv.Itoa(f.Rules[i].Number)]
	}
}

// parseDecision reads the action form.
func parseDecision(r *http.Request) (Decision, error) {
	d := Decision{Reason: r.PostFormValue("reason")}
	switch r.PostFormValue("do") {
	case "dismiss":
		d.Dismiss = true
		return d, nil
	case "removed":
		d.Removed = true
		return d, nil
	}
	on := func(name string) bool { return r.PostFormValue(name) == "1" }
	d.Hide, d.Unhide, d.Delete, d.Lock, d.Unlock = on("hide"), on("unhide"), on("delete"), on("lock"), on("unlock")
	body := r.PostFormValue("notice")
	switch {
	case on("send_notice"):
		n := &NoticeDraft{Body: body}
		for _, v := range r.PostForm["rule"] {
			num, err := strconv.Atoi(v)
			if err != nil {
				return d, web.Invalid("rules", "Tick the rules from the list.")
			}
			n.Rules = append(n.Rules, num)
		}
		d.Notice = n
	case strings.TrimSpace(body) != "":
		return d, web.Invalid("notice", "Tick “Send a notice” to send this message, or clear it.")
	}
	kind := SanctionKind(r.PostFormValue("sanction"))
	var hours string
	switch kind {
	case "":
		return d, nil
	case Silence:
		hours = r.PostFormValue("silence_for")
	case Suspend:
		hours = r.PostFormValue("suspend_for")
	}
	n, _ := strconv.Atoi(hours)
	d.Sanction = &SanctionRequest{Kind: kind, Duration: time.Duration(n) * time.Hour}
	return d, nil
}

// reviewTarget reads what the review page is about from its path.
func reviewTarget(r *http.Request) (TargetKind, int64, bool) {
	kind, ok := ParseTargetKind(r.PathValue("kind"))
	id, idOK := web.PathID(r, "id")
	return kind, id, ok && idOK
}

func (h *Handlers) review(w http.ResponseWriter, r *http.Request, u *account.User) {
	kind, id, ok := reviewTarget(r)
	if !ok {
		h.web.NotFound(w, r)
		return
	}
	h.renderReview(w, r, u, kind, id, http.StatusOK, nil)
}

// renderReview shows the review page; with errs, the form keeps what was posted.
func (h *Handlers) renderReview(w http.ResponseWriter, r *http.Request, u *account.User, kind TargetKind, id int64, status int, errs views.FieldError) {
	ctx := r.Context()
	t, err := h.svc.LoadTarget(ctx, u, kind, id)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	reports, err := h.svc.OpenReports(ctx, kind, id)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	var member *account.User
	var hist *History
	if t.UserID != 0 {
		if member, err = h.svc.accounts.ByID(ctx, t.UserID); err != nil && !IsNotFound(err) {
			h.web.Fail(w, r, err)
			return
		}
		if member != nil {
			if hist, err = h.svc.HistoryOf(ctx, member.ID); err != nil {
				h.web.Fail(w, r, err)
				return
			}
		}
	}
	q := r.URL.Query()
	d := views.ModReviewData{Target: queueTarget(kind, id, t, reports, hist), Done: q.Get("done") == "1",
		DoneBefore: q.Get("done") == "next", Next: safeNext(q.Get("next"))}
	if errs != nil {
		d.Next = safeNext(r.PostFormValue("next"))
	}
	d.Removed = t.Deleted && len(reports) > 0
	if d.Form, err = h.actionForm(ctx, u, reviewURL(kind, id), t, member, hist, len(reports)); err != nil {
		h.web.Fail(w, r, err)
		return
	}
	d.Form.Next, d.Form.Keys = d.Next, true
	if err := h.offerTemplates(r, &d.Form, reports, errs == nil); err != nil {
		h.web.Fail(w, r, err)
		return
	}
	if member != nil {
		if d.Form.AllCount, err = h.svc.OpenItemsAbout(ctx, member.ID); err != nil {
			h.web.Fail(w, r, err)
			return
		}
		d.Form.All = q.Get("all") == "1" || errs != nil && r.PostFormValue("all") == "1"
	}
	switch {
	case errs != nil:
		keepPosted(&d.Form, r)
		d.Form.Errors = errs
	case hist != nil && !member.IsStaff() && covered(reports) == nil:
		suggest(&d.Form, hist.Suggest())
	}
	if d.Actions, err = h.targetActions(ctx, AuditFilter{TargetKind: string(kind), TargetID: id, Limit: 50}); err != nil {
		h.web.Fail(w, r, err)
		return
	}
	h.web.Render(w, r, status, views.ModReview(h.web.Page(r, "Review "+kind.Noun(), "mod"), d))
}

// targetActions lists audit entries for staff pages.
func (h *Handlers) targetActions(ctx context.Context, f AuditFilter) ([]views.ModlogEntry, error) {
	entries, _, err := h.svc.audit.Entries(ctx, f)
	if err != nil {
		return nil, err
	}
	return auditRows(entries, true), nil
}

func (h *Handlers) act(w http.ResponseWriter, r *http.Request, u *account.User) {
	kind, id, ok := reviewTarget(r)
	if !ok {
		h.web.NotFound(w, r)
		return
	}
	d, err := parseDecision(r)
	if err == nil {
		d.ResolveReports, d.ExpectReports = true, r.PostFormValue("reports_open") == "1"
		d.AllOfMember = r.PostFormValue("all") == "1"
		_, err = h.svc.Act(r.Context(), u, kind, id, d)
	}
	if fields, ok := formProblem(w, err); ok {
		h.renderReview(w, r, u, kind, id, http.StatusUnprocessableEntity, fields)
		return
	}
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	next := safeNext(r.PostFormValue("next"))
	switch {
	case isQueueURL(next):
		h.nextInQueue(w, r, next)
	case next != "":
		// An inline action in a thread or a chat room goes back to it.
		http.Redirect(w, r, next, http.StatusSeeOther)
	default:
		http.Redirect(w, r, reviewURL(kind, id)+"?done=1", http.StatusSeeOther)
	}
}

// nextInQueue moves the moderator on to the first item of the queue at queue (with its
// filters), or back to the queue when nothing is left there.
func (h *Handlers) nextInQueue(w http.ResponseWriter, r *http.Request, queue string) {
	u, _ := url.Parse(queue)
	f, _ := queueFilter(u.Query())
	// The first item of the queue heads the first group (GroupedQueue keeps queue order).
	items, err := h.svc.openItems(r.Context(), f)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	if len(items) == 0 {
		sep := "?"
		if strings.Contains(queue, "?") {
			sep = "&"
		}
		http.Redirect(w, r, queue+sep+"done=1", http.StatusSeeOther)
		return
	}
	it := items[0]
	http.Redirect(w, r, reviewURL(it.Kind, it.TargetID)+"?done=next&next="+url.QueryEscape(queue), http.StatusSeeOther)
}

// safeNext returns where a form may send the moderator after acting: the queue, or the
// page of a thread, post or chat room; anything else is dropped. web.SafeNext decides
// what is a path on this site; a next it had to change or refuse is not one Stoa made.
func safeNext(next string) string {
	if web.SafeNext(next) != next {
		return ""
	}
	for _, prefix := range []string{"/t/", "/p/", "/chat/"} {
		if strings.HasPrefix(next, prefix) {
			return next
		}
	}
	if isQueueURL(next) {
		return next
	}
	return ""
}

func isQueueURL(s string) bool { return s == "/mod" || strings.HasPrefix(s, "/mod?") }
