package moderation

import (
	"context"
	"fmt"
	"net/http"

	"stoa/account"
	"stoa/views"
	"stoa/web"
)

// This file shows staff the moderation record of a deleted account, and on a member's
// record the deleted accounts that held their name before (issue 15, bug 7): deleting an
// account and registering its name again does not start a clean record.

func formerURL(id int64) string { return fmt.Sprintf("/mod/deleted/%d", id) }

// formerHolders describes, for a member's record, the deleted accounts that held the
// member's name, with what moderators did about each.
func (s *Service) formerHolders(ctx context.Context, username string) ([]views.ModFormerHolder, error) {
	holders, err := s.accounts.FormerHolders(ctx, username)
	if err != nil || len(holders) == 0 {
		return nil, err
	}
	ids := make([]int64, len(holders))
	for i, h := range holders {
		ids[i] = h.ID
	}
	sanctions, err := s.store.sanctionsOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]views.ModFormerHolder, len(holders))
	for i, h := range holders {
		out[i] = views.ModFormerHolder{Deleted: h.DeletedAt, Sanctions: len(sanctions[h.ID]), URL: formerURL(h.ID)}
	}
	return out, nil
}

// deletedRecord shows the moderation record of a deleted account: its sanctions, the
// reports about it and the staff notes, read only.
func (h *Handlers) deletedRecord(w http.ResponseWriter, r *http.Request, _ *account.User) {
	ctx := r.Context()
	id, ok := web.PathID(r, "id")
	if !ok {
		h.web.NotFound(w, r)
		return
	}
	former, err := h.svc.accounts.DeletedAccount(ctx, id)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	hist, err := h.svc.HistoryOf(ctx, id)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	d := views.ModFormerRecord{Deleted: former.DeletedAt, History: hist.Summary(), Sanctions: sanctionRows(hist, h.svc.now())}
	reports, err := h.svc.ReportsAbout(ctx, id, 200)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	d.Reports = reportTargets(reports)
	notes, err := h.svc.Notes(ctx, id)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	for _, n := range notes {
		d.Notes = append(d.Notes, views.ModNoteRow{Author: n.Author, Body: n.Body, CreatedAt: n.CreatedAt})
	}
	h.web.Render(w, r, http.StatusOK, views.ModFormerRecordPage(h.web.Page(r, "Deleted account · moderation", "mod"), d))
}
