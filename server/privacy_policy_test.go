package server_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"stoa/account"
	"stoa/internal/stoatest"
)

// P14: policies are versioned; registration records the versions accepted; a material
// change shows every member a banner until they acknowledge it and queues one email to
// every member who gave an address.
func TestP14_MaterialPolicyChangeBannerAndMail(t *testing.T) {
	site := stoatest.Start(t, noLimits)
	alice := register(t, site, "alice", "alice@example.org")
	bob := register(t, site, "bob", "")
	var accepted int
	queryRow(t, site, `select count(*) from policy_consents c join users u on u.id = c.user_id
		where u.username = 'alice' and c.kind = 'accepted' and c.version = 1`, nil, &accepted)
	if accepted != 2 {
		t.Fatalf("registration recorded %d acceptances, want the privacy policy and the agreement", accepted)
	}
	agreement := site.Anonymous(t).Doc("/policies/agreement", http.StatusOK)
	if agreement.Find(".prose ol > li").Length() != 6 {
		t.Errorf("the community agreement has %d numbered rules, want 6", agreement.Find(".prose ol > li").Length())
	}

	// A change that is not material bothers no one.
	admin := site.Member(t, "root", account.RoleAdmin)
	admin.Doc("/admin/policies", http.StatusOK)
	src := admin.Doc("/admin/policies/privacy", http.StatusOK).Find("textarea[name=source]").Text()
	admin.PostForm("/admin/policies/privacy", url.Values{"title": {"Privacy policy"}, "source": {src + "\nA typo fixed.\n"}})
	if len(outbox(t, site)) != 0 || alice.Doc("/", http.StatusOK).Find(".banner-policy").Length() != 0 {
		t.Fatal("a minor change queued mail or showed a banner")
	}

	queuePolicyMail(t, site, admin)
	mails := outbox(t, site)
	if len(mails) != 1 || mails[0].To != "alice@example.org" || mails[0].Kind != "policy" ||
		!strings.Contains(mails[0].Text, "/policies/privacy/diff?from=2&to=3") {
		t.Fatalf("queued mail = %+v, want one policy mail to alice", mails)
	}
	for _, c := range []*stoatest.Client{alice, bob} {
		for _, p := range []string{"/", "/c/general", "/me"} {
			b := c.Doc(p, http.StatusOK).Find(".banner-policy")
			if b.Length() != 1 || !strings.Contains(b.Text(), "Privacy policy changed") {
				t.Fatalf("no policy banner on %s", p)
			}
		}
	}
	if site.Anonymous(t).Doc("/", http.StatusOK).Find(".banner-policy").Length() != 0 {
		t.Error("an anonymous reader sees the member banner")
	}
	// The banner leads to what changed since the member accepted, and the button there
	// acknowledges it.
	link, _ := bob.Doc("/", http.StatusOK).Find(".banner-policy a").Attr("href")
	if link != "/policies/privacy/diff?from=1&to=3" {
		t.Fatalf("banner links to %q", link)
	}
	diff := bob.Doc(link, http.StatusOK)
	if !strings.Contains(diff.Find(".diff-add").Text(), "We keep encrypted backups for 30 days.") {
		t.Error("the diff does not show the added paragraph")
	}
	if diff.Find("form[action='/policies/privacy/acknowledge'] button").Length() != 1 {
		t.Fatal("no acknowledgement button on the diff")
	}
	bob.PostForm("/policies/privacy/acknowledge", url.Values{"version": {"3"}})
	if bob.Doc("/", http.StatusOK).Find(".banner-policy").Length() != 0 {
		t.Error("the banner stays after acknowledging")
	}
	if alice.Doc("/", http.StatusOK).Find(".banner-policy").Length() != 1 {
		t.Error("alice's banner went away with bob's acknowledgement")
	}
	versions := site.Anonymous(t).Doc("/policies/privacy/versions", http.StatusOK)
	if versions.Find("tbody tr").Length() != 3 || !strings.Contains(versions.Text(), "material") {
		t.Error("the version history does not list three versions with the material one marked")
	}
	if site.Anonymous(t).Get("/policies/privacy/v/9").StatusCode != http.StatusNotFound {
		t.Error("a version that does not exist is not a 404")
	}
	// Newcomers accept the current version and see no banner.
	dave := register(t, site, "dave", "dave@example.org")
	if dave.Doc("/", http.StatusOK).Find(".banner-policy").Length() != 0 {
		t.Error("a newcomer is asked to acknowledge a change made before they joined")
	}
	// Only admins edit policies.
	alice.PostForm("/admin/policies/privacy", url.Values{"title": {"Mine"}, "source": {"Nothing."}, "material": {"1"}})
	if alice.Last.StatusCode != http.StatusForbidden {
		t.Errorf("a member saved a policy: %d", alice.Last.StatusCode)
	}
	admin.PostForm("/admin/policies/privacy", url.Values{"title": {""}, "source": {"x"}})
	if admin.Last.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(admin.Body, "title") {
		t.Errorf("saving without a title: %d", admin.Last.StatusCode)
	}
}

var unsubscribeLink = regexp.MustCompile(`/unsubscribe/([A-Za-z0-9_-]+)`)

// P11: announcements are opt-in (off by default) and reach only members who opted in;
// each has a working one-click unsubscribe.
func TestP11_AnnouncementsOptInAndOneClickUnsubscribe(t *testing.T) {
	site := stoatest.Start(t, noLimits)
	in := register(t, site, "keen", "keen@example.org")
	register(t, site, "quiet", "quiet@example.org")
	prefs := in.Doc("/me/preferences", http.StatusOK)
	if box := prefs.Find("input[name=announcements]"); box.Length() != 1 || box.AttrOr("checked", "none") != "none" {
		t.Fatal("the announcements box is missing or on by default")
	}
	in.PostForm("/me/preferences", url.Values{"announcements": {"1"}})
	if _, on := in.Doc("/me/preferences", http.StatusOK).Find("input[name=announcements]").Attr("checked"); !on {
		t.Fatal("opting in did not stick")
	}
	admin := site.Member(t, "root", account.RoleAdmin)
	if !strings.Contains(admin.Doc("/admin/announcements", http.StatusOK).Text(), "1 member") {
		t.Error("the announcement page does not say how many opted in")
	}
	admin.PostForm("/admin/announcements", url.Values{"subject": {"Meetup on Friday"}, "body": {"Come **along**."}})
	if !strings.Contains(admin.Body, "queued for 1") {
		t.Fatalf("sending: %d %s", admin.Last.StatusCode, admin.Path())
	}
	mails := outbox(t, site)
	if len(mails) != 1 || mails[0].To != "keen@example.org" || mails[0].Kind != "announcement" {
		t.Fatalf("announcement went to %+v", mails)
	}
	if !strings.Contains(mails[0].Headers, "List-Unsubscribe-Post") || !strings.Contains(mails[0].Headers, "List-Unsubscribe=One-Click") {
		t.Errorf("headers = %s", mails[0].Headers)
	}
	m := unsubscribeLink.FindStringSubmatch(mails[0].Headers)
	if m == nil || !strings.Contains(mails[0].Text, "/unsubscribe/"+m[1]) {
		t.Fatalf("no unsubscribe link in %q / %q", mails[0].Headers, mails[0].Text)
	}
	// Following the link changes nothing by itself (mail scanners follow links) …
	page := site.Anonymous(t).Doc("/unsubscribe/"+m[1], http.StatusOK)
	if page.Find("form button").Length() != 1 {
		t.Fatal("the unsubscribe page has no button")
	}
	// … while a mail client's RFC 8058 one-click POST, with no cookie and no Origin, works.
	resp, err := http.Post(site.URL+"/unsubscribe/"+m[1], "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("one-click unsubscribe: %d", resp.StatusCode)
	}
	if _, on := in.Doc("/me/preferences", http.StatusOK).Find("input[name=announcements]").Attr("checked"); on {
		t.Error("still subscribed after one-click unsubscribe")
	}
	if site.Anonymous(t).Get("/unsubscribe/made-up-token").StatusCode != http.StatusNotFound {
		t.Error("a made-up unsubscribe link is accepted")
	}
	admin.PostForm("/admin/announcements", url.Values{"subject": {"Second"}, "body": {"Again."}})
	if len(outbox(t, site)) != 1 {
		t.Error("an announcement reached someone who unsubscribed")
	}
	in.PostForm("/admin/announcements", url.Values{"subject": {"Spam"}, "body": {"Buy."}})
	if in.Last.StatusCode != http.StatusForbidden {
		t.Error("a member sent an announcement")
	}
}

// P16: no data leaves the server except mail the member asked for or must receive: after
// a busy session the outbox holds exactly that, each mail to the address its member gave.
func TestP16_OutboxHoldsOnlyExpectedMail(t *testing.T) {
	site := stoatest.Start(t, noLimits)
	alice := register(t, site, "alice", "alice@example.org")
	bob := register(t, site, "bob", "bob@example.org")
	carol := register(t, site, "carol", "")
	thread := post(t, alice, "Hello all", "Hi @bob and @carol, welcome.")
	id := strings.Split(thread, "/")[2]
	bob.PostForm("/t/"+id+"/reply", url.Values{"body": {"Thanks @alice!"}, "token": {account.NewToken()}})
	carol.PostForm("/t/"+id+"/reply", url.Values{"body": {"Hello!"}, "token": {account.NewToken()}})
	chatSay(t, site, bob, "general", "hi @alice")
	alice.PostForm("/me/preferences", url.Values{"announcements": {"0"}})
	bob.PostForm("/me/preferences", url.Values{"announcements": {"1"}})
	anon := site.Anonymous(t)
	anon.PostForm("/contact", url.Values{"subject": {"Q"}, "body": {"A question."}, "reply_to": {"visitor@example.net"}})
	mod := site.Member(t, "mod", account.RoleModerator)
	mod.PostForm("/mod/enquiries/"+enquiryID(t, site), url.Values{"body": {"An answer."}})
	admin := queuePolicyMail(t, site, nil)
	admin.PostForm("/admin/announcements", url.Values{"subject": {"News"}, "body": {"Some news."}})

	want := map[string]bool{
		"enquiry visitor@example.net":  true, // the answer the visitor asked for
		"policy alice@example.org":     true, // material change: every member with an address
		"policy bob@example.org":       true,
		"announcement bob@example.org": true, // bob opted in; alice did not
	}
	got := map[string]bool{}
	emails := map[int64]string{}
	for _, m := range outbox(t, site) {
		key := m.Kind + " " + m.To
		if got[key] {
			t.Errorf("duplicate mail: %s", key)
		}
		got[key] = true
		if !want[key] {
			t.Errorf("unexpected mail: %s %q", key, m.Subject)
		}
		if m.UserID != 0 {
			if _, ok := emails[m.UserID]; !ok {
				var e string
				queryRow(t, site, "select coalesce(email, '') from users where id = ?", []any{m.UserID}, &e)
				emails[m.UserID] = e
			}
			if emails[m.UserID] != m.To {
				t.Errorf("mail for member %d went to %s, not the address they gave", m.UserID, m.To)
			}
		}
	}
	for k := range want {
		if !got[k] {
			t.Errorf("expected mail missing: %s", k)
		}
	}
}
