package moderation

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"stoa/account"
	"stoa/web"
)

// MaxBulk bounds how many queue items one bulk action touches.
const MaxBulk = 200

// ItemRef names a queue item in a form: "post:12", "message:7", "user:3".
type ItemRef struct {
	Kind TargetKind
	ID   int64
}

// ParseItemRef reads "kind:id", or returns false.
func ParseItemRef(s string) (ItemRef, bool) {
	k, id, ok := strings.Cut(s, ":")
	kind, kindOK := ParseTargetKind(k)
	n, err := strconv.ParseInt(id, 10, 64)
	if !ok || !kindOK || err != nil || n <= 0 {
		return ItemRef{}, false
	}
	return ItemRef{kind, n}, true
}

// DismissMany dismisses the open reports of each item, each in its own transaction and
// audited as a single dismissal would be. Items another moderator handled meanwhile are
// counted as skipped, not as failures.
func (s *Service) DismissMany(ctx context.Context, actor *account.User, items []ItemRef) (dismissed, skipped int, err error) {
	if !actor.IsStaff() {
		return 0, 0, ErrNotStaff
	}
	switch {
	case len(items) == 0:
		return 0, 0, web.Invalid("form", "Tick the items whose reports you want to dismiss, then choose Dismiss selected.")
	case len(items) > MaxBulk:
		return 0, 0, web.Invalid("form", fmt.Sprintf("Dismiss at most %d items at once.", MaxBulk))
	}
	seen := map[ItemRef]bool{}
	for _, it := range items {
		if seen[it] {
			continue
		}
		seen[it] = true
		_, err := s.Act(ctx, actor, it.Kind, it.ID, Decision{Dismiss: true})
		switch {
		case err == nil:
			dismissed++
		case errors.Is(err, errHandled), errors.Is(err, errNothingOpen):
			// No open reports any more: someone else got there first.
			skipped++
		default:
			return dismissed, skipped, err
		}
	}
	return dismissed, skipped, nil
}

// OpenItemsAbout is how many things of a member (posts, messages, their profile) have
// open reports: what "apply to all open reports of this member" would close.
func (s *Service) OpenItemsAbout(ctx context.Context, userID int64) (int, error) {
	return s.store.openTargetCount(ctx, userID)
}
