package chat

import (
	"context"
	"fmt"
	"slices"

	"stoa/account"
	"stoa/markup"
	"stoa/storage"
)

// PlanErase (account.ErasePlanner) prepares what deleting an account changes in other
// members' messages, outside the write: mentions of the member stop linking, and when
// their content is erased, quotes of them ("@name wrote:") become "[removed]". Each
// changed message is rendered again here; the returned function only stores the
// results, and returns account.ErrContentChanged when a message it prepared was edited
// since, or one that may mention the member was sent since. Pages show the new text;
// connected clients keep what they were sent until they load the room again.
func (d dataSource) PlanErase(ctx context.Context, m account.DeletedMember) (func(tx *storage.Tx) error, error) {
	store := d.s.store
	e := markup.Erasure{Name: m.Username}
	if m.Erase {
		texts, err := store.authorTexts(ctx, m.ID)
		if err != nil {
			return nil, err
		}
		e.Quoted = markup.QuoteOf(m.Username, texts)
	}
	last, err := store.lastMessageID(ctx)
	if err != nil {
		return nil, err
	}
	found, err := store.mentioning(ctx, m.ID, m.Username)
	if err != nil {
		return nil, err
	}
	type rewrite struct {
		id                      int64
		old, source, html, text string
	}
	var todo []rewrite
	for id, old := range found {
		src, changed := d.s.render.Erase(old, e)
		if !changed {
			continue
		}
		res := d.s.render.Render(src)
		todo = append(todo, rewrite{id: id, old: old, source: src, html: res.HTML, text: searchText(res.HTML)})
	}
	return func(tx *storage.Tx) error {
		fresh, err := store.newMentioning(tx, last, m.ID, m.Username)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(fresh, func(id int64) bool { _, ok := found[id]; return !ok }) {
			return fmt.Errorf("chat: a message about member %d was sent: %w", m.ID, account.ErrContentChanged)
		}
		for _, w := range todo {
			ok, err := store.rewriteMessage(tx, w.id, w.old, w.source, w.html, w.text)
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("chat: message %d was edited: %w", w.id, account.ErrContentChanged)
			}
		}
		return nil
	}, nil
}
