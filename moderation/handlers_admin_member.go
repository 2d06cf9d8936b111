package moderation

import (
	"net/http"

	"stoa/account"
	"stoa/views"
)

// This file serves a member's administration page: their account at a glance, and the
// single-use password reset link an administrator can make for them.

func (h *Handlers) adminMember(w http.ResponseWriter, r *http.Request, u *account.User) {
	member, err := h.recordMember(r)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	h.renderAdminMember(w, r, u, member, http.StatusOK, views.AdminMemberData{})
}

func (h *Handlers) renderAdminMember(w http.ResponseWriter, r *http.Request, u, member *account.User, status int, d views.AdminMemberData) {
	d.Username, d.DisplayName, d.Role = member.Username, member.DisplayName, string(member.Role)
	d.Joined, d.Self, d.Roles = member.CreatedAt.Format("2 January 2006"), member.ID == u.ID, roleChoices()
	active, ok, err := h.svc.sanctions.active(r.Context(), member.ID, false)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	if ok {
		d.Sanction = describeActive(active)
	}
	h.web.Render(w, r, status, views.AdminMember(h.web.Page(r, member.Username+" · Members", "admin"), d))
}

// resetLink makes a reset link and shows it on the member's page, once: it is not
// stored anywhere the page could show it again.
func (h *Handlers) resetLink(w http.ResponseWriter, r *http.Request, u *account.User) {
	member, err := h.recordMember(r)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	reason := r.PostFormValue("reason")
	link, err := h.svc.ResetLink(r.Context(), u, member, reason)
	if fields, ok := formProblem(w, err); ok {
		h.renderAdminMember(w, r, u, member, http.StatusUnprocessableEntity, views.AdminMemberData{Reason: reason, Errors: fields})
		return
	}
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	h.renderAdminMember(w, r, u, member, http.StatusOK, views.AdminMemberData{ResetLink: link})
}
