package privacy_test

import (
	"strings"
	"testing"

	"stoa/privacy"
)

// render shows a diff compactly: " a", "+b", "-c".
func renderDiff(lines []privacy.DiffLine) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(map[privacy.Op]string{privacy.Same: " ", privacy.Added: "+", privacy.Removed: "-"}[l.Op] + l.Text + "\n")
	}
	return b.String()
}

func TestDiff(t *testing.T) {
	for _, c := range []struct{ name, a, b, want string }{
		{"same", "a\nb\n", "a\nb\n", " a\n b\n"},
		{"empty to text", "", "a\n", "+a\n"},
		{"text to empty", "a\nb", "", "-a\n-b\n"},
		{"change in middle", "a\nb\nc\n", "a\nB\nc\n", " a\n-b\n+B\n c\n"},
		{"insert", "a\nc", "a\nb\nc", " a\n+b\n c\n"},
		{"delete", "a\nb\nc", "a\nc", " a\n-b\n c\n"},
		{"move keeps the longest common part", "x\na\nb\nc\n", "a\nb\nc\nx\n", "-x\n a\n b\n c\n+x\n"},
		{"crlf", "a\r\nb\r\n", "a\nb\n", " a\n b\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := renderDiff(privacy.Diff(c.a, c.b)); got != c.want {
				t.Errorf("Diff:\n%s\nwant:\n%s", got, c.want)
			}
		})
	}
}

func TestDiffLineNumbers(t *testing.T) {
	d := privacy.Diff("a\nb\nc\nd", "a\nc\nX\nd")
	want := []privacy.DiffLine{
		{privacy.Same, "a", 1, 1}, {privacy.Removed, "b", 2, 0}, {privacy.Same, "c", 3, 2},
		{privacy.Added, "X", 0, 3}, {privacy.Same, "d", 4, 4},
	}
	if len(d) != len(want) {
		t.Fatalf("diff = %+v", d)
	}
	for i := range want {
		if d[i] != want[i] {
			t.Errorf("line %d = %+v, want %+v", i, d[i], want[i])
		}
	}
}

// Two large texts with nothing in common stay cheap: the table is skipped.
func TestDiffLargeDisjoint(t *testing.T) {
	var a, b strings.Builder
	for i := 0; i < 5000; i++ {
		a.WriteString("old line\n")
		b.WriteString("new line\n")
	}
	d := privacy.Diff(a.String(), b.String())
	if len(d) != 10000 {
		t.Fatalf("got %d lines", len(d))
	}
}
