package forum

import (
	"net/http"

	"stoa/account"
)

// Routes mounts every page and action of the forum. Routes that need an account go
// through the guard, which sends anonymous visitors to log in, refuses the wrong role
// and reads the form. The composer and the edit form answer 404 for what does not
// exist before they ask anyone to log in, so they check the member themselves.
func (f *Forum) Routes(mux *http.ServeMux) {
	guard := account.Guard{Web: f.web}

	// Reading.
	mux.HandleFunc("GET /{$}", f.pages.home)
	mux.HandleFunc("GET /c/{slug}", f.pages.category)
	mux.HandleFunc("GET /t/{id}", f.pages.thread)
	mux.HandleFunc("GET /t/{id}/{slug}", f.pages.thread)
	mux.HandleFunc("GET /p/{id}", f.pages.postLink)
	mux.HandleFunc("GET /p/{id}/revisions", guard.Staff(f.pages.revisions))
	mux.HandleFunc("GET /u/{name}", f.pages.profile)

	// Writing.
	mux.HandleFunc("GET /new", guard.Member(f.posting.pickCategory))
	mux.HandleFunc("GET /c/{slug}/new", f.posting.composer)
	mux.HandleFunc("POST /c/{slug}/new", guard.Member(f.posting.createThread))
	mux.HandleFunc("POST /t/{id}/reply", guard.Member(f.posting.reply))
	mux.HandleFunc("GET /p/{id}/edit", f.posting.editForm)
	mux.HandleFunc("POST /p/{id}/edit", guard.Member(f.posting.edit))
	mux.HandleFunc("POST /p/{id}/delete", guard.Member(f.posting.delete))
	mux.HandleFunc("POST /preview", guard.Member(f.preview.render))

	// Search and feeds.
	mux.HandleFunc("GET /search", f.Search.page)
	mux.HandleFunc("GET /feed.atom", f.Feeds.latest)
	mux.HandleFunc("GET /c/{slug}/feed.atom", f.Feeds.category)
	mux.HandleFunc("GET /t/{id}/feed.atom", f.Feeds.thread)

	// A member's own choices.
	mux.HandleFunc("POST /p/{id}/react", guard.Member(f.Reactions.react))
	mux.HandleFunc("POST /t/{id}/watch", guard.Member(f.Watches.watch))
	mux.HandleFunc("POST /read-all", guard.Member(f.Unread.readAll))

	// Staff.
	mux.HandleFunc("POST /t/{id}/manage", guard.Staff(f.StaffTools.apply))
	mux.HandleFunc("GET /admin/categories", guard.Admin(f.categories.list))
	mux.HandleFunc("POST /admin/categories", guard.Admin(f.categories.save))
}
