package moderation

import (
	"net/http"

	"stoa/account"
	"stoa/views"
	"stoa/web"
)

// This file serves the moderators' side of the automatic first line: approving or
// rejecting what waits for review, and the views of waiting items and reporter standing.

func (h *Handlers) reviewHeld(w http.ResponseWriter, r *http.Request, u *account.User) {
	kind, ok := ParseTargetKind(r.PathValue("kind"))
	id, idOK := web.PathID(r, "id")
	decision := r.PathValue("decision")
	if !ok || !idOK || kind == TargetUser || decision != "approve" && decision != "reject" {
		h.web.NotFound(w, r)
		return
	}
	if err := h.svc.Review(r.Context(), u, kind, id, decision == "approve"); err != nil {
		h.web.Fail(w, r, err)
		return
	}
	what := "approved"
	if decision == "reject" {
		what = "rejected"
	}
	http.Redirect(w, r, "/mod?reviewed="+what, http.StatusSeeOther)
}

func waitingViews(items []*WaitingItem) []views.ReviewItem {
	out := make([]views.ReviewItem, 0, len(items))
	for _, it := range items {
		out = append(out, views.ReviewItem{Kind: string(it.Kind), ID: it.ID, Author: it.Author, Where: it.Where,
			URL: it.URL, HTML: it.HTML, Why: it.Note, At: it.At})
	}
	return out
}

func standingViews(s []Standing) []views.ReporterStanding {
	out := make([]views.ReporterStanding, 0, len(s))
	for _, st := range s {
		out = append(out, views.ReporterStanding{Name: st.Reporter, Agreed: st.Agreed, Disagreed: st.Disagreed, Weight: st.Weight()})
	}
	return out
}
