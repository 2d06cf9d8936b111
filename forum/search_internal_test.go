package forum

import (
	"database/sql"
	"stoa/storage"
	"strings"
	"testing"
	"unicode/utf8"

	_ "github.com/mattn/go-sqlite3"
)

func TestParseSearch(t *testing.T) {
	cases := []struct {
		in   string
		want string
		ok   bool
	}{
		{"sourdough", `"sourdough"`, true},
		{"sourdough starter", `"sourdough" AND "starter"`, true},
		{`"sourdough starter" rye`, `"sourdough starter" AND "rye"`, true},
		{"confi*", `"confi"*`, true},
		{"*confi", `"confi"`, true},
		{"a* b", `"a" AND "b"`, true},
		{`"open sou"*`, `"open sou"*`, true},
		{"bread -rye", `("bread") NOT "rye"`, true},
		{"bread NOT rye -spelt", `("bread") NOT "rye" NOT "spelt"`, true},
		{"-rye", "", false},
		{"NOT rye", "", false},
		// Upper-case OR, AND and NOT work as in web search; anything else is a word.
		{"rye OR spelt bread", `("rye" OR "spelt") AND "bread"`, true},
		{"rye OR spelt OR \"whole wheat\"", `("rye" OR "spelt" OR "whole wheat")`, true},
		{"OR rye AND", `"rye"`, true},
		{"rye or spelt", `"rye" AND "or" AND "spelt"`, true},
		// A group in parentheses after a word: FTS5 wants an explicit AND there.
		{"0 0 OR 0", `"0" AND ("0" OR "0")`, true},
		{"-OR rye", `("rye") NOT "OR"`, true},
		{"NEAR(a b)", `"NEAR a" AND "b"`, true},
		{"title:secret ^start", `"title secret" AND "start"`, true},
		// Markdown in the query keeps its words.
		{"**bold** _em_ `code`", `"bold" AND "em" AND "code"`, true},
		{"[link](http://example.com)", `"link http example com"`, true},
		{"foo-bar", `"foo bar"`, true},
		{`unterminated "phrase here`, `"unterminated" AND "phrase here"`, true},
		{`say "" nothing`, `"say" AND "nothing"`, true},
		{"*** ### ---", "", false},
		{"", "", false},
		{"café naïve", `"café" AND "naïve"`, true},
		{"日本語", `"日本語"`, true},
		{"a\xffb", `"a" AND "b"`, true},
	}
	for _, c := range cases {
		got, ok := ParseSearch(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("ParseSearch(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestParseSearchBoundsTheQuery(t *testing.T) {
	got, ok := ParseSearch(strings.Repeat("word ", 200))
	if !ok || strings.Count(got, `"word"`) != maxSearchTerms {
		t.Errorf("200 words gave %d terms, want %d", strings.Count(got, `"word"`), maxSearchTerms)
	}
	long := strings.Repeat("é", 1000) // 2 bytes each: the cut must not split a rune
	got, ok = ParseSearch(long)
	if !ok || !strings.HasPrefix(got, `"é`) || strings.Contains(got, "\uFFFD") {
		t.Errorf("long query gave %q", got[:20])
	}
}

func TestMarkMatchesEscapesBeforeMarking(t *testing.T) {
	cases := map[string]string{
		"plain":                               "plain",
		"a \x02match\x03 b":                   "a <mark>match</mark> b",
		"<script>\x02alert\x03(1)</script>":   "&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt;",
		"\x03stray close \x02open at end":     "stray close <mark>open at end</mark>",
		"\x02a\x02b\x03c\x03":                 "<mark>ab</mark>c",
		`"quotes" & 'apostrophes'`:            "&#34;quotes&#34; &amp; &#39;apostrophes&#39;",
		"<img src=x onerror=\x02alert\x03()>": "&lt;img src=x onerror=<mark>alert</mark>()&gt;",
	}
	for in, want := range cases {
		if got := markMatches(in); got != want {
			t.Errorf("markMatches(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzParseSearch runs what ParseSearch makes of any input against a real FTS5 table:
// whatever a member types, the query must never be an FTS5 syntax error.
func FuzzParseSearch(f *testing.F) {
	db, err := sql.Open("sqlite3", ":memory:")
	if err != nil {
		f.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`create virtual table s using fts5(title, body, tokenize = 'porter unicode61 remove_diacritics 2');
		insert into s values ('a title', 'some body text');`); err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"a", `"a b"*`, "-x y", "NEAR(a b, 2)", "\x00\"*^:", "x OR", "OR OR y", "a NOT", "(a) {b} [c]", "é*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, ok := ParseSearch(s)
		if !ok {
			return
		}
		var n int
		if err := db.QueryRow("select count(*) from s where s match ?", q).Scan(&n); err != nil {
			t.Fatalf("ParseSearch(%q) = %q: %v", s, q, err)
		}
		// Marking what was asked for in a text that holds it never fails or breaks text
		// (the index holds only valid UTF-8).
		text := strings.ToValidUTF8("before "+s+" after", "?")
		if html := markMatches(markedSnippet(text, markPhrases(s))); !utf8.ValidString(html) {
			t.Fatalf("snippet for %q is not valid UTF-8: %q", s, html)
		}
	})
}

// What ParseSearch makes, in PostgreSQL's tsquery syntax.
func TestTSQuery(t *testing.T) {
	for in, want := range map[string]string{
		`rye`:                    `(rye)`,
		`"sour dough" bread`:     `(sour <-> dough) & (bread)`,
		`confi* OR settings`:     `((confi:*) | (settings))`,
		`kale -cabbage NOT leek`: `((kale)) & !(cabbage) & !(leek)`,
		`a (b OR c)`:             `(a) & ((b) | (c))`,
		`ORBIT NOTES`:            `(ORBIT) & (NOTES)`, // to_tsquery lowercases
	} {
		match, ok := ParseSearch(in)
		if !ok {
			t.Fatalf("ParseSearch(%q) found nothing", in)
		}
		if got := storage.TSQuery(match); got != want {
			t.Errorf("%q: FTS5 %s, tsquery %s, want %s", in, match, got, want)
		}
	}
}
