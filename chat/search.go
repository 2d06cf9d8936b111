package chat

import (
	"context"
	"strings"

	"stoa/markup"
	"stoa/storage"
)

// Search finds visible messages for q (the forum's ParseSearch makes its FTS5 form, which
// is never a syntax error), written by author when author is not "": the best
// matches among the newest candidates matching messages. Every room is public, archived
// ones included; hidden and deleted messages never match. It returns one page and how many
// of the candidates matched.
func (s *Service) Search(ctx context.Context, q storage.TextQuery, author string, candidates, limit, offset int) ([]SearchHit, int, error) {
	return s.store.search(ctx, q, author, candidates, limit, offset)
}

// searchText is what the search index holds for a message: the plain text of its
// sanitised HTML, so that link targets and Markdown syntax are not searched, without the
// characters \x02 and \x03 that mark matches in a snippet.
func searchText(html string) string {
	return strings.Map(func(r rune) rune {
		if r == '\x02' || r == '\x03' {
			return ' '
		}
		return r
	}, markup.Excerpt(html, len(html)+1))
}
