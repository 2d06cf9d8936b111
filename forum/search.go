package forum

import (
	"html"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Search limits: a query longer than this is cut, extra words are ignored.
const (
	SearchPerPage  = 20
	maxQueryBytes  = 300
	maxSearchTerms = 16
)

// The characters FTS5 puts around a match in highlights and snippets. They are control
// characters that the index never contains (searchText removes them), so the text can be
// escaped first and the marks turned into <mark> afterwards.
const (
	markOpen  = '\x02'
	markClose = '\x03'
)

type searchTerm struct {
	tokens []string
	prefix bool
	negate bool
	op     string // "AND", "OR" or "NOT" written as a bare upper-case word
}

// ParseSearch turns what a member typed into an FTS5 query that is never a syntax error:
// every word is quoted, so Markdown and FTS syntax (NEAR, *, ^, :, parentheses) are
// searched as text. Like web search engines: all words must appear, "quoted words" must
// appear together, OR between words finds either, a leading - (or NOT) leaves a word out
// and a trailing * matches word beginnings (confi* finds configure). ok is false when
// nothing searchable is left.
func ParseSearch(text string) (query string, ok bool) {
	var all [][]string // every group must match; a group matches when any of its words does
	var neg []string
	or, not := false, false
	for _, t := range splitTerms(text) {
		switch t.op {
		case "OR":
			or = len(all) > 0
			continue
		case "NOT":
			not = true
			continue
		case "AND":
			continue
		}
		q := `"` + strings.Join(t.tokens, " ") + `"`
		if t.prefix {
			q += "*"
		}
		switch {
		case t.negate || not:
			neg = append(neg, q)
		case or:
			all[len(all)-1] = append(all[len(all)-1], q)
		default:
			all = append(all, []string{q})
		}
		or, not = false, false
	}
	if len(all) == 0 {
		return "", false
	}
	groups := make([]string, len(all))
	for i, g := range all {
		groups[i] = g[0]
		if len(g) > 1 {
			groups[i] = "(" + strings.Join(g, " OR ") + ")"
		}
	}
	// Explicit AND: FTS5 refuses an implicit one before a parenthesised group ("a (b OR c)").
	query = strings.Join(groups, " AND ")
	if len(neg) > 0 {
		query = "(" + query + ") NOT " + strings.Join(neg, " NOT ")
	}
	return query, true
}

// splitTerms reads words and "quoted phrases" from text, keeping only their letters and
// digits: a word such as "foo-bar" becomes the phrase foo bar, as the index sees it.
func splitTerms(text string) []searchTerm {
	text = strings.ToValidUTF8(text, " ")
	if len(text) > maxQueryBytes {
		cut := maxQueryBytes
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	var terms []searchTerm
	for i := 0; i < len(text) && len(terms) < maxSearchTerms; {
		r, size := utf8.DecodeRuneInString(text[i:])
		if unicode.IsSpace(r) {
			i += size
			continue
		}
		var t searchTerm
		if text[i] == '-' && i+1 < len(text) && !isSpaceByte(text[i+1]) {
			t.negate = true
			i++
		}
		var raw string
		if i < len(text) && text[i] == '"' {
			end := strings.IndexByte(text[i+1:], '"')
			if end < 0 {
				raw, i = text[i+1:], len(text)
			} else {
				raw, i = text[i+1:i+1+end], i+2+end
			}
			if i < len(text) && text[i] == '*' {
				t.prefix = true
				i++
			}
		} else {
			end := strings.IndexFunc(text[i:], func(r rune) bool { return unicode.IsSpace(r) || r == '"' })
			if end < 0 {
				end = len(text) - i
			}
			raw, i = text[i:i+end], i+end
			if !t.negate && (raw == "AND" || raw == "OR" || raw == "NOT") {
				terms = append(terms, searchTerm{op: raw})
				continue
			}
			// word* asks for a prefix; **bold** is Markdown.
			if before, found := strings.CutSuffix(raw, "*"); found {
				last, _ := utf8.DecodeLastRuneInString(before)
				t.prefix = isWordRune(last)
			}
		}
		t.tokens = strings.FieldsFunc(raw, func(r rune) bool { return !isWordRune(r) })
		if n := len(t.tokens); n > 0 && utf8.RuneCountInString(t.tokens[n-1]) < 2 {
			// a* would walk every word that starts with a: too broad to be useful.
			t.prefix = false
		}
		if len(t.tokens) > 0 {
			terms = append(terms, t)
		}
	}
	return terms
}

// isWordRune reports whether r is part of a word for search, as FTS5's unicode61
// tokenizer sees it.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r)
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// markMatches escapes text from the index for HTML and turns FTS5's match marks into
// <mark> elements. Marks that do not pair up are dropped, so the result is always
// well-formed and safe whatever the text holds.
func markMatches(s string) string {
	var b strings.Builder
	open := false
	for {
		i := strings.IndexAny(s, string([]rune{markOpen, markClose}))
		if i < 0 {
			b.WriteString(html.EscapeString(s))
			break
		}
		b.WriteString(html.EscapeString(s[:i]))
		switch {
		case s[i] == markOpen && !open:
			b.WriteString("<mark>")
			open = true
		case s[i] == markClose && open:
			b.WriteString("</mark>")
			open = false
		}
		s = s[i+1:]
	}
	if open {
		b.WriteString("</mark>")
	}
	return b.String()
}

// SearchQuery is what a member searches for.
type SearchQuery struct {
	Text     string
	Category string // a category's slug; "" searches every category
	Author   string // a username; "" searches everyone's posts
	Page     int
}

// SearchHit is one post that matches, with its thread's title and a snippet in which the
// matches are marked. TitleHTML and SnippetHTML are escaped and safe to print.
type SearchHit struct {
	PostID       int64
	ThreadID     int64
	Number       int
	ThreadSlug   string
	Title        string
	TitleHTML    string
	SnippetHTML  string
	Author       string
	Category     string
	CategorySlug string
	CreatedAt    time.Time
}
