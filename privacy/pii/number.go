package pii

// The number scan reads each run of digit groups once. A run is digits
// joined by single separators (space, '-', '.', '/', parentheses), such as
// "+44 (0)20 7946 0958" or "2026-11-30"; it is cut into groups and then
// windows of whole groups are tried against the card, SSN and phone rules,
// longest first. Windows let "call 555-123-4567 2 times" find the phone
// number despite the trailing "2", but a window may only start or end at a
// plain space, so "ORD-2026-000123" is never read as anything but itself.

// maxGroups bounds the groups kept per run; longer runs are lists of
// numbers, and anything personal in them fits well inside the bound.
const maxGroups = 16

// sep is what joins two digit groups.
type sep struct {
	ch    byte // ' ', '-', '.', '/', or 0 when only a parenthesis separates
	open  bool // '(' before the next group
	close bool // ')' after the previous group
}

func (s sep) plain() bool { return s.ch == ' ' && !s.open && !s.close }

// candidate is one run of digit groups.
type candidate struct {
	n         int
	plus      bool // '+' directly before the first group
	open      bool // the first group is in parentheses
	truncated bool // the run went on past maxGroups
	g         [maxGroups][2]int
	sep       [maxGroups - 1]sep
	cum       [maxGroups + 1]int // cum[k] is the number of digits in g[:k]
}

// scanNumbers runs the number checks from the digit at offset p onwards,
// outside Markdown code.
func (d *detector) scanNumbers(p int) {
	t := d.text
	var buf [16]span // enough for typical posts, without allocating
	code := codeRegions(t, buf[:0])
	ci := 0
	for p >= 0 && p < len(t) {
		for ci < len(code) && code[ci].end <= p {
			ci++
		}
		lim := len(t)
		if ci < len(code) {
			if code[ci].start <= p {
				p = indexDigit(t, code[ci].end)
				continue
			}
			lim = code[ci].start
		}
		p = indexDigit(t, d.number(p, lim))
	}
}

// number checks the run that starts with the digit at p and ends before lim,
// and returns where scanning resumes.
func (d *detector) number(p, lim int) int {
	t := d.text
	// An IBAN's check digits follow its two-letter country code.
	if p >= 2 && isLetter(t[p-1]) && isLetter(t[p-2]) {
		if end, ok := d.iban(p-2, lim); ok {
			d.add(IBAN, p-2, end)
			return end
		}
	}
	d.parse(p, lim)
	d.windows()
	return d.c.g[d.c.n-1][1]
}

func (d *detector) parse(p, lim int) {
	t := d.text
	c := &d.c
	// Only the header is reset: groups and separators are written before
	// they are read, and cum[0] is always 0.
	c.n, c.truncated = 0, false
	c.plus = p > 0 && t[p-1] == '+'
	open := p > 0 && t[p-1] == '('
	for i := p; ; {
		j := i
		for j < lim && isDigit(t[j]) {
			j++
		}
		c.g[c.n] = [2]int{i, j}
		c.cum[c.n+1] = c.cum[c.n] + j - i
		c.n++
		s, next, ok := sepAt(t, j, lim)
		if !ok {
			break
		}
		if c.n == maxGroups {
			c.truncated = true
			break
		}
		c.sep[c.n-1] = s
		i = next
	}
	c.open = open && c.n > 1 && c.sep[0].close
}

// sepAt reads the separator at t[j:] and returns the offset of the digit
// after it; ok is false if no single separator and digit follow.
func sepAt(t string, j, lim int) (s sep, next int, ok bool) {
	k := j
	if k < lim && t[k] == ')' {
		s.close = true
		k++
	}
	if w := spaceWidth(t, k, lim); w > 0 {
		s.ch = ' '
		k += w
	} else if k < lim && (t[k] == '-' || t[k] == '.' || t[k] == '/') {
		s.ch = t[k]
		k++
	}
	if k < lim && t[k] == '(' && !s.close {
		s.open = true
		k++
	}
	if k == j || k >= lim || !isDigit(t[k]) {
		return sep{}, 0, false
	}
	return s, k, true
}

// windows tries the windows of the current run, longest first from each
// possible start, and records the matches.
func (d *detector) windows() {
	c := &d.c
	for i := 0; i < c.n; {
		if i > 0 && !c.sep[i-1].plain() {
			i++
			continue
		}
		if j := d.match(i); j >= 0 {
			i = j + 1
		} else {
			i++
		}
	}
}

// match finds the longest window starting at group i that is personal
// information, records it and returns its last group, or returns -1.
func (d *detector) match(i int) int {
	t, c := d.text, &d.c
	start := c.g[i][0]
	if i == 0 {
		if c.plus || c.open {
			start--
		}
		if !startOK(t, start) {
			return -1
		}
	}
	for j := c.n - 1; j >= i; j-- {
		digits := c.cum[j+1] - c.cum[i]
		if digits < 8 {
			return -1 // shorter windows have fewer digits still
		}
		if digits > 19 {
			continue
		}
		if j == c.n-1 {
			if c.truncated || !endOK(t, c.g[j][1]) {
				continue
			}
		} else if !c.sep[j].plain() {
			continue
		}
		if k := d.classify(i, j, digits); k != "" {
			d.add(k, start, c.g[j][1])
			return j
		}
	}
	return -1
}
