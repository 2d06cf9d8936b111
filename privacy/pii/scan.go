package pii

import (
	"unicode"
	"unicode/utf8"
)

// Byte-level helpers shared by the scanners. They work on bytes rather than
// runes because every character that starts or ends a finding is ASCII, so
// offsets always fall on rune boundaries without decoding the whole text.

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// hasDigit reports whether any byte of w is an ASCII digit, eight bytes at a
// time ("hasbetween" from Bit Twiddling Hacks); it is exact, including for
// bytes of 0x80 and above.
func hasDigit(w uint64) bool {
	const m, n = '0' - 1, '9' + 1
	x := w & (ones * 127)
	return (ones*(127+n)-x)&^w&(x+ones*(127-m))&highs != 0
}

// indexDigit returns the offset of the first ASCII digit in s at or after i,
// or -1. Skipping eight bytes per step keeps long digit-free posts cheap.
func indexDigit(s string, i int) int {
	if i < 0 {
		return -1
	}
	for ; i+8 <= len(s); i += 8 {
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if hasDigit(w) {
			break
		}
	}
	for ; i < len(s); i++ {
		if isDigit(s[i]) {
			return i
		}
	}
	return -1
}

func isDigit(c byte) bool  { return c-'0' < 10 }
func isLetter(c byte) bool { return (c|0x20)-'a' < 26 }
func isAlnum(c byte) bool  { return isDigit(c) || isLetter(c) }
func upper(c byte) byte {
	if c-'a' < 26 {
		return c - 0x20
	}
	return c
}

// spaceWidth returns the length of the space at t[i:lim], or 0. Narrow and
// no-break spaces count because French and many phone apps group digits
// with them.
func spaceWidth(t string, i, lim int) int {
	switch {
	case i >= lim:
		return 0
	case t[i] == ' ':
		return 1
	case t[i] == 0xC2 && i+1 < lim && t[i+1] == 0xA0: // U+00A0 no-break space
		return 2
	case t[i] == 0xE2 && i+2 < lim && t[i+1] == 0x80 && (t[i+2] == 0xAF || t[i+2] == 0x89): // U+202F, U+2009
		return 3
	}
	return 0
}

// wordRune reports whether r continues a word or a number, which means a
// digit run next to it is part of something larger (a name, an amount).
func wordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || unicode.IsSymbol(r)
}

// startOK reports whether a number may begin at offset s: not inside a word,
// not after a currency sign, '#', a decimal point, a path or an assignment,
// and not after "12:" (a time).
func startOK(t string, s int) bool {
	if s == 0 {
		return true
	}
	c := t[s-1]
	if c >= utf8.RuneSelf {
		r, _ := utf8.DecodeLastRuneInString(t[:s])
		return !wordRune(r)
	}
	if isAlnum(c) {
		return false
	}
	switch c {
	case '_', '#', '$', '.', ',', '/', '\\', '-', '=', '@', '&', '%', '+', '^':
		return false
	case ':':
		return s < 2 || !isDigit(t[s-2])
	}
	return true
}

// endOK reports whether a number may end at offset e: not followed by a
// letter, a unit such as '%', or more of a number ("1,299", "12:30").
func endOK(t string, e int) bool {
	if e >= len(t) {
		return true
	}
	c := t[e]
	if c >= utf8.RuneSelf {
		r, _ := utf8.DecodeRuneInString(t[e:])
		return !wordRune(r)
	}
	if isAlnum(c) {
		return false
	}
	switch c {
	case '_', '@', '%', '$':
		return false
	}
	if e+1 < len(t) {
		n := t[e+1]
		switch c {
		case ',', '.', ':':
			return !isDigit(n)
		case '-', '/', '+', '=':
			return !isAlnum(n)
		}
	}
	return true
}
