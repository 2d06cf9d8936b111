package server_test

import (
	"net/http"
	"net/url"
	"strings"
)

// modCases is the authorisation matrix: every route, one request each, with the status
// each kind of visitor gets. Requests that change things use input the handler refuses
// after the role check (an empty form, a missing id), so the order does not matter,
// except the few marked, which act on things of their own.
//
// The fixture: thread 1 “Welcome” by alice (post 1), with replies by sam (post 2) and bob
// (posts 3 and 4); chat messages by alice (1) and bob (2, 3) in #general; notice 1 to sam,
// who is silenced; sue is suspended.
func modCases() []modCase {
	get := func(route, path string, want [modRoles]int) modCase {
		return modCase{route: "GET " + route, method: http.MethodGet, path: path, want: want}
	}
	post := func(route, path string, form url.Values, want [modRoles]int) modCase {
		return modCase{route: "POST " + route, method: http.MethodPost, path: path, form: form, want: want}
	}
	// A member who is the author may edit; others may not.
	authorOnly := [modRoles]int{303, 200, 403, 303, 200, 200}
	invalid := [modRoles]int{303, 422, 422, 303, 422, 422}
	staffInvalid := [modRoles]int{303, 403, 403, 303, 422, 422}
	adminInvalid := [modRoles]int{303, 403, 403, 303, 403, 422}
	everyone404 := modNowhere
	gone := [modRoles]int{410, 410, 410, 410, 410, 410}
	cases := []modCase{
		// Forum: reading is open; posting needs an account that is not silenced.
		get("/{$}", "/", modPublic),
		get("/c/{slug}", "/c/general", modPublic),
		get("/c/{slug}/feed.atom", "/c/general/feed.atom", modPublic),
		get("/c/{slug}/new", "/c/general/new", modPosters),
		post("/c/{slug}/new", "/c/general/new", nil, [modRoles]int{303, 422, 403, 303, 422, 422}),
		get("/t/{id}", "/t/1", [modRoles]int{301, 301, 301, 301, 301, 301}),
		get("/t/{id}/{slug}", "/t/1/welcome", modPublic),
		get("/t/{id}/feed.atom", "/t/1/feed.atom", modPublic),
		post("/t/{id}/reply", "/t/1/reply", nil, [modRoles]int{303, 422, 403, 303, 422, 422}),
		post("/t/{id}/manage", "/t/1/manage", url.Values{"action": {"bogus"}}, staffInvalid),
		post("/t/{id}/watch", "/t/1/watch", url.Values{"watch": {"0"}}, [modRoles]int{303, 303, 303, 303, 303, 303}),
		get("/p/{id}", "/p/1", [modRoles]int{302, 302, 302, 302, 302, 302}),
		get("/p/{id}/edit", "/p/1/edit", authorOnly),
		post("/p/{id}/edit", "/p/1/edit", nil, [modRoles]int{303, 422, 403, 303, 422, 422}),
		get("/p/{id}/revisions", "/p/1/revisions", modStaffOnly),
		post("/p/{id}/react", "/p/1/react", url.Values{"kind": {"bogus"}}, [modRoles]int{303, 400, 400, 303, 400, 400}),
		get("/u/{name}", "/u/alice", modPublic),
		get("/search", "/search?q=welcome", modPublic),
		get("/feed.atom", "/feed.atom", modPublic),
		post("/read-all", "/read-all", nil, [modRoles]int{303, 303, 303, 303, 303, 303}),
		get("/new", "/new", modPosters),
		post("/preview", "/preview", nil, modMembers),
		get("/admin/categories", "/admin/categories", modAdmins),
		post("/admin/categories", "/admin/categories", nil, adminInvalid),

		// Accounts.
		get("/register", "/register", [modRoles]int{200, 303, 303, 200, 303, 303}),
		post("/register", "/register", nil, [modRoles]int{422, 422, 422, 422, 422, 422}),
		get("/login", "/login", modPublic),
		post("/login", "/login", nil, [modRoles]int{401, 401, 401, 401, 401, 401}),
		get("/login/check", "/login/check", [modRoles]int{200, 303, 303, 200, 303, 303}),
		get("/me", "/me", modMembers),
		get("/me/export", "/me/export", modMembers),
		get("/me/delete", "/me/delete", modMembers),
		post("/me/delete", "/me/delete", nil, invalid),
		get("/me/password", "/me/password", modMembers),
		post("/me/password", "/me/password", nil, invalid),
		get("/me/email", "/me/email", modMembers),
		post("/me/email", "/me/email", url.Values{"email": {"not an address"}}, invalid),
		post("/me/email/resend", "/me/email/resend", nil, modMembers),
		post("/me/email/remove", "/me/email/remove", nil, invalid),
		get("/me/email/confirm/{token}", "/me/email/confirm/bogus", gone),
		post("/me/email/confirm/{token}", "/me/email/confirm/bogus", nil, gone),
		get("/forgot", "/forgot", modPublic),
		post("/forgot", "/forgot", nil, [modRoles]int{422, 422, 422, 422, 422, 422}),
		get("/reset/{token}", "/reset/bogus", gone),
		post("/reset/{token}", "/reset/bogus", nil, gone),
		get("/setup/{token}", "/setup/bogus", everyone404),
		post("/setup/{token}", "/setup/bogus", nil, everyone404),
		get("/notifications", "/notifications", modMembers),
		post("/notifications/read", "/notifications/read", nil, [modRoles]int{303, 303, 303, 303, 303, 303}),
		get("/notifications/{id}", "/notifications/999", [modRoles]int{303, 404, 404, 303, 404, 404}),
		get("/me/notifications", "/me/notifications", modMembers),
		get("/avatar/{name}", "/avatar/alice", modPublic),
		get("/me/avatar", "/me/avatar", modMembers),
		post("/me/avatar", "/me/avatar", nil, [modRoles]int{303, 422, 403, 303, 422, 422}),
		post("/me/avatar/remove", "/me/avatar/remove", nil, [modRoles]int{303, 303, 303, 303, 303, 303}),
		post("/me/notifications", "/me/notifications", nil, invalid),

		// Chat: reading is open; writing needs an account that is not silenced.
		get("/chat", "/chat", modPublic),
		get("/chat/{$}", "/chat/", modPublic),
		get("/chat/{room}", "/chat/general", modPublic),
		get("/chat/{room}/ws", "/chat/general/ws", [modRoles]int{400, 400, 400, 400, 400, 400}),
		post("/chat/{room}/messages", "/chat/general/messages", nil, [modRoles]int{303, 422, 403, 303, 422, 422}),
		post("/chat/{room}/ack", "/chat/general/ack", nil, [modRoles]int{303, 303, 303, 303, 303, 303}),
		// Only its author edits a chat message; staff delete it from the review queue.
		get("/chat/{room}/messages/{id}/edit", "/chat/general/messages/1/edit", [modRoles]int{303, 200, 403, 303, 403, 403}),
		post("/chat/{room}/messages/{id}/edit", "/chat/general/messages/1/edit", nil, [modRoles]int{303, 422, 403, 303, 403, 403}),
		get("/chat/{room}/messages/{id}/delete", "/chat/general/messages/1/delete", [modRoles]int{303, 200, 403, 303, 403, 403}),
		get("/chat/admin", "/chat/admin", modAdmins),
		post("/chat/admin/rooms", "/chat/admin/rooms", nil, adminInvalid),
		post("/chat/admin/rooms/{room}", "/chat/admin/rooms/general", nil, adminInvalid),
		post("/chat/admin/rooms/{room}/archive", "/chat/admin/rooms/nowhere/archive", nil, [modRoles]int{303, 403, 403, 303, 403, 404}),

		// Policies, contact and privacy tools.
		get("/policies/{name}", "/policies/agreement", modPublic),
		get("/policies/{name}/v/{version}", "/policies/agreement/v/1", modPublic),
		get("/policies/{name}/versions", "/policies/agreement/versions", modPublic),
		get("/policies/{name}/diff", "/policies/agreement/diff?from=1&to=1", modPublic),
		post("/policies/{name}/acknowledge", "/policies/agreement/acknowledge", nil, [modRoles]int{303, 303, 303, 303, 303, 303}),
		get("/contact", "/contact", modPublic),
		post("/contact", "/contact", nil, [modRoles]int{422, 422, 422, 422, 422, 422}),
		get("/me/preferences", "/me/preferences", modMembers),
		post("/me/preferences", "/me/preferences", nil, [modRoles]int{303, 303, 303, 303, 303, 303}),
		get("/me/enquiries", "/me/enquiries", modMembers),
		get("/me/enquiries/{id}", "/me/enquiries/999", [modRoles]int{303, 404, 404, 303, 404, 404}),
		post("/me/enquiries/{id}", "/me/enquiries/999", nil, [modRoles]int{303, 404, 404, 303, 404, 404}),
		get("/unsubscribe/{token}", "/unsubscribe/bogus", everyone404),
		post("/unsubscribe/{token}", "/unsubscribe/bogus", nil, everyone404),
		get("/mod/enquiries", "/mod/enquiries", modStaffOnly),
		get("/mod/enquiries/{id}", "/mod/enquiries/999", [modRoles]int{303, 403, 403, 303, 404, 404}),
		post("/mod/enquiries/{id}", "/mod/enquiries/999", nil, [modRoles]int{303, 403, 403, 303, 404, 404}),
		get("/admin/policies", "/admin/policies", modAdmins),
		get("/admin/policies/{name}", "/admin/policies/agreement", modAdmins),
		post("/admin/policies/{name}", "/admin/policies/agreement", nil, adminInvalid),
		get("/admin/announcements", "/admin/announcements", modAdmins),
		post("/admin/announcements", "/admin/announcements", nil, adminInvalid),
		get("/admin/analytics", "/admin/analytics", modAdmins),
		get("/admin/privacy", "/admin/privacy", modAdmins),
		get("/admin/users/{name}/email", "/admin/users/alice/email", modAdmins),
		post("/admin/users/{name}/email", "/admin/users/alice/email", nil, adminInvalid),
		get("/admin/users/{name}/export", "/admin/users/alice/export", modAdmins),
		post("/admin/users/{name}/export", "/admin/users/alice/export", nil, adminInvalid),
		get("/admin/mail", "/admin/mail", modAdmins),
		post("/admin/mail/retry-failed", "/admin/mail/retry-failed", nil, [modRoles]int{303, 403, 403, 303, 403, 303}),
		post("/admin/mail/{id}/retry", "/admin/mail/999/retry", nil, [modRoles]int{303, 403, 403, 303, 403, 404}),
		post("/admin/mail/{id}/discard", "/admin/mail/999/discard", nil, [modRoles]int{303, 403, 403, 303, 403, 404}),

		// Moderation: reporting and notices for members; the queue for staff; roles and the
		// audit log for admins; the moderation log for everyone.
		get("/report", "/report?post=1", modMembers),
		post("/report", "/report", nil, [modRoles]int{303, 400, 400, 303, 400, 400}),
		get("/notices", "/notices", modMembers),
		get("/notices/{id}", "/notices/1", [modRoles]int{303, 404, 200, 303, 404, 404}),
		post("/notices/{id}/reply", "/notices/1/reply", nil, [modRoles]int{303, 404, 422, 303, 404, 404}),
		get("/modlog", "/modlog", modPublic),
		get("/mod", "/mod", modStaffOnly),
		get("/mod/review/{kind}/{id}", "/mod/review/post/1", modStaffOnly),
		post("/mod/review/{kind}/{id}", "/mod/review/post/1", url.Values{"do": {"apply"}}, staffInvalid),
		get("/mod/users/{name}", "/mod/users/alice", modStaffOnly),
		post("/mod/users/{name}", "/mod/users/alice", url.Values{"do": {"apply"}}, staffInvalid),
		post("/mod/users/{name}/notes", "/mod/users/alice/notes", nil, staffInvalid),
		post("/mod/users/{name}/sanctions/{id}/lift", "/mod/users/sam/sanctions/999/lift", nil, [modRoles]int{303, 403, 403, 303, 404, 404}),
		get("/mod/deleted/{id}", "/mod/deleted/999", [modRoles]int{303, 403, 403, 303, 404, 404}),
		get("/mod/notices", "/mod/notices", modStaffOnly),
		get("/mod/notices/{id}", "/mod/notices/1", modStaffOnly),
		post("/mod/notices/{id}/reply", "/mod/notices/1/reply", nil, staffInvalid),
		get("/admin", "/admin", modAdmins),
		get("/admin/users", "/admin/users", modAdmins),
		post("/admin/users/{name}/role", "/admin/users/alice/role", url.Values{"role": {"king"}}, adminInvalid),
		get("/admin/users/{name}", "/admin/users/alice", modAdmins),
		post("/admin/users/{name}/reset-link", "/admin/users/alice/reset-link", url.Values{"reason": {strings.Repeat("x", 600)}}, adminInvalid),
		get("/admin/audit", "/admin/audit", modAdmins),
		get("/admin/site", "/admin/site", modAdmins),
		post("/admin/site", "/admin/site", nil, adminInvalid),
		get("/admin/setup", "/admin/setup", modAdmins),
		post("/admin/setup", "/admin/setup", nil, [modRoles]int{303, 403, 403, 303, 403, 303}),

		// The site itself; metrics and profiles live on a private address, never here.
		get("/healthz", "/healthz", modPublic),
		get("/static/", "/static/favicon.svg", modPublic),
		get("/metrics", "/metrics", everyone404),

		// Last, the requests that change what they act on: each role acts on its own thing.
		{route: "POST /p/{id}/delete", method: http.MethodPost, path: "/p/3/delete",
			want: [modRoles]int{303, 403, 403, 303, 303, 303}, paths: map[int]string{modAdmin: "/p/4/delete"}},
		post("/chat/{room}/messages/{id}/delete", "/chat/general/messages/2/delete", nil, [modRoles]int{303, 403, 403, 303, 403, 403}),
		// -303: a redirect that is not to the login page.
		post("/logout", "/logout", nil, [modRoles]int{-303, 303, 303, -303, 303, 303}),
	}
	return cases
}
