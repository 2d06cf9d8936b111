// Package archtest checks the rules of ../../README.md "How it is built" that a compiler
// does not: which package may import which, and where SQL may be written; and that the
// README's own links work in a clone.
package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// layer gives each package its level: a package may import only packages on a lower level,
// never a sibling on its own. Packages not listed are leaves that may import only leaves
// and storage or views.
var layer = map[string]int{
	"server":     8,
	"moderation": 7,
	"forum":      6,
	"chat":       6,
	"account":    5,
	"privacy":    5,
	"watchwords": 5,
	"mail":       4,
	"site":       3,
	"storage":    1,
	"bus":        1,
	"views":      1,
}

// leaves are shared helpers that know no domain package.
var leaves = map[string]bool{"web": true, "markup": true, "ratelimit": true, "privacy/pii": true}

// root is the module's folder, two levels above this test.
func root(t *testing.T) string {
	abs, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

type goFile struct {
	pkg  string // folder relative to the module, e.g. "forum"
	path string // relative path of the file
	ast  *ast.File
	fset *token.FileSet
}

func productionFiles(t *testing.T) []goFile {
	t.Helper()
	top := root(t)
	var out []goFile
	err := filepath.WalkDir(top, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); strings.HasPrefix(name, ".") || name == "testdata" || name == "data" || name == "node_modules" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || strings.HasSuffix(path, "_templ.go") {
			return nil
		}
		rel, _ := filepath.Rel(top, path)
		fset := token.NewFileSet()
		full, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		out = append(out, goFile{pkg: filepath.ToSlash(filepath.Dir(rel)), path: filepath.ToSlash(rel), ast: full, fset: fset})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// level returns the layer of a package folder; shared leaves are level 0.
func level(pkg string) (int, bool) {
	if leaves[pkg] {
		return 0, true
	}
	top := strings.SplitN(pkg, "/", 2)[0]
	l, ok := layer[top]
	return l, ok
}

func TestImportsFollowTheLayers(t *testing.T) {
	for _, f := range productionFiles(t) {
		from, known := level(f.pkg)
		if !known {
			continue // main, loadtest, internal test helpers
		}
		for _, imp := range f.ast.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if !strings.HasPrefix(path, "stoa/") {
				continue
			}
			to := strings.TrimPrefix(path, "stoa/")
			if strings.SplitN(to, "/", 2)[0] == strings.SplitN(f.pkg, "/", 2)[0] {
				continue // a package's own sub-packages
			}
			tl, ok := level(to)
			switch {
			case !ok:
				t.Errorf("%s imports %s, which has no place in the layers", f.path, path)
			case from == 0 && tl != 0 && to != "storage" && to != "views":
				t.Errorf("%s is a shared leaf but imports %s", f.path, path)
			case from != 0 && tl >= from:
				t.Errorf("%s (level %d) imports %s (level %d): a package may import only lower ones", f.path, from, path, tl)
			}
		}
	}
}

var sqlText = regexp.MustCompile(`(?is)^\s*(select|insert|update|delete|with|create|drop|alter|replace|pragma|savepoint|release|rollback)\b`)

// storeFile reports whether a file may hold SQL: a package's store files, and storage.
func storeFile(f goFile) bool {
	base := filepath.Base(f.path)
	return strings.HasPrefix(f.pkg, "storage") || base == "store.go" || strings.HasPrefix(base, "store_") ||
		f.pkg == "loadtest" || strings.HasPrefix(f.pkg, "internal/")
}

func TestSQLOnlyInStoreFiles(t *testing.T) {
	var found []string
	for _, f := range productionFiles(t) {
		if storeFile(f) {
			continue
		}
		ast.Inspect(f.ast, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err == nil && sqlText.MatchString(s) && strings.ContainsAny(s, " \n\t") && looksLikeSQL(s) {
				found = append(found, f.fset.Position(lit.Pos()).String())
			}
			return true
		})
	}
	sort.Strings(found)
	for _, p := range found {
		t.Errorf("SQL outside a store file: %s", p)
	}
}

// looksLikeSQL tells a statement from an English sentence that starts with "Select" or
// "Delete": SQL names a table or a clause.
func looksLikeSQL(s string) bool {
	l := strings.ToLower(s)
	for _, w := range []string{" from ", " into ", " set ", " where ", "savepoint", "release", "rollback", " table ", " index ", "pragma"} {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

var vague = regexp.MustCompile(`(?i)^(extras?|utils?|misc|helpers?|common)$`)

func TestNoVagueNames(t *testing.T) {
	top := root(t)
	err := filepath.WalkDir(top, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		// Shipped migrations keep their names: they are append-only.
		if d.IsDir() && (strings.HasPrefix(name, ".") || name == "testdata" || name == "data" || name == "migrations") {
			return filepath.SkipDir
		}
		if d.IsDir() || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		stem := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, filepath.Ext(name)), "_templ"), ".templ")
		for _, part := range strings.Split(stem, "_") {
			if vague.MatchString(part) {
				rel, _ := filepath.Rel(top, path)
				t.Errorf("%s: a file named %q says nothing of what it holds", rel, part)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range productionFiles(t) {
		for _, decl := range f.ast.Decls {
			g, ok := decl.(*ast.GenDecl)
			if !ok || g.Tok != token.TYPE {
				continue
			}
			for _, spec := range g.Specs {
				name := spec.(*ast.TypeSpec).Name.Name
				if vague.MatchString(name) {
					t.Errorf("%s: type %s says nothing of what it is", f.path, name)
				}
			}
		}
	}
}
