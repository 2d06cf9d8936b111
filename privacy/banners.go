package privacy

import (
	"fmt"
	"net/http"
	"strings"

	"stoa/views"
)

// Banners are privacy's notices at the top of every page: a material policy change the
// member has not read, answers to their enquiries, and, for staff, enquiries waiting.
type Banners struct {
	policies  *Policies
	enquiries *Enquiries
}

// NewBanners returns privacy's page banners.
func NewBanners(policies *Policies, enquiries *Enquiries) Banners {
	return Banners{policies: policies, enquiries: enquiries}
}

// For returns the banners for a member; staff also hear of waiting enquiries.
func (b Banners) For(r *http.Request, userID int64, staff bool) []views.Banner {
	out := append(b.policyChanges(r, userID), b.answers(r, userID)...)
	if staff {
		out = append(out, b.inbox(r)...)
	}
	return out
}

// policyChanges returns a notice for each material policy change the member has not read.
func (b Banners) policyChanges(r *http.Request, userID int64) []views.Banner {
	pending, err := b.policies.Pending(r.Context(), userID)
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

// answers tells a member that staff answered their enquiry.
func (b Banners) answers(r *http.Request, userID int64) []views.Banner {
	n, err := b.enquiries.UnreadAnswers(r.Context(), userID)
	if err != nil || n == 0 {
		return nil
	}
	text := "The team answered your enquiry."
	if n > 1 {
		text = fmt.Sprintf("The team sent %d answers to your enquiries.", n)
	}
	return []views.Banner{{Kind: "info", Text: text, Link: "/me/enquiries", Action: "Read"}}
}

// inbox tells staff, on the inbox's own pages excepted, that enquiries wait for an
// answer.
func (b Banners) inbox(r *http.Request) []views.Banner {
	if strings.HasPrefix(r.URL.Path, "/mod/enquiries") {
		return nil
	}
	n, err := b.enquiries.OpenCount(r.Context())
	if err != nil || n == 0 {
		return nil
	}
	text := "An enquiry waits for an answer."
	if n > 1 {
		text = fmt.Sprintf("%d enquiries wait for an answer.", n)
	}
	return []views.Banner{{Kind: "info", Text: text, Link: "/mod/enquiries", Action: "Open the inbox"}}
}
