package forum

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Search results show where a post matched. FTS5 can say so itself (snippet() and
// highlight()), but both read every match in the whole text, and snippet() compares each
// match with every other: on a 60 KB post of "a a a …" one snippet took over ten seconds,
// and SQLite cannot interrupt it. So FTS5 only finds and ranks posts, and the marks are
// made here, in one pass that stops at the end of the excerpt.
//
// The marks follow the words the member typed, folded as the index folds them (case and
// diacritics) and with the common English endings taken off, which is close to, not
// exactly, FTS5's Porter stemmer: a mark may be missing where the stemmer reaches
// further. What matches is always FTS5's decision; the marks only show it.

// snippetWords is how many words an excerpt shows, as snippet() showed before.
const snippetWords = 24

// markPhrase is one thing to mark: consecutive words (folded and stemmed), the last of
// which may be a prefix.
type markPhrase struct {
	words  []string
	prefix bool
}

// markPhrases returns what a search for text marks: every word or phrase it asks for,
// not those it leaves out.
func markPhrases(text string) []markPhrase {
	var out []markPhrase
	not := false
	for _, t := range splitTerms(text) {
		if t.op != "" {
			not = t.op == "NOT" // as in ParseSearch, NOT leaves out the word after it
			continue
		}
		if t.negate || not {
			not = false
			continue
		}
		p := markPhrase{prefix: t.prefix}
		for i, w := range t.tokens {
			w = foldWord(w)
			if !(t.prefix && i == len(t.tokens)-1) {
				w = stemWord(w)
			}
			p.words = append(p.words, w)
		}
		out = append(out, p)
	}
	return out
}

// word is one word of a text: where it is and how it compares.
type word struct {
	start, end int
	key        string // folded and stemmed
	folded     string // folded only, for prefixes
}

// nextWord finds the word that starts at or after i in s, as FTS5's unicode61 tokenizer
// sees words; ok is false when there is none.
func nextWord(s string, i int) (w word, next int, ok bool) {
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if isWordRune(r) {
			break
		}
		i += size
	}
	if i >= len(s) {
		return word{}, len(s), false
	}
	start := i
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isWordRune(r) {
			break
		}
		i += size
	}
	w = word{start: start, end: i}
	w.folded = foldWord(s[start:i])
	w.key = stemWord(w.folded)
	return w, i, true
}

// foldWord lower-cases w and removes its diacritics, as remove_diacritics does.
func foldWord(w string) string {
	ascii := true
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(w)
	}
	var b strings.Builder
	for _, r := range norm.NFD.String(w) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// stemWord takes the commonest English endings off a folded word, so that "ovens" marks
// "oven" and "baking" marks "baked".
func stemWord(w string) string {
	for _, suffix := range []string{"ing", "ed", "es", "s", "ly"} {
		if len(w)-len(suffix) >= 3 && strings.HasSuffix(w, suffix) {
			w = w[:len(w)-len(suffix)]
			break
		}
	}
	if len(w) > 3 && w[len(w)-1] == 'e' {
		w = w[:len(w)-1]
	}
	return w
}

func (p markPhrase) matchesWord(i int, w word) bool {
	if p.prefix && i == len(p.words)-1 {
		return strings.HasPrefix(w.folded, p.words[i])
	}
	return w.key == p.words[i]
}

// markedExcerpt returns an excerpt of text, at most words long, that starts shortly before
// the first match of phrases, with each match between markOpen and markClose and "…"
// where text was cut; words < 0 marks the whole text. It reads text once, and only up to
// the end of the excerpt.
func markedExcerpt(text string, phrases []markPhrase, words int) string {
	// Read words until the first match, keeping the last few for the excerpt's start.
	const lead = 4
	longest := 1
	for _, p := range phrases {
		longest = max(longest, len(p.words))
	}
	var ring []word // the last words read, at most lead + the longest phrase
	read := 0       // how many words were read
	first := -1     // where in ring the first match starts
	pos := 0
	for first < 0 && words >= 0 {
		w, next, ok := nextWord(text, pos)
		if !ok {
			break
		}
		pos, read = next, read+1
		if ring = append(ring, w); len(ring) > lead+longest {
			ring = ring[1:]
		}
		for _, p := range phrases {
			if n := len(p.words); n <= len(ring) && phraseAt(p, ring[len(ring)-n:]) {
				first = len(ring) - n
				break
			}
		}
	}
	var shown []word
	cut := false // the excerpt does not start at the beginning of text
	if first >= 0 {
		from := max(0, first-lead)
		shown = append(shown, ring[from:]...)
		cut = read-len(ring)+from > 0
	} else {
		pos = 0 // no match (or the whole text): from the beginning
	}
	for words < 0 || len(shown) <= words {
		w, next, ok := nextWord(text, pos)
		if !ok {
			break
		}
		pos = next
		shown = append(shown, w)
	}
	more := words >= 0 && len(shown) > words // words follow the excerpt
	if more {
		shown = shown[:words]
	}
	if len(shown) == 0 {
		return ""
	}
	var b strings.Builder
	at := 0
	if cut {
		b.WriteString("…")
		at = shown[0].start
	}
	for i := 0; i < len(shown); {
		n := 0
		for _, p := range phrases {
			if k := len(p.words); i+k <= len(shown) && phraseAt(p, shown[i:i+k]) {
				n = k
				break
			}
		}
		if n == 0 {
			i++
			continue
		}
		b.WriteString(text[at:shown[i].start])
		b.WriteRune(markOpen)
		b.WriteString(text[shown[i].start:shown[i+n-1].end])
		b.WriteRune(markClose)
		at = shown[i+n-1].end
		i += n
	}
	if more {
		b.WriteString(text[at:shown[len(shown)-1].end])
		b.WriteString("…")
	} else {
		b.WriteString(text[at:])
	}
	return b.String()
}

// phraseAt reports whether ws, as long as p, are p's words.
func phraseAt(p markPhrase, ws []word) bool {
	for i := range p.words {
		if !p.matchesWord(i, ws[i]) {
			return false
		}
	}
	return true
}

// markedTitle returns the whole of title with the matches of phrases marked.
func markedTitle(title string, phrases []markPhrase) string {
	return markedExcerpt(title, phrases, -1)
}

// markedSnippet returns an excerpt of a post's or message's text around the first match.
func markedSnippet(text string, phrases []markPhrase) string {
	return markedExcerpt(text, phrases, snippetWords)
}
