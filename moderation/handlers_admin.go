package moderation

import (
	"net/http"
	"net/url"
	"strings"

	"stoa/account"
	"stoa/views"
	"stoa/web"
)

// This file serves the public moderation log and the administration pages: the
// dashboard, members and roles, and the audit log.

// auditRows turns audit entries into rows; withActor is false for the public log,
// which never names staff.
func auditRows(entries []Entry, withActor bool) []views.ModlogEntry {
	var out []views.ModlogEntry
	for _, e := range entries {
		row := views.ModlogEntry{At: e.At, Action: e.Action.Label(), Target: e.TargetLabel, TargetURL: e.TargetURL, Reason: e.Reason}
		if withActor {
			row.Actor = e.ActorName
		}
		out = append(out, row)
	}
	return out
}

const modlogPerPage = 50

func (h *Handlers) modlog(w http.ResponseWriter, r *http.Request) {
	page := web.PageNumber(r)
	entries, total, err := h.svc.audit.Entries(r.Context(), AuditFilter{PublicOnly: true, Limit: modlogPerPage, Offset: (page - 1) * modlogPerPage})
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	d := views.ModlogData{Entries: auditRows(entries, false), Pager: pager(r.URL.Path, "", page, total, modlogPerPage)}
	h.web.Render(w, r, http.StatusOK, views.Modlog(h.web.Page(r, "Moderation log", ""), d))
}

// AdminLinks are moderation's entries on the admin dashboard.
func AdminLinks() []views.MeLink {
	return []views.MeLink{
		{URL: "/admin/users", Title: "Members and roles", Text: "Find members, see who is sanctioned, and promote or demote moderators."},
		{URL: "/admin/audit", Title: "Audit log", Text: "Every staff action, who took it and why. It cannot be changed or deleted."},
		{URL: "/mod", Title: "Moderation queue", Text: "Open reports, notices and members' moderation records."},
		{URL: "/admin/notice-templates", Title: "Notice templates", Text: "Canned notice texts per rule of the community agreement, and which report reasons point to which rule."},
	}
}

func (h *Handlers) adminHome(w http.ResponseWriter, r *http.Request, _ *account.User) {
	links := append([]views.MeLink{
		{URL: "/admin/categories", Title: "Categories", Text: "Create, rename and order the forum's categories."},
	}, AdminLinks()...)
	links = append(links, h.adminLinks...)
	// A feature may be listed twice when its own wiring adds it too: show it once.
	d := views.AdminHomeData{}
	seen := map[string]bool{}
	for _, l := range links {
		if !seen[l.URL] {
			seen[l.URL] = true
			d.Links = append(d.Links, l)
		}
	}
	h.web.Render(w, r, http.StatusOK, views.AdminHome(h.web.Page(r, "Administration", "admin"), d))
}

func roleChoices() []views.Choice {
	return []views.Choice{{Value: string(account.RoleMember), Label: "Member"},
		{Value: string(account.RoleModerator), Label: "Moderator"}, {Value: string(account.RoleAdmin), Label: "Administrator"}}
}

const usersPerPage = 50

func (h *Handlers) adminUsers(w http.ResponseWriter, r *http.Request, u *account.User) {
	h.renderUsers(w, r, u, http.StatusOK, "")
}

func (h *Handlers) renderUsers(w http.ResponseWriter, r *http.Request, u *account.User, status int, problem string) {
	q := r.URL.Query()
	d := views.AdminUsersData{Query: strings.TrimSpace(q.Get("q")), Roles: roleChoices(), Error: problem}
	if role, ok := account.ParseRole(q.Get("role")); ok {
		d.Role = string(role)
	}
	if name := q.Get("changed"); name != "" {
		d.Changed = "The role of " + name + " was changed. The change is in the audit log."
	}
	page := web.PageNumber(r)
	rows, total, err := h.svc.Members(r.Context(), account.MemberSearch{Query: d.Query, Role: account.Role(d.Role), Limit: usersPerPage, Offset: (page - 1) * usersPerPage})
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	d.Total = total
	filter := url.Values{}
	if d.Query != "" {
		filter.Set("q", d.Query)
	}
	if d.Role != "" {
		filter.Set("role", d.Role)
	}
	d.Pager = pager(r.URL.Path, filter.Encode(), page, total, usersPerPage)
	for _, m := range rows {
		row := views.AdminUserRow{Username: m.User.Username, DisplayName: m.User.DisplayName, Role: string(m.User.Role),
			Joined: m.User.CreatedAt.Format("2 Jan 2006"), Self: m.User.ID == u.ID}
		if m.Active != nil {
			row.Sanction = describeActive(m.Active)
		}
		d.Users = append(d.Users, row)
	}
	h.web.Render(w, r, status, views.AdminUsers(h.web.Page(r, "Members and roles", "admin"), d))
}

func (h *Handlers) setRole(w http.ResponseWriter, r *http.Request, u *account.User) {
	member, err := h.svc.accounts.ByUsername(r.Context(), r.PathValue("name"))
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	role, ok := account.ParseRole(r.PostFormValue("role"))
	if !ok {
		h.renderUsers(w, r, u, http.StatusUnprocessableEntity, "Choose member, moderator or administrator.")
		return
	}
	err = h.svc.SetRole(r.Context(), u, member, role, r.PostFormValue("reason"))
	if fields, ok := formProblem(w, err); ok {
		msg := fields["role"]
		if msg == "" {
			msg = fields["reason"]
		}
		h.renderUsers(w, r, u, http.StatusUnprocessableEntity, msg)
		return
	}
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/users?q="+url.QueryEscape(member.Username)+"&changed="+url.QueryEscape(member.Username), http.StatusSeeOther)
}

const auditPerPage = 100

func (h *Handlers) audit(w http.ResponseWriter, r *http.Request, _ *account.User) {
	q := r.URL.Query()
	d := views.AuditLogData{Actor: strings.TrimSpace(q.Get("actor")), Member: strings.TrimSpace(q.Get("member"))}
	for _, a := range Actions() {
		d.Actions = append(d.Actions, views.Choice{Value: string(a), Label: a.Label()})
	}
	f := AuditFilter{Actor: d.Actor, Limit: auditPerPage}
	if a, ok := ParseAction(q.Get("action")); ok {
		f.Action, d.Action = a, string(a)
	}
	if d.Member != "" {
		m, err := h.svc.accounts.ByUsername(r.Context(), d.Member)
		switch {
		case IsNotFound(err):
			// No member: an empty list, with a word on why.
			d.Error, f.TargetUserID = "There is no member called “"+d.Member+"”. Check the spelling.", -1
		case err != nil:
			h.web.Fail(w, r, err)
			return
		default:
			f.TargetUserID = m.ID
		}
	}
	page := web.PageNumber(r)
	f.Offset = (page - 1) * auditPerPage
	entries, total, err := h.svc.audit.Entries(r.Context(), f)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	d.Entries, d.Total = auditRows(entries, true), total
	filter := url.Values{}
	for k, v := range map[string]string{"action": d.Action, "actor": d.Actor, "member": d.Member} {
		if v != "" {
			filter.Set(k, v)
		}
	}
	d.Pager = pager(r.URL.Path, filter.Encode(), page, total, auditPerPage)
	h.web.Render(w, r, http.StatusOK, views.AuditLog(h.web.Page(r, "Audit log", "admin"), d))
}

// modAudit lets moderators read the audit log, newest first, as administrators do but
// without the filters and without administrators' access to personal data.
func (h *Handlers) modAudit(w http.ResponseWriter, r *http.Request, u *account.User) {
	if u.IsAdmin() {
		http.Redirect(w, r, "/admin/audit", http.StatusSeeOther)
		return
	}
	page := web.PageNumber(r)
	entries, total, err := h.svc.audit.Entries(r.Context(), AuditFilter{WithoutActions: AdminOnlyActions(),
		Limit: auditPerPage, Offset: (page - 1) * auditPerPage})
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	d := views.AuditLogData{Entries: auditRows(entries, true), Total: total, Moderator: true,
		Pager: pager(r.URL.Path, "", page, total, auditPerPage)}
	h.web.Render(w, r, http.StatusOK, views.AuditLog(h.web.Page(r, "Audit log", "mod"), d))
}
