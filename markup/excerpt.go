package markup

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Excerpt returns plain text of at most n runes from rendered HTML, for
// previews, feeds and notifications. Whitespace is collapsed, block
// boundaries become spaces, and a cut is marked with "…" (counted in n). The
// result is text, not HTML: escape it when printing it into a page.
func Excerpt(htmlSrc string, n int) string {
	return excerpt(htmlSrc, n, false)
}

// OwnText is Excerpt without what the HTML quotes (its block quotes): the words of its
// author alone, as search indexes a post, so that a passage quoted in a reply is found
// once, where it was written.
func OwnText(htmlSrc string, n int) string {
	return excerpt(htmlSrc, n, true)
}

func excerpt(htmlSrc string, n int, skipQuotes bool) string {
	if n <= 0 {
		return ""
	}
	var b strings.Builder
	runes := 0
	space := false // a space is owed before the next word
	z := html.NewTokenizer(strings.NewReader(htmlSrc))
	skip := 0 // depth inside elements whose text is not prose
	for runes <= n {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return strings.TrimRightFunc(b.String(), unicode.IsSpace)
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if a == atom.Script || a == atom.Style || skipQuotes && a == atom.Blockquote {
				if tt == html.StartTagToken {
					skip++
				} else if skip > 0 {
					skip--
				}
				continue
			}
			if !isInline(a) {
				space = true
			}
		case html.TextToken:
			if skip > 0 {
				continue
			}
			for _, r := range string(z.Text()) {
				if unicode.IsSpace(r) {
					space = true
					continue
				}
				if space && b.Len() > 0 {
					b.WriteByte(' ')
					runes++
				}
				space = false
				b.WriteRune(r)
				runes++
			}
		}
	}
	return cut(b.String(), n)
}

// cut shortens s, which is longer than n runes, to at most n runes ending in
// "…", at a word boundary when one is near enough.
func cut(s string, n int) string {
	if n == 1 {
		return "…"
	}
	// Byte offset of rune n-1: keep n-1 runes and add the ellipsis.
	end, i := 0, 0
	for j := range s {
		if i == n-1 {
			end = j
			break
		}
		i++
	}
	s = s[:end]
	if sp := strings.LastIndexByte(s, ' '); sp > 0 && utf8.RuneCountInString(s[:sp]) >= n/2 {
		s = s[:sp]
	}
	return strings.TrimRightFunc(s, unicode.IsSpace) + "…"
}

// isInline reports whether an element flows within a line, so its text joins
// its neighbours' without a space.
func isInline(a atom.Atom) bool {
	switch a {
	case atom.A, atom.Em, atom.Strong, atom.Del, atom.Code, atom.B, atom.I,
		atom.S, atom.U, atom.Span, atom.Sub, atom.Sup, atom.Small, atom.Mark:
		return true
	}
	return false
}
