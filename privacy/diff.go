package privacy

import "strings"

// Op says what happened to a line between two versions.
type Op int

// The line operations of a diff.
const (
	Same Op = iota
	Added
	Removed
)

// DiffLine is one line of a line-by-line comparison.
type DiffLine struct {
	Op   Op
	Text string
	Old  int // line number in the old version, 0 for an added line
	New  int // line number in the new version, 0 for a removed line
}

// maxDiffCells caps the LCS table (4 bytes a cell): two 64 KiB policies that share
// nothing degrade to "all removed, all added" instead of using hundreds of megabytes.
const maxDiffCells = 4 << 20

// Diff compares two texts line by line, from a longest common subsequence of lines.
func Diff(oldText, newText string) []DiffLine {
	a, b := splitLines(oldText), splitLines(newText)
	// Common lines at both ends need no table; policies usually change in the middle.
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	out := make([]DiffLine, 0, len(a)+len(b)-pre-suf)
	for i := 0; i < pre; i++ {
		out = append(out, DiffLine{Op: Same, Text: a[i], Old: i + 1, New: i + 1})
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	out = append(out, lcsDiff(ma, mb, pre, pre)...)
	for i := 0; i < suf; i++ {
		oi, ni := len(a)-suf+i, len(b)-suf+i
		out = append(out, DiffLine{Op: Same, Text: a[oi], Old: oi + 1, New: ni + 1})
	}
	return out
}

func splitLines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// lcsDiff diffs the middle parts; offA and offB are their first lines' indexes.
func lcsDiff(a, b []string, offA, offB int) []DiffLine {
	var out []DiffLine
	n, m := len(a), len(b)
	if n*m > maxDiffCells || n == 0 || m == 0 {
		for i, l := range a {
			out = append(out, DiffLine{Op: Removed, Text: l, Old: offA + i + 1})
		}
		for j, l := range b {
			out = append(out, DiffLine{Op: Added, Text: l, New: offB + j + 1})
		}
		return out
	}
	// t[i][j] is the LCS length of a[i:] and b[j:].
	w := m + 1
	t := make([]int32, (n+1)*w)
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				t[i*w+j] = t[(i+1)*w+j+1] + 1
			} else {
				t[i*w+j] = max(t[(i+1)*w+j], t[i*w+j+1])
			}
		}
	}
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case a[i] == b[j]:
			out = append(out, DiffLine{Op: Same, Text: a[i], Old: offA + i + 1, New: offB + j + 1})
			i++
			j++
		case t[(i+1)*w+j] >= t[i*w+j+1]:
			out = append(out, DiffLine{Op: Removed, Text: a[i], Old: offA + i + 1})
			i++
		default:
			out = append(out, DiffLine{Op: Added, Text: b[j], New: offB + j + 1})
			j++
		}
	}
	for ; i < n; i++ {
		out = append(out, DiffLine{Op: Removed, Text: a[i], Old: offA + i + 1})
	}
	for ; j < m; j++ {
		out = append(out, DiffLine{Op: Added, Text: b[j], New: offB + j + 1})
	}
	return out
}
