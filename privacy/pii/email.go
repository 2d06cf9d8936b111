package pii

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// scanEmails reports every address-shaped local@domain.tld, starting from
// the '@' at offset at. An "@alice" mention has no local part, and
// "lodash@4.17.21", "icon@2x.png" and "user@localhost" have no real
// top-level domain, so none of them is reported.
func (d *detector) scanEmails(at int) {
	t := d.text
	floor := 0 // end of the last address; the next may not share its bytes
	for at >= 0 {
		next := at + 1
		if s, e, ok := emailAt(t, at); ok && s >= floor {
			d.add(Email, s, e)
			next, floor = e, e
		}
		k := strings.IndexByte(t[next:], '@')
		if k < 0 {
			return
		}
		at = next + k
	}
}

// emailAt returns the address around the '@' at offset at, if there is one.
func emailAt(t string, at int) (start, end int, ok bool) {
	s := localStart(t, at)
	for s < at && t[s] == '.' {
		s++
	}
	// "@alice@example.social" is a fediverse handle, a mention rather than a
	// mailbox.
	if s == at || t[at-1] == '.' || strings.Contains(t[s:at], "..") || s > 0 && t[s-1] == '@' {
		return 0, 0, false
	}
	e, ok := domainEnd(t, at+1)
	if !ok {
		return 0, 0, false
	}
	// "git@github.com:org/repo.git" and "user@host:22" are SSH addresses.
	if e+1 < len(t) && t[e] == ':' && t[e+1] != ' ' && t[e+1] != '\n' {
		return 0, 0, false
	}
	if e < len(t) && (t[e] == '_' || t[e] == '@') {
		return 0, 0, false
	}
	if inURLAuthority(t, s) {
		return 0, 0, false
	}
	return s, e, true
}

// localStart walks back from the '@' over the local part: the usual ASCII
// characters plus letters and digits of any script (RFC 6531). It leaves out
// the rarer RFC 5322 characters such as '*' and '`' because in Markdown they
// are emphasis and code marks next to an address, not part of it. A local
// part longer than 64 bytes is not an address, so at is returned.
func localStart(t string, at int) int {
	s := at
	for s > 0 {
		c := t[s-1]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeLastRuneInString(t[:s])
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				break
			}
			s -= n
		} else if isAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-' {
			s--
		} else {
			break
		}
		if at-s > 64 {
			return at
		}
	}
	return s
}

// domainEnd returns the end of the domain starting at i: two or more
// labels, none starting or ending with '-', the last a top-level domain.
func domainEnd(t string, i int) (end int, ok bool) {
	labels := 0
	var tld string
	for {
		ls := i
		for i < len(t) {
			c := t[i]
			if isAlnum(c) || c == '-' {
				i++
				continue
			}
			if c >= utf8.RuneSelf {
				r, n := utf8.DecodeRuneInString(t[i:])
				if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) {
					i += n
					continue
				}
			}
			break
		}
		if i == ls || t[ls] == '-' || t[i-1] == '-' || i-ls > 63 {
			return 0, false
		}
		labels++
		tld = t[ls:i]
		if i+1 < len(t) && t[i] == '.' && labelStart(t, i+1) {
			i++
			continue
		}
		break
	}
	return i, labels >= 2 && topLevel(tld)
}

func labelStart(t string, i int) bool {
	c := t[i]
	if c >= utf8.RuneSelf {
		r, _ := utf8.DecodeRuneInString(t[i:])
		return unicode.IsLetter(r) || unicode.IsDigit(r)
	}
	return isAlnum(c)
}

// topLevel reports whether s can be a top-level domain: letters only (or
// punycode), at least two of them, and not a file extension, so that
// "icon@2x.png" is not an address.
func topLevel(s string) bool {
	if strings.HasPrefix(s, "xn--") {
		return len(s) > 4
	}
	if utf8.RuneCountInString(s) < 2 {
		return false
	}
	for _, r := range s {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	switch strings.ToLower(s) {
	case "png", "jpg", "jpeg", "gif", "svg", "webp", "avif", "bmp", "ico", "tif", "tiff",
		"pdf", "txt", "log", "json", "yaml", "yml", "toml", "xml", "html", "htm", "css",
		"js", "mjs", "ts", "tsx", "jsx", "go", "lock", "wasm":
		return false
	}
	return true
}

// inURLAuthority reports whether the local part starting at s is the user
// part of a URL ("https://user:secret@host"), which names an account on
// that host rather than a mailbox. Addresses later in a URL path are kept.
func inURLAuthority(t string, s int) bool {
	b := s
	for b > 0 && s-b < 256 {
		c := t[b-1]
		if c == ' ' || c == '\n' || c == '\t' || c == '(' || c == '<' || c == '[' || c == '"' || c == '\'' {
			break
		}
		b--
	}
	tok := t[b:s]
	k := strings.LastIndex(tok, "://")
	return k >= 0 && strings.IndexByte(tok[k+3:], '/') < 0
}
