package storage

import (
	"fmt"
	"strconv"
	"strings"
)

// TextQuery is a member's search in the form each engine takes: FTS5 is the FTS5 query
// the forum's ParseSearch made of it (every word quoted, so never a syntax error), for
// SQLite and, turned into tsquery syntax word by word (TSQuery), for PostgreSQL; Typed is
// what the member typed, for messages.
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
		// The query is built from ParseSearch's quoted words (TSQuery), never from what
		// the member typed as tsquery syntax. Both indexes' documents are made with the
		// configuration stoa_search (migration 0150: every word kept, accents ignored,
		// stemmed as FTS5's porter does).
		rank := "ts_rank(s.document, q)"
		if len(weights) >= 2 && weights[0] > 0 {
			// ts_rank's weights are for D, C, B and A, at most 1.
			rank = fmt.Sprintf("ts_rank('{0.1, 0.2, %s, 1.0}', s.document, q)", strconv.FormatFloat(weights[1]/weights[0], 'f', -1, 64))
		}
		return index + " s cross join to_tsquery('stoa_search', ?) q", "s.document @@ q", "-" + rank, []any{TSQuery(q.FTS5)}
	}
	ws := make([]string, 0, len(weights)+1)
	ws = append(ws, index)
	for _, w := range weights {
		ws = append(ws, strconv.FormatFloat(w, 'f', 1, 64))
	}
	return index + " s", index + " match ?", "bm25(" + strings.Join(ws, ", ") + ")", []any{q.FTS5}
}

// TSQuery turns an FTS5 query made by ParseSearch into PostgreSQL's tsquery syntax: a
// "quoted phrase" becomes words that follow each other (<->), a trailing * a prefix
// match (:*), AND, OR and NOT &, | and & !. ParseSearch keeps only letters and digits
// inside quotes, so nothing else reaches to_tsquery; a bare word (a query not made by
// ParseSearch) is taken as it is.
func TSQuery(match string) string {
	var b strings.Builder
	for i := 0; i < len(match); {
		switch c := match[i]; {
		case c == '"':
			end := strings.IndexByte(match[i+1:], '"')
			if end < 0 {
				end = len(match) - i - 1
			}
			words := strings.Fields(match[i+1 : i+1+end])
			i += end + 2
			prefix := i < len(match) && match[i] == '*'
			if prefix {
				i++
			}
			if prefix && len(words) > 0 {
				words[len(words)-1] += ":*"
			}
			b.WriteString("(" + strings.Join(words, " <-> ") + ")")
		case strings.HasPrefix(match[i:], "AND "):
			b.WriteString(" & ")
			i += 3
		case strings.HasPrefix(match[i:], "OR "):
			b.WriteString(" | ")
			i += 2
		case strings.HasPrefix(match[i:], "NOT "):
			b.WriteString(" & !")
			i += 3
		case c == '(' || c == ')':
			b.WriteByte(c)
			i++
		case c == ' ':
			i++
		default: // a bare word, as in a query written by hand
			end := strings.IndexAny(match[i:], ` "()`)
			if end < 0 {
				end = len(match) - i
			}
			b.WriteString("(" + match[i:i+end] + ")")
			i += end
		}
	}
	return b.String()
}
