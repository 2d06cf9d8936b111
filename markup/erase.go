package markup

import (
	"bytes"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// Removed is what a quote of an erased member's words becomes.
const Removed = "[removed]"

// Quote is a block quote in a member's text, as an Erasure sees it.
type Quote struct {
	// Author is the lowercased name in an "@name wrote:" line right above the quote, as
	// quote-reply writes it, or "" when there is none.
	Author string
	// Text is the quoted text without the quote markers, its white space collapsed.
	Text string
}

// Erasure says what leaves other members' text when an account is deleted.
type Erasure struct {
	// Name is the account's username: mentions of it stop linking and notifying.
	Name string
	// Quoted reports whether a quote holds the account's own words; such a quote
	// becomes "[removed]". Nil keeps every quote.
	Quoted func(Quote) bool
}

// attribution is the line quote-reply writes above a quote.
var attribution = regexp.MustCompile(`^@([A-Za-z0-9][A-Za-z0-9_-]*) wrote:\s*$`)

// edit replaces source[start:end] with text.
type edit struct {
	start, end int
	text       string
}

// Erase rewrites src, Markdown written by someone else, for the erasure e: quotes of the
// account's words become "> [removed]" and mentions of it are escaped (\@name), so that
// rendering the result links to no profile. The rest of the text stays as written. It
// returns the new text and whether anything changed; the caller renders it again.
func (r *Renderer) Erase(src string, e Erasure) (string, bool) {
	source := []byte(cleanSource(src))
	name := strings.ToLower(e.Name)
	doc := r.md.Parser().Parse(text.NewReader(source), parser.WithContext(parser.NewContext()))
	var edits []edit
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Blockquote:
			depth, ok := quoteDepth(n)
			if !ok || e.Quoted == nil {
				return ast.WalkContinue, nil
			}
			start, end, found := blockRange(n, source)
			if !found {
				return ast.WalkContinue, nil
			}
			start, end = quoteLines(source, start, end, depth)
			q := Quote{Author: quoteAuthor(n, source), Text: quoteText(source[start:end], depth)}
			if !e.Quoted(q) {
				return ast.WalkContinue, nil
			}
			edits = append(edits, edit{start, end, quotePrefix(source[start:end], depth) + " " + Removed})
			return ast.WalkSkipChildren, nil
		case *mentionNode:
			if name != "" && strings.ToLower(string(n.name(source))) == name {
				edits = append(edits, edit{n.Segment.Start, n.Segment.Start, `\`})
			}
		}
		return ast.WalkContinue, nil
	})
	if len(edits) == 0 {
		return src, false
	}
	// Walk order is source order, and edits never overlap: a replaced quote's children
	// were skipped.
	var out strings.Builder
	out.Grow(len(source) + len(edits))
	at := 0
	for _, ed := range edits {
		out.Write(source[at:ed.start])
		out.WriteString(ed.text)
		at = ed.end
	}
	out.Write(source[at:])
	return out.String(), true
}

// maxQuoteDepth is the deepest quote Erase looks at on its own. Deeper ones go with a
// quote around them that holds the account's words, and are otherwise left alone: each
// level costs a pass over its lines, and people do not nest quotes this deep.
const maxQuoteDepth = 8

// quoteDepth returns how deep a block quote is nested in other block quotes (1 for one
// at the top of the text), and false for a quote inside anything else (a list item),
// whose lines carry markers this rewrite does not reproduce.
// Deeper than maxQuoteDepth it gives up at once, so that a pile of nested quotes costs
// no more than a few steps each.
func quoteDepth(n ast.Node) (int, bool) {
	depth := 0
	for ; n != nil && depth <= maxQuoteDepth; n = n.Parent() {
		switch n.Kind() {
		case ast.KindBlockquote:
			depth++
		case ast.KindDocument:
			return depth, true
		default:
			return 0, false
		}
	}
	return 0, false
}

// blockRange returns the whole lines of source that a block's content lies on.
func blockRange(n ast.Node, source []byte) (start, end int, found bool) {
	start, end = len(source), 0
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		if c.Type() == ast.TypeBlock {
			lines := c.Lines()
			for i := 0; i < lines.Len(); i++ {
				seg := lines.At(i)
				start, end, found = min(start, seg.Start), max(end, seg.Stop), true
			}
		}
		return ast.WalkContinue, nil
	})
	if !found {
		return 0, 0, false
	}
	start = bytes.LastIndexByte(source[:start], '\n') + 1
	if end > start && source[end-1] == '\n' {
		end--
	}
	if i := bytes.IndexByte(source[end:], '\n'); i >= 0 {
		end += i
	} else {
		end = len(source)
	}
	return start, end, true
}

// quoteLines widens start:end, whole lines of a quote at depth, over the neighbouring
// lines that carry its marker: a code fence's lines, and lines with a marker only, are
// the quote's though no block's content lies on them.
func quoteLines(source []byte, start, end, depth int) (int, int) {
	marked := func(line []byte) bool {
		t := bytes.TrimLeft(stripMarkers(line, depth-1), " ")
		return len(t) > 0 && t[0] == '>'
	}
	for start > 0 {
		prev := bytes.LastIndexByte(source[:start-1], '\n') + 1
		if !marked(source[prev : start-1]) {
			break
		}
		start = prev
	}
	for end < len(source) {
		next := end + 1
		stop := bytes.IndexByte(source[next:], '\n')
		if stop < 0 {
			stop = len(source)
		} else {
			stop += next
		}
		if !marked(source[next:stop]) {
			break
		}
		end = stop
	}
	return start, end
}

// stripMarkers removes up to depth quote markers ("> ", after up to three spaces each)
// from the start of line.
func stripMarkers(line []byte, depth int) []byte {
	for range depth {
		t := bytes.TrimLeft(line, " ")
		if len(line)-len(t) > 3 || len(t) == 0 || t[0] != '>' {
			return line
		}
		line = t[1:]
		if len(line) > 0 && (line[0] == ' ' || line[0] == '\t') {
			line = line[1:]
		}
	}
	return line
}

// quoteText is the text of a quote's lines without their markers, white space
// collapsed.
func quoteText(lines []byte, depth int) string {
	var b strings.Builder
	for line := range bytes.SplitSeq(lines, []byte("\n")) {
		b.Write(stripMarkers(line, depth))
		b.WriteByte(' ')
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// quotePrefix is the first line's quote markers, which the replacement keeps so that it
// stays at the same depth.
func quotePrefix(lines []byte, depth int) string {
	first, _, _ := bytes.Cut(lines, []byte("\n"))
	rest := stripMarkers(first, depth)
	return strings.TrimRight(string(first[:len(first)-len(rest)]), " \t")
}

// quoteAuthor returns the lowercased name of an "@name wrote:" line that ends the
// paragraph right above a quote, or "".
func quoteAuthor(q ast.Node, source []byte) string {
	p, ok := q.PreviousSibling().(*ast.Paragraph)
	if !ok || p.Lines().Len() == 0 {
		return ""
	}
	last := p.Lines().At(p.Lines().Len() - 1)
	m := attribution.FindSubmatch(bytes.TrimSpace(last.Value(source)))
	if m == nil {
		return ""
	}
	return strings.ToLower(string(m[1]))
}

// MinQuotedRunes is how long an unattributed quote must be before it counts as the
// erased account's words because their text contains it: shorter ones ("yes", "thanks")
// could be anyone's.
const MinQuotedRunes = 20

// QuoteOf returns a Quoted function for an erasure: a quote is the account's when it is
// attributed to name ("@name wrote:"), or when it is at least MinQuotedRunes long and
// one of texts (what the account wrote, in Markdown) contains it.
func QuoteOf(name string, texts []string) func(Quote) bool {
	name = strings.ToLower(name)
	norm := make([]string, 0, len(texts))
	for _, t := range texts {
		if t = strings.Join(strings.Fields(t), " "); t != "" {
			norm = append(norm, t)
		}
	}
	return func(q Quote) bool {
		if name != "" && q.Author == name {
			return true
		}
		if utf8.RuneCountInString(q.Text) < MinQuotedRunes {
			return false
		}
		for _, t := range norm {
			if strings.Contains(t, q.Text) {
				return true
			}
		}
		return false
	}
}
