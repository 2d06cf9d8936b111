package privacy_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"stoa/privacy"
	"stoa/storage"
	"stoa/web"
)

func newPolicies(t *testing.T) (*privacy.Policies, *members, *outbox) {
	t.Helper()
	db := openDB(t)
	m := newMembers(db)
	o := newOutbox(t, db)
	p := privacy.NewPolicies(db, privacy.Options{Render: render, Members: m, Mailer: o, BaseURL: "https://forum.example"})
	if err := p.Seed(context.Background()); err != nil {
		t.Fatal(err)
	}
	return p, m, o
}

func TestSeedAndRules(t *testing.T) {
	p, _, _ := newPolicies(t)
	ctx := context.Background()
	if err := p.Seed(ctx); err != nil { // a second start changes nothing
		t.Fatal(err)
	}
	priv, err := p.Current(ctx, privacy.PrivacyPolicy)
	if err != nil || priv.Version != 1 || !strings.Contains(priv.Source, "IP address") {
		t.Fatalf("privacy policy: %+v, %v", priv, err)
	}
	agr, err := p.Current(ctx, privacy.Agreement)
	if err != nil {
		t.Fatal(err)
	}
	rules := agr.Rules()
	if len(rules) != 6 {
		t.Fatalf("agreement has %d rules, want 6: %+v", len(rules), rules)
	}
	for i, want := range []string{"respectful", "harassment", "personal information", "spam", "on topic", "law"} {
		if rules[i].Number != i+1 || !strings.Contains(rules[i].Text, want) {
			t.Errorf("rule %d = %+v, want it to mention %q", i+1, rules[i], want)
		}
	}
	if v, err := p.CurrentVersion(ctx, privacy.PrivacyPolicy); err != nil || v != 1 {
		t.Errorf("CurrentVersion = %d, %v", v, err)
	}
	if _, err := p.Current(ctx, "nope"); !errors.Is(err, privacy.ErrNotFound) {
		t.Errorf("unknown policy: %v", err)
	}
}

func TestRulesParsing(t *testing.T) {
	src := "Intro line.\n\n1. First rule\n   continues here.\n   - a nested note\n2) Second\n\nA paragraph.\n\n  3. indented is not top level\n10. Tenth\n"
	got := (&privacy.Policy{Source: src}).Rules()
	want := []privacy.Rule{{1, "First rule continues here."}, {2, "Second"}, {10, "Tenth"}}
	if len(got) != len(want) {
		t.Fatalf("rules = %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("rule %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestSaveValidates(t *testing.T) {
	p, _, _ := newPolicies(t)
	ctx := context.Background()
	for _, c := range []struct{ name, title, source, field string }{
		{"privacy", "", "text", "title"},
		{"privacy", "T", "   ", "source"},
		{"Bad Name", "T", "text", "name"},
		{"privacy", "T", strings.Repeat("x", privacy.MaxPolicyBytes+1), "source"},
	} {
		_, err := p.Save(ctx, c.name, c.title, c.source, false, 0)
		var in *web.Error
		if !errors.As(err, &in) || in.Fields[c.field] == "" {
			t.Errorf("Save(%q, %q, …) = %v, want a message for %s", c.name, c.title, err, c.field)
		}
	}
}

func TestP14_MaterialChangeNeedsAcknowledgementAndMailsMembersWithAddress(t *testing.T) {
	p, m, o := newPolicies(t)
	ctx := context.Background()
	admin := m.add(t, "root1", "root@example.org", true)
	alice := m.add(t, "alice", "alice@example.org", false)
	bob := m.add(t, "bob", "", false) // no address: banner, no mail
	for _, u := range []privacy.Member{admin, alice, bob} {
		if err := m.db.Write(ctx, func(tx *storage.Tx) error { return p.Accept(tx, u.ID) }); err != nil {
			t.Fatal(err)
		}
	}

	// A change that is not material asks nothing of anyone.
	if _, err := p.Save(ctx, privacy.PrivacyPolicy, "Privacy policy", "Typo fixed.", false, admin.ID); err != nil {
		t.Fatal(err)
	}
	if pend, _ := p.Pending(ctx, alice.ID); len(pend) != 0 {
		t.Fatalf("non-material change is pending: %+v", pend)
	}
	if n := len(o.sent(t)); n != 0 {
		t.Fatalf("non-material change queued %d mails", n)
	}

	v3, err := p.Save(ctx, privacy.PrivacyPolicy, "Privacy policy", "We now keep less.", true, admin.ID)
	if err != nil || v3.Version != 3 || !v3.Material {
		t.Fatalf("material save: %+v, %v", v3, err)
	}
	mails := o.sent(t)
	if len(mails) != 1 || mails[0].To != "alice@example.org" || mails[0].Kind != "policy" || mails[0].UserID != alice.ID ||
		!strings.Contains(mails[0].Body, "https://forum.example/policies/privacy/diff?from=2&to=3") {
		t.Fatalf("mail queued = %+v, want one to alice (the admin saved it; bob gave no address)", mails)
	}
	for _, u := range []privacy.Member{alice, bob} {
		pend, err := p.Pending(ctx, u.ID)
		if err != nil || len(pend) != 1 || pend[0].Name != "privacy" || pend[0].Version != 3 || pend[0].Since != 1 {
			t.Fatalf("pending for %s = %+v, %v", u.Username, pend, err)
		}
	}
	if pend, _ := p.Pending(ctx, admin.ID); len(pend) != 0 {
		t.Errorf("the admin who saved it is asked to acknowledge: %+v", pend)
	}
	if err := p.Acknowledge(ctx, alice.ID, privacy.PrivacyPolicy, 3); err != nil {
		t.Fatal(err)
	}
	if pend, _ := p.Pending(ctx, alice.ID); len(pend) != 0 {
		t.Errorf("still pending after acknowledging: %+v", pend)
	}
	if pend, _ := p.Pending(ctx, bob.ID); len(pend) != 1 {
		t.Errorf("bob's banner went away without acknowledging: %+v", pend)
	}
	// A later non-material version still needs the material one read.
	if _, err := p.Save(ctx, privacy.PrivacyPolicy, "Privacy policy", "We now keep less!", false, admin.ID); err != nil {
		t.Fatal(err)
	}
	if pend, _ := p.Pending(ctx, bob.ID); len(pend) != 1 || pend[0].Version != 4 {
		t.Errorf("pending after a minor follow-up: %+v", pend)
	}
	// A member who registers now accepted the newest version and is asked nothing.
	carol := m.add(t, "carol", "carol@example.org", false)
	if err := m.db.Write(ctx, func(tx *storage.Tx) error { return p.Accept(tx, carol.ID) }); err != nil {
		t.Fatal(err)
	}
	if pend, _ := p.Pending(ctx, carol.ID); len(pend) != 0 {
		t.Errorf("new member has pending changes: %+v", pend)
	}
	cons, err := p.Consents(ctx, alice.ID)
	if err != nil || len(cons) != 3 { // accepted privacy 1 and agreement 1, acknowledged privacy 3
		t.Errorf("alice's consents = %+v, %v", cons, err)
	}
	hist, err := p.History(ctx, privacy.PrivacyPolicy)
	if err != nil || len(hist) != 4 || hist[0].Version != 4 || hist[3].Version != 1 {
		t.Errorf("history = %d versions, %v", len(hist), err)
	}
	if err := p.Acknowledge(ctx, bob.ID, privacy.PrivacyPolicy, 99); !errors.Is(err, privacy.ErrNotFound) {
		t.Errorf("acknowledging a version that does not exist: %v", err)
	}
}
