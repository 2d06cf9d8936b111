package markup

import (
	"bytes"
	"net/url"
)

// safeURL reports whether u may be a link target: a non-empty relative URL, or an
// absolute one with the http, https or mailto scheme. Browsers ignore ASCII
// whitespace and control characters inside a scheme ("java\tscript:"), so
// those are dropped before looking; anything before the first ":" that is not
// one of our schemes — including encoded tricks like "java%73cript" —
// disqualifies the URL. The policy checks again; this check decides whether
// we write an <a> at all, so a rejected link reads as its text.
func safeURL(u []byte) bool {
	if len(u) == 0 {
		// The sanitiser drops an empty href, which would leave an <a> that
		// goes nowhere.
		return false
	}
	var scheme []byte
	for i, c := range u {
		if c == ':' {
			scheme = u[:i]
			break
		}
		if c == '/' || c == '?' || c == '#' {
			break
		}
	}
	if scheme != nil {
		var buf [8]byte
		s := buf[:0]
		for _, c := range scheme {
			if c <= ' ' || c == 0x7f {
				continue
			}
			if len(s) == len(buf) {
				return false
			}
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			s = append(s, c)
		}
		if !bytes.Equal(s, []byte("http")) && !bytes.Equal(s, []byte("https")) && !bytes.Equal(s, []byte("mailto")) {
			return false
		}
	}
	// The sanitiser drops hrefs that do not parse; decide the same here so we
	// never emit an <a> without its href.
	_, err := url.Parse(string(u))
	return err == nil
}
