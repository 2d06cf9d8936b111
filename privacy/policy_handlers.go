package privacy

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"stoa/views"
)

func policyView(p *Policy) views.PolicyView {
	return views.PolicyView{Name: p.Name, Title: p.Title, Version: p.Version, HTML: p.HTML, Date: date(p.CreatedAt), Material: p.Material}
}

// loadPolicy answers 404 for an unknown policy and 500 for a failure.
func (h *Handlers) loadPolicy(w http.ResponseWriter, r *http.Request) (*Policy, bool) {
	p, err := h.policies.Current(r.Context(), r.PathValue("name"))
	if errors.Is(err, ErrNotFound) {
		h.web.NotFound(w, r)
		return nil, false
	}
	if err != nil {
		h.web.ServerError(w, r, err)
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
	v, ok := pathInt(r, "version")
	if !ok || v > cur.Version {
		h.web.NotFound(w, r)
		return
	}
	p, err := h.policies.Version(r.Context(), cur.Name, v)
	if err != nil {
		h.web.ServerError(w, r, err)
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
		h.web.ServerError(w, r, err)
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
		h.web.ServerError(w, r, err)
		return
	}
	b, err := h.policies.Version(ctx, cur.Name, to)
	if err != nil {
		h.web.ServerError(w, r, err)
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

func (h *Handlers) acknowledge(w http.ResponseWriter, r *http.Request) {
	m, ok := h.member(w, r)
	if !ok {
		return
	}
	cur, ok := h.loadPolicy(w, r)
	if !ok || !h.parseForm(w, r) {
		return
	}
	v, err := strconv.Atoi(r.PostFormValue("version"))
	if err != nil || v < 1 || v > cur.Version {
		v = cur.Version
	}
	if err := h.policies.Acknowledge(r.Context(), m.ID, cur.Name, v); err != nil {
		h.web.ServerError(w, r, err)
		return
	}
	http.Redirect(w, r, "/policies/"+cur.Name, http.StatusSeeOther)
}

func (h *Handlers) adminPolicies(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.admin(w, r); !ok {
		return
	}
	h.renderAdminPolicies(w, r, http.StatusOK, "", nil)
}

func (h *Handlers) renderAdminPolicies(w http.ResponseWriter, r *http.Request, status int, name string, errs views.FieldError) {
	all, err := h.policies.All(r.Context())
	if err != nil {
		h.web.ServerError(w, r, err)
		return
	}
	d := views.AdminPoliciesData{NewName: name, Errors: errs}
	for i := range all {
		d.Policies = append(d.Policies, policyView(&all[i]))
	}
	h.web.Render(w, r, status, views.AdminPolicies(h.web.Page(r, "Policies", "admin"), d))
}

func (h *Handlers) editPolicy(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.admin(w, r); !ok {
		return
	}
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
		h.web.ServerError(w, r, err)
		return
	}
	h.web.Render(w, r, http.StatusOK, views.PolicyEdit(h.web.Page(r, "Edit policy", "admin"), d))
}

func (h *Handlers) savePolicy(w http.ResponseWriter, r *http.Request) {
	admin, ok := h.admin(w, r)
	if !ok || !h.parseForm(w, r) {
		return
	}
	name := r.PathValue("name")
	if !ValidPolicyName(name) || name == "new" {
		h.web.NotFound(w, r)
		return
	}
	d := views.PolicyEditData{Name: name, Title: r.PostFormValue("title"), Source: r.PostFormValue("source"),
		Material: r.PostFormValue("material") == "1"}
	p, err := h.policies.Save(r.Context(), name, d.Title, d.Source, d.Material, admin.ID)
	if err == nil {
		http.Redirect(w, r, p.URL(), http.StatusSeeOther)
		return
	}
	var input *InputError
	if !errors.As(err, &input) {
		h.web.ServerError(w, r, err)
		return
	}
	d.Errors = input.Fields
	if cur, err := h.policies.Current(r.Context(), name); err == nil {
		d.Version = cur.Version
	}
	h.web.Render(w, r, http.StatusUnprocessableEntity, views.PolicyEdit(h.web.Page(r, "Edit policy", "admin"), d))
}

// Banners returns a notice for each material policy change the member has not read.
func (h *Handlers) Banners(r *http.Request, userID int64) []views.Banner {
	pending, err := h.policies.Pending(r.Context(), userID)
	if err != nil {
		return nil
	}
	var out []views.Banner
	for _, p := range pending {
		link := "/policies/" + p.Name
		if p.Since > 0 {
			link = fmt.Sprintf("/policies/%s/diff?from=%d&to=%d", p.Name, p.Since, p.Version)
		}
		out = append(out, views.Banner{Kind: "policy",
			Text:   fmt.Sprintf("The %s changed on %s. Please read what changed.", p.Title, date(p.Changed)),
			Link:   link,
			Action: "Read the changes"})
	}
	return out
}
