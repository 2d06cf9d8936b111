package pii

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// fixtureLines returns the non-empty lines of a file under testdata.
func fixtureLines(tb testing.TB, name string) []string {
	tb.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	var lines []string
	for line := range strings.SplitSeq(string(b), "\n") {
		if line != "" {
			lines = append(lines, line)
		}
	}
	return lines
}

type identifier struct {
	kind Kind
	text string
}

func identifiers(tb testing.TB) []identifier {
	tb.Helper()
	var out []identifier
	for _, line := range fixtureLines(tb, "identifiers.txt") {
		kind, text, ok := strings.Cut(line, "\t")
		if !ok {
			tb.Fatalf("identifiers.txt: no tab in %q", line)
		}
		out = append(out, identifier{Kind(kind), text})
	}
	return out
}

func TestOrdinaryTextHasNoFindings(t *testing.T) {
	lines := fixtureLines(t, "ordinary.txt")
	if len(lines) < 80 {
		t.Fatalf("ordinary.txt has %d lines, want at least 80", len(lines))
	}
	for _, line := range lines {
		if fs := Detect(line); len(fs) > 0 {
			t.Errorf("Detect(%q) = %s, want none", line, describe(line, fs))
		}
	}
	// The lines together, as one long post, must stay quiet too.
	if fs := Detect(strings.Join(lines, "\n")); len(fs) > 0 {
		t.Errorf("ordinary.txt as one post: %d findings, first %s", len(fs), describe(strings.Join(lines, "\n"), fs[:1]))
	}
}

func TestIdentifiersAreFound(t *testing.T) {
	ids := identifiers(t)
	if len(ids) < 40 {
		t.Fatalf("identifiers.txt has %d lines, want at least 40", len(ids))
	}
	for _, id := range ids {
		fs := Detect(id.text)
		found := false
		for _, f := range fs {
			found = found || f.Kind == id.kind
		}
		if !found {
			t.Errorf("Detect(%q) = %s, want a %s", id.text, describe(id.text, fs), id.kind)
		}
	}
}

// describe renders findings with the text they cover, for failure messages.
func describe(text string, fs []Finding) string {
	var b strings.Builder
	b.WriteString("[")
	for i, f := range fs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(string(f.Kind) + " " + strconv.Quote(text[f.Start:f.End]))
	}
	b.WriteString("]")
	return b.String()
}
