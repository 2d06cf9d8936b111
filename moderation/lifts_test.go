package moderation_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"stoa/account"
	"stoa/internal/stoatest"
)

// sanction applies a sanction to name from their record, with a notice, and fails
// unless it was applied.
func sanction(t *testing.T, mod *stoatest.Client, name string, form url.Values) {
	t.Helper()
	v := url.Values{"do": {"apply"}, "send_notice": {"1"}, "notice": {"Please stop."}, "reason": {"Spam"}}
	for k, x := range form {
		v[k] = x
	}
	mod.PostForm("/mod/users/"+name, v)
	if mod.Last.StatusCode != http.StatusOK || !strings.Contains(mod.Path(), "done=1") {
		t.Fatalf("sanction %s %v: %d %s", name, form, mod.Last.StatusCode, text(mod.Body))
	}
}

// reinstate submits the record's one reinstate form and fails unless it worked.
func reinstate(t *testing.T, mod *stoatest.Client, name, reason string, inError bool) {
	t.Helper()
	doc := mod.Doc("/mod/users/"+name, http.StatusOK)
	action, ok := doc.Find(`form[action$="/lift"]`).Attr("action")
	if !ok {
		t.Fatalf("no reinstate form on %s's record: %s", name, text(mod.Body))
	}
	if n := doc.Find(`form[action$="/lift"]`).Length(); n != 1 {
		t.Errorf("%d lift forms on the record, want one reinstate", n)
	}
	v := url.Values{"reason": {reason}}
	if inError {
		v.Set("in_error", "1")
	}
	mod.PostForm(action, v)
	if mod.Last.StatusCode != http.StatusOK || !strings.Contains(mod.Path(), "done=1") {
		t.Fatalf("reinstate %s: %d %s", name, mod.Last.StatusCode, text(mod.Body))
	}
}

func suggestion(t *testing.T, mod *stoatest.Client, name string) string {
	t.Helper()
	return text(mod.Doc("/mod/users/"+name, http.StatusOK).Find(".mod-suggest strong").Text())
}

// TestLiftedSanctionsCountByTheRule (issue 15, bug 2): a sanction lifted as applied in
// error never counts toward the suggested next step; one lifted after an appeal counts
// one step lighter, so it does not suggest a ban as if it were still in force.
func TestLiftedSanctionsCountByTheRule(t *testing.T) {
	site := stoatest.Start(t)
	site.Member(t, "alice", account.RoleMember)
	site.Member(t, "bob", account.RoleMember)
	mod := site.Member(t, "mia", account.RoleModerator)

	// alice was suspended by mistake (the moderator meant someone else).
	sanction(t, mod, "alice", url.Values{"sanction": {"suspend"}, "suspend_for": {"72"}})
	if got := suggestion(t, mod, "alice"); got != "a notice and a ban" {
		t.Fatalf("with a suspension in force the suggestion is %q", got)
	}
	reinstate(t, mod, "alice", "Wrong member", true)
	page := text(mod.Doc("/mod/users/alice", http.StatusOK).Text())
	if !strings.Contains(page, "applied in error") || !strings.Contains(page, "Wrong member") {
		t.Errorf("the record does not say the suspension was applied in error, and why: %s", page)
	}
	// The notice that came with it still counts; the suspension does not.
	if got := suggestion(t, mod, "alice"); got != "a notice and a 1 day silence" {
		t.Errorf("after lifting a suspension applied in error, the suggestion is %q, want a notice and a 1 day silence", got)
	}

	// bob was silenced, then suspended, and reinstated after an appeal: the suspension
	// counts as a silence, so the ladder suggests a suspension again, not a ban.
	sanction(t, mod, "bob", url.Values{"sanction": {"silence"}, "silence_for": {"24"}})
	sanction(t, mod, "bob", url.Values{"sanction": {"suspend"}, "suspend_for": {"168"}})
	reinstate(t, mod, "bob", "Appeal accepted", false)
	if got := suggestion(t, mod, "bob"); got != "a notice and a 1 week suspension" {
		t.Errorf("after an appeal lifted bob's suspension, the suggestion is %q, want a notice and a 1 week suspension", got)
	}
}

// TestHeavierSanctionReplacesLighterAndOneReinstateRestores (issue 15, bug 3): a
// silence, then a suspension, then a ban leave one sanction in force; one reinstate
// lets the member log in and post again; they are told in their notices, and the lift
// reason is on their record.
func TestHeavierSanctionReplacesLighterAndOneReinstateRestores(t *testing.T) {
	site := stoatest.Start(t)
	site.Member(t, "troll", account.RoleMember)
	mod := site.Member(t, "mia", account.RoleModerator)

	sanction(t, mod, "troll", url.Values{"sanction": {"silence"}, "silence_for": {"24"}})
	sanction(t, mod, "troll", url.Values{"sanction": {"suspend"}, "suspend_for": {"72"}})
	sanction(t, mod, "troll", url.Values{"sanction": {"ban"}})
	doc := mod.Doc("/mod/users/troll", http.StatusOK)
	if n := doc.Find("#h-sanctions ~ ul .tag:contains('in force')").Length(); n != 1 {
		t.Errorf("%d sanctions in force after silence, suspension and ban, want 1 (the ban)", n)
	}
	if page := text(doc.Text()); strings.Count(page, "replaced") != 2 {
		t.Errorf("the record does not say the silence and the suspension were replaced: %s", page)
	}

	// A lighter sanction on top of the ban is refused, not stacked or softened.
	mod.PostForm("/mod/users/troll", url.Values{"do": {"apply"}, "sanction": {"silence"}, "silence_for": {"24"}, "reason": {"x"}})
	if mod.Last.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(mod.Body, "already banned") {
		t.Errorf("a silence on top of a ban: %d %s", mod.Last.StatusCode, text(mod.Body))
	}

	reinstate(t, mod, "troll", "Appeal accepted", false)
	troll := site.Anonymous(t)
	troll.PostForm("/login", url.Values{"username": {"troll"}, "password": {"password-troll"}})
	if !strings.Contains(troll.Body, "Log out") {
		t.Fatalf("after one reinstate troll cannot log in: %d %s", troll.Last.StatusCode, text(troll.Body))
	}
	newThread(t, troll, "I am back", "And I will behave.")

	// The member is told, with the reason.
	notices := text(troll.Doc("/notices", http.StatusOK).Text())
	if !strings.Contains(notices, "lifted your ban") {
		t.Errorf("troll's notices do not say the ban was lifted: %s", notices)
	}
	// The record shows why it was lifted, not only the audit log.
	if page := text(mod.Doc("/mod/users/troll", http.StatusOK).Text()); !strings.Contains(page, "Lifted because: Appeal accepted") {
		t.Errorf("the record does not show the lift reason: %s", page)
	}
	if doc := mod.Doc("/mod/users/troll", http.StatusOK); doc.Find(`form[action$="/lift"]`).Length() != 0 {
		t.Error("a reinstate form is still offered with nothing in force")
	}
}
