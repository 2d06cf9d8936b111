package site

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"stoa/storage"
	"stoa/views"
	"stoa/web"
)

// Automod holds the numbers behind the automatic first line of moderation; zero turns a
// part off.
type Automod struct {
	// NewMemberPosts is how many of a member's first posts wait for a moderator's
	// approval.
	NewMemberPosts int
	// AutoHideReports is how many distinct members' reports hide a post or chat message
	// until a moderator looks (weighted by reporter standing; see moderation).
	AutoHideReports int
	// DuplicateMinutes is how long the same text from the same member is refused again.
	DuplicateMinutes int
}

// DefaultAutomod is what a new site starts with: duplicates refused for five minutes,
// the rest off.
func DefaultAutomod() Automod { return Automod{DuplicateMinutes: 5} }

// DuplicateWindow is DuplicateMinutes as a duration.
func (a Automod) DuplicateWindow() time.Duration {
	return time.Duration(a.DuplicateMinutes) * time.Minute
}

// Automod returns the automatic moderation settings as last committed.
func (s *Settings) Automod() Automod { return s.info.Load().Automod }

// ParseAutomod reads the settings form, with a message for each field that is not a
// whole number in its range.
func ParseAutomod(newMember, autoHide, duplicate string) (Automod, error) {
	fields := map[string]string{}
	num := func(field, v string, max int, what string) int {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 0 || n > max {
			fields[field] = fmt.Sprintf("Write a whole number from 0 (off) to %d %s.", max, what)
		}
		return n
	}
	a := Automod{
		NewMemberPosts:   num("new_member_posts", newMember, 100, "posts"),
		AutoHideReports:  num("auto_hide_reports", autoHide, 100, "members"),
		DuplicateMinutes: num("duplicate_minutes", duplicate, 1440, "minutes"),
	}
	return a, web.InvalidFields(fields)
}

// SaveAutomod stores a for actor and records the change with record in the same
// transaction.
func (s *Settings) SaveAutomod(ctx context.Context, actor Actor, a Automod, record Recorder) error {
	return s.db.Write(ctx, func(tx *storage.Tx) error {
		for k, v := range map[string]int{keyNewMemberPosts: a.NewMemberPosts, keyAutoHideReports: a.AutoHideReports, keyDuplicateMinutes: a.DuplicateMinutes} {
			if err := s.store.set(tx, k, strconv.Itoa(v)); err != nil {
				return err
			}
		}
		summary := fmt.Sprintf("Automatic moderation set: new-member review %d posts, auto-hide after %d reports, duplicates refused for %d minutes",
			a.NewMemberPosts, a.AutoHideReports, a.DuplicateMinutes)
		if err := record(tx, actor, summary); err != nil {
			return err
		}
		tx.AfterCommit(s.reloadAfter(func(i *Info) { i.Automod = a }))
		return nil
	})
}

func automodData(a Automod) views.AutomodSettingsData {
	return views.AutomodSettingsData{NewMemberPosts: strconv.Itoa(a.NewMemberPosts),
		AutoHideReports: strconv.Itoa(a.AutoHideReports), DuplicateMinutes: strconv.Itoa(a.DuplicateMinutes)}
}

func (h *Handlers) automodForm(w http.ResponseWriter, r *http.Request, _ Actor) {
	d := automodData(h.settings.Automod())
	d.Saved = r.URL.Query().Get("saved") == "1"
	h.web.Render(w, r, http.StatusOK, views.AutomodSettings(h.web.Page(r, "Automatic moderation", "admin"), d))
}

func (h *Handlers) saveAutomod(w http.ResponseWriter, r *http.Request, actor Actor) {
	a, err := ParseAutomod(r.PostFormValue("new_member_posts"), r.PostFormValue("auto_hide_reports"), r.PostFormValue("duplicate_minutes"))
	if err == nil {
		err = h.settings.SaveAutomod(r.Context(), actor, a, h.recordAutomod)
	}
	if err == nil {
		http.Redirect(w, r, "/admin/automod?saved=1", http.StatusSeeOther)
		return
	}
	fields, status, ok := web.FormErrors(w, err)
	if !ok {
		h.web.Fail(w, r, err)
		return
	}
	d := views.AutomodSettingsData{NewMemberPosts: r.PostFormValue("new_member_posts"), AutoHideReports: r.PostFormValue("auto_hide_reports"),
		DuplicateMinutes: r.PostFormValue("duplicate_minutes"), Errors: fields}
	h.web.Render(w, r, status, views.AutomodSettings(h.web.Page(r, "Automatic moderation", "admin"), d))
}
