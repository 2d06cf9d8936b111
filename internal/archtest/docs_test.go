package archtest

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var mdLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// The README works in a fresh clone: every link to a file points into the repository,
// and nothing refers to folders beside it, which a clone does not have (issue 16).
func TestReadmeLinksResolveInAClone(t *testing.T) {
	dir := root(t)
	b, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	if strings.Contains(readme, "../") {
		t.Error("README.md refers to something outside the repository (../)")
	}
	for _, m := range mdLink.FindAllStringSubmatch(readme, -1) {
		target, _, _ := strings.Cut(m[1], "#")
		if target == "" || strings.Contains(target, "://") {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, target)); err != nil {
			t.Errorf("README.md links %s, which is not in the repository", m[1])
		}
	}
	for _, doc := range []string{"docs/design.md", "docs/privacy-principles.md"} {
		b, err := os.ReadFile(filepath.Join(dir, doc))
		if err != nil {
			t.Fatal(err)
		}
		first, _, _ := strings.Cut(string(b), "\n")
		if !strings.Contains(first, "shared copy") || !strings.Contains(first, "original") {
			t.Errorf("%s does not say in its first line that the team's shared copy is the original: %q", doc, first)
		}
		if !strings.Contains(readme, "("+doc+")") {
			t.Errorf("README.md does not link %s", doc)
		}
	}
}
