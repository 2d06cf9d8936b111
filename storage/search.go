package storage

import (
	"fmt"
	"strconv"
	"strings"
)

// TextQuery is a member's search in the form each engine takes: FTS5 is the FTS5 query
// the forum's ParseSearch made of it (every word quoted, so never a syntax error), for
// SQLite; Typed is what the member typed, which PostgreSQL reads with
// websearch_to_tsquery, never as raw tsquery syntax.
type TextQuery struct {
	FTS5  string
	Typed string
}

// TextSearch returns the engine's pieces of a full-text search over index (post_search or
// chat_search, whose key is rowid): from names the index as s (and on PostgreSQL the
// parsed query as q), cond says that s matches, score ranks a match (lower is better),
// and args are the values of from and cond, in that order. weights are the weights of the
// index's columns, as FTS5's bm25 takes them; on PostgreSQL the first two weigh its
// document's A (title) and B (body) parts.
func (d Dialect) TextSearch(index string, q TextQuery, weights ...float64) (from, cond, score string, args []any) {
	if d == Postgres {
		rank := "ts_rank(s.document, q)"
		if len(weights) >= 2 && weights[0] > 0 {
			// ts_rank's weights are for D, C, B and A, at most 1.
			rank = fmt.Sprintf("ts_rank('{0.1, 0.2, %s, 1.0}', s.document, q)", strconv.FormatFloat(weights[1]/weights[0], 'f', -1, 64))
		}
		return index + " s cross join websearch_to_tsquery('english', ?) q", "s.document @@ q", "-" + rank, []any{q.Typed}
	}
	ws := make([]string, 0, len(weights)+1)
	ws = append(ws, index)
	for _, w := range weights {
		ws = append(ws, strconv.FormatFloat(w, 'f', 1, 64))
	}
	return index + " s", index + " match ?", "bm25(" + strings.Join(ws, ", ") + ")", []any{q.FTS5}
}
