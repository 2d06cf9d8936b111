package moderation_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"stoa/account"
	"stoa/internal/stoatest"
)

// TestBurstOfReportsIsOneIncident (issue 15, bug 4): a member posts four insults, each is
// reported; a moderator silences them for one. The other three reports arrived before
// that action, so they belong to the same incident: their cards say so and suggest no
// further notice or sanction. A report that arrives after the action starts the next
// incident and climbs the ladder as before.
func TestBurstOfReportsIsOneIncident(t *testing.T) {
	site := stoatest.Start(t)
	troll := site.Member(t, "troll", account.RoleMember)
	bob := site.Member(t, "bob", account.RoleMember)
	mod := site.Member(t, "mia", account.RoleModerator)

	newThread(t, bob, "Garden", "Show your tomatoes.")
	thread := bob.Path()
	var posts []string
	for _, body := range []string{"Your tomatoes are ugly.", "Ugly gardener.", "Nobody likes you.", "Go away."} {
		posts = append(posts, replyTo(t, troll, thread, body))
	}
	for _, p := range posts {
		report(t, bob, "post", p, "harassment", "")
	}

	mod.PostForm("/mod/review/post/"+posts[0], url.Values{"do": {"apply"}, "reports_open": {"1"}, "hide": {"1"},
		"send_notice": {"1"}, "notice": {"Stop insulting bob."}, "sanction": {"silence"}, "silence_for": {"24"},
		"reason": {"Insulting a member"}})
	if mod.Last.StatusCode != http.StatusOK {
		t.Fatalf("act: %d %s", mod.Last.StatusCode, text(mod.Body))
	}

	doc := mod.Doc("/mod", http.StatusOK)
	cards := doc.Find(".mod-item")
	if cards.Length() != 3 {
		t.Fatalf("queue has %d items, want the 3 other reported posts\n%s", cards.Length(), text(mod.Body))
	}
	for i := range cards.Length() {
		ct := text(cards.Eq(i).Text())
		if strings.Contains(ct, "suspension") || strings.Contains(ct, "a notice and") {
			t.Errorf("card %d still suggests escalating: %s", i, ct)
		}
		if !strings.Contains(ct, "Covered by") || !strings.Contains(ct, "silenced") {
			t.Errorf("card %d does not say the silence covers it: %s", i, ct)
		}
	}
	// The review page of a covered report suggests no sanction either.
	form := mod.Doc("/mod/review/post/"+posts[1], http.StatusOK).Find("form.mod-actions")
	if v, _ := form.Find(`input[name=sanction]:checked`).Attr("value"); v != "" {
		t.Errorf("the review page of a covered report preselects the sanction %q", v)
	}
	if _, on := form.Find(`input[name=send_notice]`).Attr("checked"); on {
		t.Error("the review page of a covered report preselects another notice")
	}

	// A new report after the action is a new incident: the ladder climbs.
	// (troll is silenced and cannot post, so carol reports one of the old posts anew.)
	carol := site.Member(t, "carol", account.RoleMember)
	report(t, carol, "post", posts[2], "harassment", "Still insulting.")
	doc = mod.Doc("/mod", http.StatusOK)
	var found bool
	for i := range doc.Find(".mod-item").Length() {
		card := doc.Find(".mod-item").Eq(i)
		ct := text(card.Text())
		if strings.Contains(ct, "Nobody likes you") {
			found = true
			if strings.Contains(ct, "Covered by") || !strings.Contains(ct, "suspension") {
				t.Errorf("a report received after the action should start a new incident: %s", ct)
			}
		}
	}
	if !found {
		t.Fatalf("the re-reported post is not in the queue: %s", text(mod.Body))
	}
}
