package account

import (
	"net/http"

	"stoa/web"
)

// MemberHandler handles a request from a logged-in member, whose form (for a POST) has
// already been read.
type MemberHandler func(w http.ResponseWriter, r *http.Request, u *User)

// Guard is the one check every route that needs an account goes through: it sends an
// anonymous visitor to log in, refuses a member without the role, and reads a POST's form
// (bounded, valid UTF-8) before the handler runs. Mount routes as
//
//	mux.HandleFunc("POST /t/{id}/reply", guard.Member(h.reply))
type Guard struct{ Web *web.Responder }

// Member lets in any logged-in member.
func (g Guard) Member(h MemberHandler) http.HandlerFunc {
	return g.check(h, func(*User) string { return "" })
}

// Staff lets in moderators and administrators.
func (g Guard) Staff(h MemberHandler) http.HandlerFunc {
	return g.check(h, func(u *User) string {
		if u.IsStaff() {
			return ""
		}
		return "Only moderators and administrators can do this. To tell them about a problem, use the Report link next to it."
	})
}

// Admin lets in administrators.
func (g Guard) Admin(h MemberHandler) http.HandlerFunc {
	return g.check(h, func(u *User) string {
		if u.IsAdmin() {
			return ""
		}
		return "Only administrators can open this page."
	})
}

func (g Guard) check(h MemberHandler, refuse func(*User) string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u := UserFrom(r.Context())
		if u == nil {
			web.RequireLogin(w, r)
			return
		}
		if msg := refuse(u); msg != "" {
			g.Web.Forbidden(w, r, msg)
			return
		}
		if r.Method == http.MethodPost {
			if err := web.ParseForm(w, r); err != nil {
				g.Web.BadInput(w, r, err)
				return
			}
		}
		h(w, r, u)
	}
}
