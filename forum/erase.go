package forum

import (
	"context"
	"fmt"
	"slices"

	"stoa/account"
	"stoa/markup"
	"stoa/storage"
)

// rewrite is one post or earlier version rewritten for a deletion, ready to store.
type rewrite struct {
	old                eraseCandidate
	source, html, text string
}

// PlanErase (account.ErasePlanner) prepares what deleting an account changes in other
// members' posts, outside the write: mentions of the member stop linking, and when their
// content is erased, quotes of their words become "[removed]", in posts and in earlier
// versions alike. Each changed text is rendered again here; the returned function only
// stores the results, and returns account.ErrContentChanged when a post it prepared was
// edited since, or a post that may quote or mention the member was written since.
func (d dataSource) PlanErase(ctx context.Context, m account.DeletedMember) (func(tx *storage.Tx) error, error) {
	store := d.s.store
	e := markup.Erasure{Name: m.Username}
	if m.Erase {
		texts, err := store.memberTexts(ctx, m.ID)
		if err != nil {
			return nil, err
		}
		e.Quoted = markup.QuoteOf(m.Username, texts)
	}
	last, err := store.lastPostID(ctx)
	if err != nil {
		return nil, err
	}
	cands, err := store.eraseCandidates(ctx, m.ID, m.Username, m.Erase)
	if err != nil {
		return nil, err
	}
	seen := map[int64]bool{}
	var todo []rewrite
	for _, c := range cands {
		if !c.revision {
			seen[c.id] = true
		}
		src, changed := d.s.render.Erase(c.source, e)
		if !changed {
			continue
		}
		res := d.s.render.Render(src)
		todo = append(todo, rewrite{old: c, source: src, html: res.HTML, text: searchText(res.HTML)})
	}
	return func(tx *storage.Tx) error {
		fresh, err := store.newCandidates(tx, last, m.ID, m.Username, m.Erase)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(fresh, func(id int64) bool { return !seen[id] }) {
			return fmt.Errorf("forum: a post about member %d was written: %w", m.ID, account.ErrContentChanged)
		}
		for _, w := range todo {
			if w.old.revision {
				if err := store.rewriteRevision(tx, w.old.id, w.old.source, w.source, w.html); err != nil {
					return err
				}
				continue
			}
			ok, err := store.rewritePost(tx, w.old.id, w.old.source, w.source, w.html)
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("forum: post %d was edited: %w", w.old.id, account.ErrContentChanged)
			}
			if err := store.reindexPost(tx, w.old.id, w.text); err != nil {
				return err
			}
		}
		return nil
	}, nil
}
