package privacy

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"stoa/views"
	"stoa/web"
)

func policyView(p *Policy) views.PolicyView {
	return views.PolicyView{Name: p.Name, Title: p.Title, Version: p.Version, HTML: p.HTML, Date: date(p.CreatedAt), Material: p.Material}
}

// loadPolicy loads the current version of the policy named in the path, answering 404
// for an unknown one.
func (h *Handlers) loadPolicy(w http.ResponseWriter, r *http.Request) (*Policy, bool) {
	p, err := h.policies.Current(r.Context(), r.PathValue("name"))
	if err != nil {
		h.web.Fail(w, r, err)
		return nil, false
	}
	return p, true
}

// ack returns the acknowledgement form when the viewer has not read a material change
// to the named policy.
func (h *Handlers) ack(r *http.Request, name string) *views.PolicyAck {
	m := h.viewer(r)
	if m == nil {
		return nil
	}
	pending, err := h.policies.Pending(r.Context(), m.ID)
	if err != nil {
		return nil
	}
	for _, p := range pending {
		if p.Name == name {
			return &views.PolicyAck{Name: p.Name, Version: p.Version, Since: p.Since}
		}
	}
	return nil
}

func (h *Handlers) policy(w http.ResponseWriter, r *http.Request) {
	p, ok := h.loadPolicy(w, r)
	if !ok {
		return
	}
	d := views.PolicyPageData{Policy: policyView(p), Current: true, Latest: p.Version, Ack: h.ack(r, p.Name)}
	h.web.Render(w, r, http.StatusOK, views.Policy(h.web.Page(r, p.Title, ""), d))
}

func (h *Handlers) policyVersion(w http.ResponseWriter, r *http.Request) {
	cur, ok := h.loadPolicy(w, r)
	if !ok {
		return
	}
	id, ok := web.PathID(r, "version")
	if !ok || id > int64(cur.Version) {
		h.web.NotFound(w, r)
		return
	}
	v := int(id)
	p, err := h.policies.Version(r.Context(), cur.Name, v)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	d := views.PolicyPageData{Policy: policyView(p), Current: v == cur.Version, Latest: cur.Version}
	h.web.Render(w, r, http.StatusOK, views.Policy(h.web.Page(r, fmt.Sprintf("%s, version %d", p.Title, v), ""), d))
}

func (h *Handlers) policyVersions(w http.ResponseWriter, r *http.Request) {
	cur, ok := h.loadPolicy(w, r)
	if !ok {
		return
	}
	hist, err := h.policies.History(r.Context(), cur.Name)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	d := views.PolicyVersionsData{Name: cur.Name, Title: cur.Title}
	for i := range hist {
		d.Versions = append(d.Versions, policyView(&hist[i]))
	}
	h.web.Render(w, r, http.StatusOK, views.PolicyVersions(h.web.Page(r, "Versions of the "+cur.Title, ""), d))
}

// versionParam reads ?name=N, falling back to def when it is missing or out of range.
func versionParam(r *http.Request, name string, def, latest int) int {
	v, err := strconv.Atoi(r.URL.Query().Get(name))
	if err != nil || v < 1 || v > latest {
		return def
	}
	return v
}

func (h *Handlers) policyDiff(w http.ResponseWriter, r *http.Request) {
	cur, ok := h.loadPolicy(w, r)
	if !ok {
		return
	}
	to := versionParam(r, "to", cur.Version, cur.Version)
	from := versionParam(r, "from", max(1, to-1), cur.Version)
	ctx := r.Context()
	a, err := h.policies.Version(ctx, cur.Name, from)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	b, err := h.policies.Version(ctx, cur.Name, to)
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	d := views.PolicyDiffData{Name: cur.Name, Title: cur.Title, From: from, To: to, Ack: h.ack(r, cur.Name)}
	for v := cur.Version; v >= 1; v-- {
		d.Versions = append(d.Versions, v)
	}
	for _, l := range Diff(a.Source, b.Source) {
		op := "same"
		switch l.Op {
		case Added:
			op = "add"
			d.Added++
		case Removed:
			op = "del"
			d.Removed++
		}
		d.Lines = append(d.Lines, views.DiffLine{Op: op, Text: l.Text, Old: l.Old, New: l.New})
	}
	h.web.Render(w, r, http.StatusOK, views.PolicyDiff(h.web.Page(r, "What changed in the "+cur.Title, ""), d))
}

func (h *Handlers) acknowledge(w http.ResponseWriter, r *http.Request, m *Member) {
	cur, ok := h.loadPolicy(w, r)
	if !ok {
		return
	}
	v, err := strconv.Atoi(r.PostFormValue("version"))
	if err != nil || v < 1 || v > cur.Version {
		v = cur.Version
	}
	if err := h.policies.Acknowledge(r.Context(), m.ID, cur.Name, v); err != nil {
		h.web.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/policies/"+cur.Name, http.StatusSeeOther)
}

func (h *Handlers) adminPolicies(w http.ResponseWriter, r *http.Request, _ *Member) {
	h.renderAdminPolicies(w, r, http.StatusOK, "", nil)
}

func (h *Handlers) renderAdminPolicies(w http.ResponseWriter, r *http.Request, status int, name string, errs views.FieldError) {
	all, err := h.policies.All(r.Context())
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	d := views.AdminPoliciesData{NewName: name, Errors: errs}
	for i := range all {
		d.Policies = append(d.Policies, policyView(&all[i]))
	}
	h.web.Render(w, r, status, views.AdminPolicies(h.web.Page(r, "Policies", "admin"), d))
}

func (h *Handlers) editPolicy(w http.ResponseWriter, r *http.Request, _ *Member) {
	name := r.PathValue("name")
	if name == "new" {
		// The "new policy" form asks for the address first, then opens the editor on it.
		name = r.URL.Query().Get("name")
		if !ValidPolicyName(name) || name == "new" {
			h.renderAdminPolicies(w, r, http.StatusUnprocessableEntity, name,
				views.FieldError{"name": "Use lower-case letters, digits and '-' for the address, up to 40 characters."})
			return
		}
		http.Redirect(w, r, "/admin/policies/"+name, http.StatusSeeOther)
		return
	}
	if !ValidPolicyName(name) {
		h.web.NotFound(w, r)
		return
	}
	d := views.PolicyEditData{Name: name}
	p, err := h.policies.Current(r.Context(), name)
	switch {
	case err == nil:
		d.Title, d.Source, d.Version = p.Title, p.Source, p.Version
	case !errors.Is(err, ErrNotFound):
		h.web.Fail(w, r, err)
		return
	}
	h.web.Render(w, r, http.StatusOK, views.PolicyEdit(h.web.Page(r, "Edit policy", "admin"), d))
}

func (h *Handlers) savePolicy(w http.ResponseWriter, r *http.Request, admin *Member) {
	name := r.PathValue("name")
	if !ValidPolicyName(name) || name == "new" {
		h.web.NotFound(w, r)
		return
	}
	d := views.PolicyEditData{Name: name, Title: r.PostFormValue("title"), Source: r.PostFormValue("source"),
		Material: r.PostFormValue("material") == "1"}
	p, err := h.policies.Save(r.Context(), name, d.Title, d.Source, d.Material, admin.ID)
	if fields, status, ok := web.FormErrors(w, err); ok {
		d.Errors = fields
		if cur, err := h.policies.Current(r.Context(), name); err == nil {
			d.Version = cur.Version
		}
		h.web.Render(w, r, status, views.PolicyEdit(h.web.Page(r, "Edit policy", "admin"), d))
		return
	}
	if err != nil {
		h.web.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, p.URL(), http.StatusSeeOther)
}
