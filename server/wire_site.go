package server

import (
	"context"
	"net/http"

	"stoa/account"
	"stoa/moderation"
	"stoa/privacy"
	"stoa/site"
	"stoa/storage"
	"stoa/views"
	"stoa/watchwords"
)

// wireSite mounts the site's settings page and the setup checklist (site/). The settings
// themselves are loaded first of all (NewApp), since mail, feeds and every page name the
// site; the checklist's steps need forum, chat, privacy and mail, so this runs after
// them and before moderation, whose /admin dashboard lists its pages.
func (a *App) wireSite(mux *http.ServeMux) {
	guard := account.Guard{Web: a.web}
	policies := a.privacy.policies
	steps := []site.Step{
		{Title: "Shape the categories", URL: "/admin/categories",
			Text: "Add the categories your community needs, or rename and describe “General”.",
			Done: a.forum.Service.CategoriesSetUp},
		{Title: "Open the chat rooms", URL: "/chat/admin",
			Text: "Add rooms, or give the “general” room a name and topic of your own.",
			Done: a.chat.service.RoomsSetUp},
		{Title: "Write the community agreement", URL: "/admin/policies/agreement",
			Text: "The rules members accept and moderators cite in notices. Stoa starts with a sample: make it yours.",
			Done: func(ctx context.Context) (bool, error) {
				p, err := policies.Current(ctx, privacy.Agreement)
				if err != nil {
					return false, err
				}
				return p.Version > 1, nil
			}},
		{Title: "Connect a mail server", URL: "/admin/mail",
			Text: "Start Stoa with --smtp-url so that password resets, notices and notifications reach members. Until then mail stays queued.",
			Done: func(context.Context) (bool, error) { return a.cfg.SMTPURL != "", nil }},
	}
	h := site.NewHandlers(a.site, a.web, site.HandlerOptions{
		Admin: func(next site.AdminHandler) http.HandlerFunc {
			return guard.Admin(func(w http.ResponseWriter, r *http.Request, u *account.User) {
				next(w, r, site.Actor{ID: u.ID, Name: u.Username})
			})
		},
		Record: func(tx *storage.Tx, actor site.Actor, summary string) error {
			return a.moderation.audit.Record(tx, &account.User{ID: actor.ID, Username: actor.Name},
				moderation.Entry{Action: moderation.ActChangeSiteSettings, TargetKind: "site", TargetLabel: summary, TargetURL: "/admin/site"})
		},
		RecordAutomod: func(tx *storage.Tx, actor site.Actor, summary string) error {
			return a.moderation.audit.Record(tx, &account.User{ID: actor.ID, Username: actor.Name},
				moderation.Entry{Action: moderation.ActChangeAutomodSettings, TargetKind: "site", TargetLabel: summary, TargetURL: "/admin/automod"})
		},
		Steps: steps,
		Log:   a.log,
	})
	h.Routes(mux)
	// The watched words (watchwords/): an admin page beside the site's settings.
	watchwords.NewHandlers(a.words, a.web, watchwords.HandlerOptions{
		Admin: func(next watchwords.AdminHandler) http.HandlerFunc {
			return guard.Admin(func(w http.ResponseWriter, r *http.Request, u *account.User) {
				next(w, r, watchwords.Actor{ID: u.ID, Name: u.Username})
			})
		},
		Record: func(tx *storage.Tx, actor watchwords.Actor, summary string) error {
			return a.moderation.audit.Record(tx, &account.User{ID: actor.ID, Username: actor.Name},
				moderation.Entry{Action: moderation.ActChangeWatchedWords, TargetKind: "site", TargetLabel: summary, TargetURL: "/admin/watched-words"})
		},
	}).Routes(mux)
	a.moderation.AdminLinks = append(append(site.AdminLinks(), watchwords.AdminLink()), a.moderation.AdminLinks...)
	a.banners = append(a.banners, func(r *http.Request, u *account.User) []views.Banner {
		return h.Banner(r.Context(), r.URL.Path, u.IsAdmin())
	})
}
