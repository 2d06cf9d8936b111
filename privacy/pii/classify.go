package pii

import (
	"bytes"
	"strings"
)

// window is a run of whole digit groups under test.
type window struct {
	t       string
	g       [][2]int
	sep     []sep
	plus    bool
	paren   int // index of the parenthesised group, or -1
	digits  int
	partial bool // the window is shorter than its run
}

func (w *window) len(k int) int      { return w.g[k][1] - w.g[k][0] }
func (w *window) first(k int) byte   { return w.t[w.g[k][0]] }
func (w *window) group(k int) string { return w.t[w.g[k][0]:w.g[k][1]] }

// classify returns the kind of personal information that groups i..j of
// the current run are, or "".
func (d *detector) classify(i, j, digits int) Kind {
	c := &d.c
	w := window{
		t:       d.text,
		g:       c.g[i : j+1],
		sep:     c.sep[i:j],
		plus:    i == 0 && c.plus,
		paren:   -1,
		digits:  digits,
		partial: i > 0 || j < c.n-1 || c.truncated,
	}
	// Parentheses may wrap one whole group, as in "(555) 123-4567".
	for k := i; k <= j; k++ {
		opened := (k == 0 && c.open) || (k > i && c.sep[k-1].open)
		closed := k < c.n-1 && c.sep[k].close
		if opened != closed || (closed && k == j) {
			return ""
		}
		if opened {
			if w.paren >= 0 {
				return ""
			}
			w.paren = k - i
		}
	}
	if !w.plus && w.paren < 0 {
		if isSSN(&w) {
			return SSN
		}
		if isCard(&w) {
			return PaymentCard
		}
	}
	if isPhone(&w, d.text, c.g[i][0]) {
		return Phone
	}
	return ""
}

// isSSN accepts ddd-dd-dddd outside the ranges the Social Security
// Administration never issues (area 000, 666 and 900-999, group 00,
// serial 0000).
func isSSN(w *window) bool {
	if len(w.g) != 3 || w.len(0) != 3 || w.len(1) != 2 || w.len(2) != 4 ||
		w.sep[0].ch != '-' || w.sep[1].ch != '-' {
		return false
	}
	area := w.group(0)
	return area != "000" && area != "666" && area[0] != '9' &&
		w.group(1) != "00" && w.group(2) != "0000"
}

// isCard accepts 13 to 19 digits written whole or in the groupings printed
// on cards (4-4-4-4[-3], 4-6-5, 4-6-4), with an issuer prefix of a major
// network and a valid Luhn check digit. The prefix check matters: one
// random number in ten passes Luhn, and most long identifiers (timestamps,
// ISBNs, snowflake IDs) start with 1 or 9, which no major network uses.
func isCard(w *window) bool {
	if w.digits < 13 {
		return false
	}
	var ch byte
	for _, s := range w.sep {
		if s.ch != ' ' && s.ch != '-' || ch != 0 && s.ch != ch {
			return false
		}
		ch = s.ch
	}
	if n := len(w.g); n > 1 {
		if w.len(0) != 4 {
			return false
		}
		amex := n == 3 && w.len(1) == 6 && (w.len(2) == 5 || w.len(2) == 4)
		if !amex {
			for k := 1; k < n-1; k++ {
				if w.len(k) != 4 {
					return false
				}
			}
			if w.len(n-1) > 4 {
				return false
			}
		}
	}
	return issuer(w.first(0), w.t[w.g[0][0]+1]) && luhn(w)
}

// issuer reports whether a card number starting with the digits a, b
// belongs to a major network: Visa 4, Mastercard 51-55 and 22-27, Maestro
// 50 and 56-69, Amex 34/37, JCB 35, Diners 30/36/38/39, Discover and
// UnionPay 6.
func issuer(a, b byte) bool {
	switch a {
	case '4', '5', '6':
		return true
	case '3':
		return b == '0' || b >= '4'
	case '2':
		return b >= '2' && b <= '7'
	}
	return false
}

func luhn(w *window) bool {
	sum, double := 0, false
	for k := len(w.g) - 1; k >= 0; k-- {
		g := w.group(k)
		for i := len(g) - 1; i >= 0; i-- {
			v := int(g[i] - '0')
			if double {
				if v *= 2; v > 9 {
					v -= 9
				}
			}
			sum += v
			double = !double
		}
	}
	return sum%10 == 0
}

// isPhone accepts international numbers ("+44 20 7946 0958", "0044 …"), US
// numbers ("(555) 123-4567", "555.123.4567", "1-555-123-4567") and national
// numbers with a trunk 0 (UK, German, French and most of Europe). Digits
// written without any separator count only after a word such as "phone" or
// "call me", because otherwise they look like any other identifier.
func isPhone(w *window, t string, start int) bool {
	if !sepsOK(w) {
		return false
	}
	if w.plus {
		return intlPhone(w)
	}
	if len(w.g) == 1 {
		g := w.group(0)
		national := g[0] == '0' && g[1] != '0' && len(g) <= 12
		us := len(g) == 10 && g[0] >= '2' || len(g) == 11 && g[0] == '1' && g[1] >= '2'
		return (national || us) && len(g) >= 10 && phoneWordBefore(t, start)
	}
	// In a longer run, space-separated groups are more likely a list of
	// numbers ("scores 09 15 20 25 30 35") than a phone number.
	if w.partial {
		for _, s := range w.sep {
			if s.plain() {
				return false
			}
		}
	}
	return usPhone(w) || nationalPhone(w)
}

// sepsOK checks that a number is written in one style: the separators not
// next to a parenthesis agree, except that the first may be a space
// ("+1 555-123-4567"), and '/' only follows an area code ("030/12345678").
func sepsOK(w *window) bool {
	var common byte
	for k, s := range w.sep {
		if s.ch == '/' && (k > 0 || s.open || s.close) {
			return false
		}
		if k == 0 || s.open || s.close {
			continue
		}
		if common == 0 {
			common = s.ch
		} else if s.ch != common {
			return false
		}
	}
	for k, s := range w.sep {
		if s.ch != 0 && s.ch != ' ' && s.ch != common && common != 0 && (k > 0 || s.ch != '/') {
			return false
		}
	}
	return true
}

// intlPhone accepts '+', a country code and 8 to 15 digits in all (E.164),
// plus one for a "(0)" trunk prefix. Country code 1 (North America) is
// always followed by ten digits with an area code starting 2-9, which keeps
// "+100 200 300" and "+1 234 567 890" out.
func intlPhone(w *window) bool {
	lo, hi := 8, 15
	if w.paren >= 0 && w.group(w.paren) == "0" {
		hi++
	}
	n := len(w.g)
	if w.first(0) == '1' {
		next := byte('0')
		if w.len(0) > 1 {
			next = w.t[w.g[0][0]+1]
		} else if n > 1 {
			next = w.first(1)
		}
		if next < '2' {
			return false
		}
		lo, hi = 11, 11
	}
	return w.first(0) != '0' && w.digits >= lo && w.digits <= hi && n <= 7 &&
		(n == 1 || w.len(n-1) >= 2) && !hasSep(w, '/')
}

// usPhone accepts [1 ]NXX NXX XXXX with the area code optionally in
// parentheses.
func usPhone(w *window) bool {
	k := 0
	if len(w.g) == 4 && w.len(0) == 1 && w.first(0) == '1' {
		k = 1
	}
	return len(w.g)-k == 3 && w.len(k) == 3 && w.len(k+1) == 3 && w.len(k+2) == 4 &&
		w.first(k) >= '2' && (w.paren < 0 || w.paren == k) && !hasSep(w, '/')
}

// nationalPhone accepts a trunk 0 and 9 to 12 digits in two to five groups
// (020 7946 0958, 07700 900123, 030 12345678, 06 12 34 56 78), or the
// international call prefix 00 and a country code (0044 20 7946 0958).
func nationalPhone(w *window) bool {
	n := len(w.g)
	if n < 2 || n > 5 || w.first(0) != '0' || w.len(0) < 2 || w.len(0) > 5 {
		return false
	}
	if g := w.group(0); g[1] == '0' {
		return w.len(0) >= 4 && g[2] != '0' && w.digits >= 10 && w.digits <= 17 && w.paren < 0
	}
	if w.digits < 9 || w.digits > 12 || w.paren > 0 || ipLike(w) {
		return false
	}
	for k := 1; k < n; k++ {
		if l := w.len(k); l < 2 || l > 8 {
			return false
		}
	}
	return (n == 2 || !hasSep(w, '/')) && !progression(w)
}

// ipLike reports whether w looks like an IPv4 address with zero-padded
// parts, such as "010.001.002.003".
func ipLike(w *window) bool {
	if len(w.g) != 4 {
		return false
	}
	for k := range w.g {
		if w.len(k) > 3 || k > 0 && w.sep[k-1].ch != '.' {
			return false
		}
	}
	return true
}

// progression reports whether four or more equal-width groups count up or
// down in even steps, like "01 02 03 04 05" or "05 10 15 20 25": episode and
// lottery lists, which French-style pairs would otherwise match.
func progression(w *window) bool {
	n := len(w.g)
	if n < 4 {
		return false
	}
	step := atoi(w.group(1)) - atoi(w.group(0))
	for k := 1; k < n; k++ {
		if w.len(k) != w.len(0) || atoi(w.group(k))-atoi(w.group(k-1)) != step {
			return false
		}
	}
	return true
}

// atoi parses a group of at most eight digits.
func atoi(s string) int {
	v := 0
	for i := range len(s) {
		v = v*10 + int(s[i]-'0')
	}
	return v
}

func hasSep(w *window, ch byte) bool {
	for _, s := range w.sep {
		if s.ch == ch {
			return true
		}
	}
	return false
}

// phoneWords introduce a phone number in English, French or German
// ("téléphone" and "Telefon" contain "phone" and "tel"), separated by '|'.
const phoneWords = "phone|tel|mobile|whatsapp|signal|sms|fax|call me|call us|text me|reach me|ring me|contact|handy|portable"

// phoneWordBefore reports whether one of phoneWords starts a word in the 40
// bytes before offset s.
func phoneWordBefore(t string, s int) bool {
	var buf [40]byte
	h := buf[:copy(buf[:], t[max(s-len(buf), 0):s])]
	for i, c := range h {
		if c-'A' < 26 {
			h[i] = c + 'a' - 'A'
		}
	}
	for rest := phoneWords; rest != ""; {
		var word string
		word, rest, _ = strings.Cut(rest, "|")
		for off := 0; ; {
			k := bytes.Index(h[off:], []byte(word))
			if k < 0 {
				break
			}
			if at := off + k; at == 0 || !isLetter(h[at-1]) {
				return true
			}
			off += k + 1
		}
	}
	return false
}
