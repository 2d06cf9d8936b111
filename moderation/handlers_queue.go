package moderation

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"stoa/account"
	"stoa/views"
	"stoa/web"
)

// This file serves the review queue and the page that acts on one reported thing.

func (h *Handlers) queue(w http.ResponseWriter, r *http.Request, _ *account.User) {
	ctx := r.Context()
	items, err := h.svc.Queue(ctx)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	d := views.ModQueueData{}
	if d.Awaiting, err = h.svc.AwaitingCount(ctx); err != nil {
		h.web.Fail(w, r, err)
		return
	}
	for _, it := range items {
		v := queueTarget(it.Kind, it.TargetID, it.Target, it.Reports, it.History)
		v.Standings = standingViews(it.Standings)
		d.Items = append(d.Items, v)
	}
	waiting, err := h.svc.Waiting(ctx)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	d.Waiting = waitingViews(waiting)
	switch r.URL.Query().Get("reviewed") {
	case "approved":
		d.Reviewed = "approved and published"
	case "rejected":
		d.Reviewed = "rejected"
	}
	h.web.Render(w, r, http.StatusOK, views.ModQueue(h.web.Page(r, "Moderation", "mod"), d))
}

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
	return v
}

func targetState(t *Target) []string {
	var out []string
	if t.Deleted {
		out = append(out, "deleted")
	}
	if t.Hidden || t.Kind == TargetMessage && t.Private {
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
func (h *Handlers) actionForm(ctx context.Context, url string, t *Target, member *account.User, hist *History, reports int) (views.ModActionForm, error) {
	f := views.ModActionForm{URL: url, HasReports: reports > 0, Silence: durationChoices(SilenceDurations()),
		Suspend: durationChoices(SuspendDurations()), SilenceFor: "24", SuspendFor: "168"}
	if t != nil && !t.Deleted {
		switch t.Kind {
		case TargetPost:
			f.CanHide, f.CanUnhide, f.CanDelete = !t.Hidden, t.Hidden, true
			f.CanLock, f.CanUnlock = !t.ThreadLocked, t.ThreadLocked
		case TargetMessage:
			// A message hidden (after reports) can be shown again or deleted.
			f.CanUnhide, f.CanDelete = t.Private, true
		}
	}
	if member != nil {
		f.Member, f.MemberStaff = member.Username, member.IsStaff()
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
	if r.PostFormValue("do") == "dismiss" {
		d.Dismiss = true
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
	d := views.ModReviewData{Target: queueTarget(kind, id, t, reports, hist), Done: r.URL.Query().Get("done") == "1"}
	if d.Form, err = h.actionForm(ctx, reviewURL(kind, id), t, member, hist, len(reports)); err != nil {
		h.web.Fail(w, r, err)
		return
	}
	switch {
	case errs != nil:
		keepPosted(&d.Form, r)
		d.Form.Errors = errs
	case hist != nil && !member.IsStaff():
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
	if r.PostFormValue("next") == "/mod" {
		http.Redirect(w, r, "/mod", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, reviewURL(kind, id)+"?done=1", http.StatusSeeOther)
}
