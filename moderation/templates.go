package moderation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"stoa/account"
	"stoa/storage"
	"stoa/web"
)

// NoticeTemplate is a canned notice text for one rule of the community agreement,
// offered when a moderator writes a notice. Reasons are the report reasons this rule
// answers: a report given one of them pre-ticks the rule and offers the template first.
// The mapping lives in the data, with the templates, and admins edit both together.
type NoticeTemplate struct {
	ID      int64
	Rule    int
	Title   string
	Body    string
	Reasons []Reason
}

// MaxTemplateTitleRunes bounds a template's title.
const MaxTemplateTitleRunes = 100

// NoticeTemplates lists the templates by rule, then in the order they were added.
func (s *Service) NoticeTemplates(ctx context.Context) ([]*NoticeTemplate, error) {
	return s.store.noticeTemplates(ctx)
}

// SaveNoticeTemplate adds a template (id 0) or changes one, for an administrator, and
// records it in the audit log.
func (s *Service) SaveNoticeTemplate(ctx context.Context, actor *account.User, nt NoticeTemplate) (int64, error) {
	if !actor.IsAdmin() {
		return 0, ErrNotAdmin
	}
	nt.Title, nt.Body = strings.TrimSpace(nt.Title), strings.TrimSpace(nt.Body)
	fields := map[string]string{}
	switch n := utf8.RuneCountInString(nt.Title); {
	case n == 0:
		fields["title"] = "Give the template a short title, such as “Advertising”."
	case n > MaxTemplateTitleRunes:
		fields["title"] = fmt.Sprintf("Shorten the title to %d characters or fewer.", MaxTemplateTitleRunes)
	}
	var bad *web.Error
	if err := checkMessage("body", nt.Body); errors.As(err, &bad) {
		fields["body"] = bad.Fields["body"]
	}
	for _, r := range nt.Reasons {
		if !validReason(r) {
			fields["reasons"] = "Tick report reasons from the list."
		}
	}
	_, rules, err := s.CurrentRules(ctx)
	if err != nil {
		return 0, err
	}
	switch {
	case len(rules) == 0:
		fields["rule"] = "The community agreement has no numbered rules yet. Write it first at Policies."
	case !slices.ContainsFunc(rules, func(r Rule) bool { return r.Number == nt.Rule }):
		fields["rule"] = "Choose a rule of the current community agreement."
	}
	if err := web.InvalidFields(fields); err != nil {
		return 0, err
	}
	now := s.now()
	verb := "changed"
	if nt.ID == 0 {
		verb = "added"
	}
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		id, err := s.store.saveNoticeTemplate(tx, nt, now)
		if err != nil {
			return err
		}
		nt.ID = id
		return s.audit.Record(tx, actor, Entry{At: now, Action: ActEditNoticeTemplate, TargetKind: "notice_template", TargetID: id,
			TargetLabel: fmt.Sprintf("“%s” for rule %d (%s)", nt.Title, nt.Rule, verb), TargetURL: "/admin/notice-templates"})
	})
	return nt.ID, err
}

// DeleteNoticeTemplate removes a template, for an administrator; notices already sent
// keep their text.
func (s *Service) DeleteNoticeTemplate(ctx context.Context, actor *account.User, id int64) error {
	if !actor.IsAdmin() {
		return ErrNotAdmin
	}
	now := s.now()
	return s.db.Write(ctx, func(tx *storage.Tx) error {
		nt, err := s.store.deleteNoticeTemplate(tx, id)
		if err != nil {
			return err
		}
		return s.audit.Record(tx, actor, Entry{At: now, Action: ActEditNoticeTemplate, TargetKind: "notice_template", TargetID: id,
			TargetLabel: fmt.Sprintf("“%s” for rule %d (removed)", nt.Title, nt.Rule), TargetURL: "/admin/notice-templates"})
	})
}

// rulesForReasons returns the rules that the templates map the reports' reasons to.
func rulesForReasons(templates []*NoticeTemplate, reports []*Report) map[int]bool {
	out := map[int]bool{}
	for _, r := range reports {
		for _, nt := range templates {
			if slices.Contains(nt.Reasons, r.Reason) {
				out[nt.Rule] = true
			}
		}
	}
	return out
}
