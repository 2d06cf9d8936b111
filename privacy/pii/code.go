package pii

import "strings"

// span is a byte range [start, end) of Markdown code, where the number
// checks do not look.
type span struct{ start, end int }

// codeRegions appends to out the fenced code blocks and inline code spans
// of a Markdown text, in order and without overlap. It follows CommonMark closely
// enough for the purpose: fences open with three or more backticks or
// tildes indented at most three spaces and close with a like fence at least
// as long (or at the end of the text); an inline span runs from a backtick
// run to the next run of the same length within the same paragraph. Fences
// inside block quotes or list items are not recognised as blocks, but their
// backticks still pair up as inline spans.
func codeRegions(t string, out []span) []span {
	if strings.IndexByte(t, '`') < 0 && strings.IndexByte(t, '~') < 0 {
		return out
	}
	para := 0 // start of the current paragraph, for inline spans
	for pos := 0; pos < len(t); {
		eol, next := lineEnd(t, pos)
		ch, n := fenceOpen(t[pos:eol])
		if n > 0 {
			out = inlineSpans(t, para, pos, out)
			end, after := len(t), len(t)
			for p := next; p < len(t); {
				e, nx := lineEnd(t, p)
				if fenceClose(t[p:e], ch, n) {
					end, after = e, nx
					break
				}
				p = nx
			}
			out = append(out, span{pos, end})
			pos, para = after, after
			continue
		}
		if blank(t[pos:eol]) {
			out = inlineSpans(t, para, pos, out)
			para = next
		}
		pos = next
	}
	return inlineSpans(t, para, len(t), out)
}

// lineEnd returns the end of the line starting at pos (without its newline)
// and the start of the next line.
func lineEnd(t string, pos int) (eol, next int) {
	k := strings.IndexByte(t[pos:], '\n')
	if k < 0 {
		return len(t), len(t)
	}
	return pos + k, pos + k + 1
}

func blank(line string) bool {
	for i := 0; i < len(line); i++ {
		if c := line[i]; c != ' ' && c != '\t' && c != '\r' {
			return false
		}
	}
	return true
}

// fenceOpen returns the fence character and length if line opens a fenced
// code block, or n == 0.
func fenceOpen(line string) (ch byte, n int) {
	rest := trimIndent(line)
	if len(rest) < 3 || (rest[0] != '`' && rest[0] != '~') {
		return 0, 0
	}
	ch = rest[0]
	n = runLen(rest, 0, len(rest), ch)
	if n < 3 || (ch == '`' && strings.IndexByte(rest[n:], '`') >= 0) {
		return 0, 0
	}
	return ch, n
}

func fenceClose(line string, ch byte, n int) bool {
	rest := trimIndent(line)
	m := runLen(rest, 0, len(rest), ch)
	return m >= n && blank(rest[m:])
}

// trimIndent strips up to three leading spaces; four make an indented line,
// which cannot open or close a fence.
func trimIndent(line string) string {
	for i := 0; i < 3 && len(line) > 0 && line[0] == ' '; i++ {
		line = line[1:]
	}
	return line
}

// runLen returns the length of the run of c starting at t[i], up to lim.
func runLen(t string, i, lim int, c byte) int {
	j := i
	for j < lim && t[j] == c {
		j++
	}
	return j - i
}

// inlineSpans appends the code spans of the paragraph t[a:b] to out. An
// opener with no closer is literal text. The first time that happens the
// paragraph's backtick runs are indexed by length, so that a paragraph full
// of unmatched backticks costs linear rather than quadratic time.
func inlineSpans(t string, a, b int, out []span) []span {
	var last map[int]int // run length -> start of the last run of that length
	for i := a; i < b; {
		k := strings.IndexByte(t[i:b], '`')
		if k < 0 {
			break
		}
		o := i + k
		n := runLen(t, o, b, '`')
		if last != nil && last[n] <= o {
			i = o + n
			continue
		}
		closeAt := -1
		for p := o + n; p < b; {
			k := strings.IndexByte(t[p:b], '`')
			if k < 0 {
				break
			}
			q := p + k
			m := runLen(t, q, b, '`')
			if m == n {
				closeAt = q
				break
			}
			p = q + m
		}
		if closeAt < 0 {
			if last == nil {
				last = backtickRuns(t, a, b)
			}
			i = o + n
			continue
		}
		out = append(out, span{o, closeAt + n})
		i = closeAt + n
	}
	return out
}

func backtickRuns(t string, a, b int) map[int]int {
	last := make(map[int]int)
	for i := a; i < b; {
		k := strings.IndexByte(t[i:b], '`')
		if k < 0 {
			break
		}
		o := i + k
		n := runLen(t, o, b, '`')
		last[n] = o
		i = o + n
	}
	return last
}
