package moderation_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"stoa/account"
	"stoa/internal/stoatest"
)

// TestSuspendedMemberIsToldWhyAndUntilWhen: a suspension ends the member's sessions at
// once, and the login page says why and until when.
func TestSuspendedMemberIsToldWhyAndUntilWhen(t *testing.T) {
	site := stoatest.Start(t)
	alice := site.Member(t, "alice", account.RoleMember)
	mod := site.Member(t, "mia", account.RoleModerator)

	mod.PostForm("/mod/users/alice", url.Values{"do": {"apply"}, "send_notice": {"1"}, "notice": {"Three days off."},
		"sanction": {"suspend"}, "suspend_for": {"72"}, "reason": {"Repeated spam"}})
	if mod.Last.StatusCode != http.StatusOK || !strings.Contains(mod.Path(), "done=1") {
		t.Fatalf("suspend: %d %s", mod.Last.StatusCode, text(mod.Body))
	}
	if doc := alice.Doc("/me", http.StatusOK); strings.Contains(doc.Text(), "Log out") || alice.Path() == "/me" {
		t.Error("the suspended member's session still works")
	}
	login := site.Anonymous(t)
	login.PostForm("/login", url.Values{"username": {"alice"}, "password": {"password-alice"}})
	body := text(login.Body)
	if login.Last.StatusCode != http.StatusForbidden || !strings.Contains(body, "suspended until") ||
		!strings.Contains(body, "Repeated spam") || !strings.Contains(body, "UTC") {
		t.Errorf("login while suspended: %d %s", login.Last.StatusCode, body)
	}

	// Lifting the suspension lets her back in; the record keeps both.
	doc := mod.Doc("/mod/users/alice", http.StatusOK)
	lift, ok := doc.Find(`form[action$="/lift"]`).Attr("action")
	if !ok {
		t.Fatalf("no way to lift the suspension: %s", text(mod.Body))
	}
	mod.PostForm(lift, url.Values{"reason": {"Appeal accepted"}})
	login.PostForm("/login", url.Values{"username": {"alice"}, "password": {"password-alice"}})
	if !strings.Contains(login.Body, "Log out") {
		t.Errorf("login after the suspension was lifted: %d %s", login.Last.StatusCode, text(login.Body))
	}
	if log := text(site.Anonymous(t).Doc("/modlog", http.StatusOK).Text()); !strings.Contains(log, "Sanction lifted") || !strings.Contains(log, "Appeal accepted") {
		t.Errorf("modlog: %s", log)
	}
}

// TestBanIsASuspensionWithoutEnd.
func TestBanIsASuspensionWithoutEnd(t *testing.T) {
	site := stoatest.Start(t)
	site.Member(t, "spammer", account.RoleMember)
	mod := site.Member(t, "mia", account.RoleModerator)
	mod.PostForm("/mod/users/spammer", url.Values{"do": {"apply"}, "sanction": {"ban"}, "reason": {"Spam bot"}})
	c := site.Anonymous(t)
	c.PostForm("/login", url.Values{"username": {"spammer"}, "password": {"password-spammer"}})
	if c.Last.StatusCode != http.StatusForbidden || !strings.Contains(c.Body, "banned") || !strings.Contains(c.Body, "Spam bot") {
		t.Errorf("banned login: %d %s", c.Last.StatusCode, text(c.Body))
	}
	if doc := mod.Doc("/mod/users/spammer", http.StatusOK); !strings.Contains(doc.Text(), "in force") {
		t.Error("the record does not show the ban in force")
	}
}

// TestSanctionsNeedAReasonAndSpareStaff: a sanction is refused without a reason, and
// staff cannot be sanctioned; what the moderator typed is kept.
func TestSanctionsNeedAReasonAndSpareStaff(t *testing.T) {
	site := stoatest.Start(t)
	site.Member(t, "alice", account.RoleMember)
	site.Member(t, "otto", account.RoleModerator)
	mod := site.Member(t, "mia", account.RoleModerator)

	mod.PostForm("/mod/users/alice", url.Values{"do": {"apply"}, "send_notice": {"1"}, "notice": {"my careful words"},
		"sanction": {"silence"}, "silence_for": {"24"}})
	if mod.Last.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(mod.Body, "Give a reason") ||
		!strings.Contains(mod.Body, "my careful words") {
		t.Errorf("sanction without reason: %d %s", mod.Last.StatusCode, text(mod.Body))
	}
	mod.PostForm("/mod/users/alice", url.Values{"do": {"apply"}, "sanction": {"silence"}, "silence_for": {"5"}, "reason": {"x"}})
	if mod.Last.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(mod.Body, "from the list") {
		t.Errorf("unlisted duration: %d %s", mod.Last.StatusCode, text(mod.Body))
	}
	mod.PostForm("/mod/users/otto", url.Values{"do": {"apply"}, "sanction": {"ban"}, "reason": {"power struggle"}})
	if mod.Last.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(mod.Body, "cannot be sanctioned") {
		t.Errorf("sanctioning staff: %d %s", mod.Last.StatusCode, text(mod.Body))
	}
	mod.PostForm("/mod/users/alice", url.Values{"do": {"apply"}, "notice": {"typed but not ticked"}})
	if mod.Last.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(mod.Body, "Tick") {
		t.Errorf("a typed notice without the box ticked: %d %s", mod.Last.StatusCode, text(mod.Body))
	}
	mod.PostForm("/mod/users/alice", url.Values{"do": {"apply"}})
	if mod.Last.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(mod.Body, "Choose at least one action") {
		t.Errorf("nothing chosen: %d %s", mod.Last.StatusCode, text(mod.Body))
	}
}
