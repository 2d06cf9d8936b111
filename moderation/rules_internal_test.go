package moderation

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"stoa/account"
	"stoa/storage"
	"stoa/web"
)

// TestDecisionsAreChecked: a moderator's decision is refused, with a sentence for the
// field at fault, when it does not fit the thing it is about; nothing is written.
func TestDecisionsAreChecked(t *testing.T) {
	ctx := context.Background()
	p := newParts(t)
	mod := p.member(t, "mia", account.RoleModerator)
	otto := p.member(t, "otto", account.RoleModerator)
	alice := p.member(t, "alice", account.RoleMember)
	post := p.forum.add(alice, "a post")
	msg := p.chat.add(alice, "a message")
	notice := &NoticeDraft{Body: "Please stop."}
	for _, c := range []struct {
		name  string
		kind  TargetKind
		id    int64
		d     Decision
		field string
		want  string
	}{
		{"dismiss nothing", TargetPost, post.ID, Decision{Dismiss: true}, "form", "no open reports"},
		{"dismiss and hide", TargetPost, post.ID, Decision{Dismiss: true, Hide: true}, "form", "cannot be combined"},
		{"nothing chosen", TargetPost, post.ID, Decision{}, "form", "Choose at least one action"},
		{"hide a message", TargetMessage, msg.ID, Decision{Hide: true}, "form", "Only forum posts can be hidden"},
		{"delete a member", TargetUser, alice.ID, Decision{Delete: true}, "form", "Ban them instead"},
		{"hide and show", TargetPost, post.ID, Decision{Hide: true, Unhide: true}, "form", "one of hide and show"},
		{"show a shown post", TargetPost, post.ID, Decision{Unhide: true}, "form", "is not hidden"},
		{"show a shown message", TargetMessage, msg.ID, Decision{Unhide: true}, "form", "is not hidden"},
		{"reopen an open thread", TargetPost, post.ID, Decision{Unlock: true}, "form", "is not closed"},
		{"empty notice", TargetUser, alice.ID, Decision{Notice: &NoticeDraft{Body: "  "}}, "notice", "Write a message first"},
		{"unknown rule", TargetUser, alice.ID, Decision{Notice: &NoticeDraft{Body: "x", Rules: []int{9}}}, "rules", "no rule 9"},
		{"sanction without reason", TargetUser, alice.ID, Decision{Sanction: &SanctionRequest{Kind: Silence, Duration: time.Hour}}, "reason", "Give a reason"},
		{"unlisted duration", TargetUser, alice.ID, Decision{Sanction: &SanctionRequest{Kind: Silence, Duration: 5 * time.Hour}, Reason: "x"}, "duration", "from the list"},
		{"unknown sanction", TargetUser, alice.ID, Decision{Sanction: &SanctionRequest{Kind: "exile"}, Reason: "x"}, "sanction", "silence, suspension or ban"},
		{"long reason", TargetUser, alice.ID, Decision{Notice: notice, Reason: strings.Repeat("x", MaxReasonRunes+1)}, "reason", "Shorten the reason"},
		{"reports gone", TargetPost, post.ID, Decision{Hide: true, ExpectReports: true}, "form", "Another moderator handled"},
	} {
		_, err := p.svc.Act(ctx, mod, c.kind, c.id, c.d)
		e := web.AsError(err)
		if e == nil || e.Status != http.StatusUnprocessableEntity || !strings.Contains(e.Fields[c.field], c.want) {
			t.Errorf("%s: %v, want %q for %s", c.name, err, c.want, c.field)
		}
	}
	_, err := p.svc.Act(ctx, mod, TargetUser, otto.ID, Decision{Sanction: &SanctionRequest{Kind: Ban}, Reason: "power struggle"})
	if !errors.Is(err, ErrStaffTarget) {
		t.Errorf("sanctioning a moderator: %v", err)
	}
	if _, err := p.svc.Act(ctx, alice, TargetPost, post.ID, Decision{Hide: true}); !errors.Is(err, ErrNotStaff) {
		t.Errorf("a member acting: %v", err)
	}
	if n := p.count(t, "select (select count(*) from audit_log) + (select count(*) from notices) + (select count(*) from sanctions)"); n != 0 {
		t.Errorf("refused decisions wrote %d rows", n)
	}
}

// TestActingClosesTheReportsAndRecordsEverything: one decision hides the post, closes its
// thread, silences its author with a notice that cites a rule and quotes what was
// reported, closes the report and audits each step; the mail goes only to a confirmed
// address.
func TestActingClosesTheReportsAndRecordsEverything(t *testing.T) {
	ctx := context.Background()
	p := newParts(t)
	mod := p.member(t, "mia", account.RoleModerator)
	alice := p.member(t, "alice", account.RoleMember)
	bob := p.member(t, "bob", account.RoleMember)
	post := p.forum.add(alice, "you are all idiots")
	if _, err := p.svc.FileReport(ctx, bob, ReportInput{Kind: TargetPost, ID: post.ID, Reason: ReasonHarassment}); err != nil {
		t.Fatal(err)
	}
	out, err := p.svc.Act(ctx, mod, TargetPost, post.ID, Decision{Hide: true, Lock: true, ResolveReports: true, ExpectReports: true,
		Notice: &NoticeDraft{Body: "Keep it civil.", Rules: []int{1}}, Sanction: &SanctionRequest{Kind: Silence, Duration: 24 * time.Hour},
		Reason: "Insults"})
	if err != nil {
		t.Fatal(err)
	}
	want := "post hidden, thread closed, alice silenced for 1 day, notice sent to alice, 1 report closed"
	if got := strings.Join(out.Done, ", "); got != want {
		t.Errorf("done: %s\nwant: %s", got, want)
	}
	if got, _ := p.forum.Posts(ctx, []int64{post.ID}); !got[0].Hidden || !got[0].ThreadLocked {
		t.Errorf("the post is not hidden and closed: %+v", got[0])
	}
	if err := p.svc.sanctions.CanPost(ctx, alice.ID); err == nil || !strings.Contains(err.Error(), "Insults") {
		t.Errorf("alice may still post: %v", err)
	}
	notices, err := p.svc.NoticesFor(ctx, alice.ID)
	if err != nil || len(notices) != 1 {
		t.Fatalf("%d notices, %v", len(notices), err)
	}
	n := notices[0]
	if len(n.Rules) != 1 || n.Rules[0].Text != "Be kind." || n.AgreementVersion != 1 || !strings.Contains(n.QuoteHTML, "idiots") ||
		n.Sanction != "silenced for 1 day" {
		t.Errorf("notice %+v", n)
	}
	if open, err := p.svc.OpenReports(ctx, TargetPost, post.ID); err != nil || len(open) != 0 {
		t.Errorf("%d reports still open, %v", len(open), err)
	}
	entries, _, err := p.svc.audit.Entries(ctx, AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		actions = append(actions, string(e.Action))
	}
	if got := strings.Join(actions, " "); got != "send_notice silence lock_thread hide_post" {
		t.Errorf("audit, newest first: %s", got)
	}
	if len(p.mail.list) != 0 {
		t.Errorf("mail went to a member without a confirmed address: %+v", p.mail.list)
	}

	// With a confirmed address, the notice goes by mail too, and says where to answer.
	err = p.db.Write(ctx, func(tx *storage.Tx) error {
		_, err := tx.Exec("update users set email = 'bob@example.org', email_verified = 1 where id = ?", bob.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.svc.Act(ctx, mod, TargetUser, bob.ID, Decision{Notice: &NoticeDraft{Body: "Thanks for the report."}}); err != nil {
		t.Fatal(err)
	}
	if len(p.mail.list) != 1 || p.mail.list[0].To != "bob@example.org" || !strings.Contains(p.mail.list[0].Text, "https://stoa.test/notices/2") {
		t.Errorf("mail %+v", p.mail.list)
	}
}

// TestRolesKeepAnAdministrator: an admin changes other members' roles, with an audit
// entry; not their own, and never the last administrator's.
func TestRolesKeepAnAdministrator(t *testing.T) {
	ctx := context.Background()
	p := newParts(t)
	ada := p.member(t, "ada", account.RoleAdmin)
	bob := p.member(t, "bob", account.RoleMember)
	mia := p.member(t, "mia", account.RoleModerator)
	if err := p.svc.SetRole(ctx, mia, bob, account.RoleModerator, ""); !errors.Is(err, ErrNotAdmin) {
		t.Errorf("a moderator changed a role: %v", err)
	}
	if err := p.svc.SetRole(ctx, ada, ada, account.RoleMember, ""); web.AsError(err) == nil || !strings.Contains(err.Error(), "your own role") {
		t.Errorf("an admin changed their own role: %v", err)
	}
	if err := p.svc.SetRole(ctx, ada, bob, account.RoleAdmin, "helps a lot"); err != nil {
		t.Fatal(err)
	}
	// Two admins demote each other at the same moment: the second change, made on the
	// view bob had before he lost the role, would leave no administrator.
	bobBefore := &account.User{ID: bob.ID, Username: "bob", Role: account.RoleAdmin}
	bob.Role = account.RoleAdmin
	if err := p.svc.SetRole(ctx, ada, bob, account.RoleMember, ""); err != nil {
		t.Fatal(err)
	}
	ada.Role = account.RoleAdmin
	if err := p.svc.SetRole(ctx, bobBefore, ada, account.RoleMember, ""); !errors.Is(err, account.ErrOnlyAdminRole) {
		t.Errorf("the last administrator was demoted: %v", err)
	}
	members, total, err := p.svc.Members(ctx, account.MemberSearch{Role: account.RoleAdmin, Limit: 10})
	if err != nil || total != 1 || members[0].User.Username != "ada" {
		t.Errorf("admins: %d, %v", total, err)
	}
	entries, _, err := p.svc.audit.Entries(ctx, AuditFilter{Action: ActChangeRole})
	if err != nil || len(entries) != 2 || entries[1].TargetLabel != "bob: member → admin" || entries[1].Reason != "helps a lot" ||
		entries[0].TargetLabel != "bob: admin → member" {
		t.Errorf("role changes audited: %+v, %v", entries, err)
	}
}

// TestHiddenMessageShownAgain: a chat message hidden after reports is marked hidden to
// moderators, and a moderator can show it again (the only way back for it).
func TestHiddenMessageShownAgain(t *testing.T) {
	ctx := context.Background()
	p := newParts(t)
	mod := p.member(t, "mia", account.RoleModerator)
	alice := p.member(t, "alice", account.RoleMember)
	msg := p.chat.add(alice, "a message")
	p.chat.msgs[msg.ID].Hidden = true
	tg, err := p.svc.LoadTarget(ctx, mod, TargetMessage, msg.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := targetState(tg); len(got) != 1 || got[0] != "hidden" {
		t.Errorf("state of a hidden message: %v, want [hidden]", got)
	}
	out, err := p.svc.Act(ctx, mod, TargetMessage, msg.ID, Decision{Unhide: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Done) != 1 || out.Done[0] != "message shown again" {
		t.Errorf("done: %v", out.Done)
	}
	if p.chat.msgs[msg.ID].Hidden {
		t.Error("the message is still hidden")
	}
	if _, err := p.svc.Act(ctx, mod, TargetMessage, msg.ID, Decision{Unhide: true}); err == nil || !strings.Contains(err.Error(), "not hidden") {
		t.Errorf("showing it twice: %v", err)
	}
}
