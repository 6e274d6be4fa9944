package nspr

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDocCommentsReadOnPkgGoDev checks the comments of the module's Go
// files (tests aside) for what does not read on pkg.go.dev: a relative
// link to the repository's docs (it resolves against pkg.go.dev, not the
// repository), and "the seed" unexplained, where a reader needs to be told
// it is python-nss's nss.io.
func TestDocCommentsReadOnPkgGoDev(t *testing.T) {
	relativeDoc := regexp.MustCompile(`(^|[\s(])(\./)?docs/[\w-]+\.md`)
	theSeed := regexp.MustCompile(`(?i)\bthe seed\b`)
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		for _, g := range f.Comments {
			text := g.Text()
			if m := relativeDoc.FindString(text); m != "" {
				t.Errorf("%s: a relative link %q: use https://github.com/nspr-go/nspr/blob/main/…", fset.Position(g.Pos()), strings.TrimSpace(m))
			}
			if theSeed.MatchString(text) && !strings.Contains(text, "python-nss") {
				t.Errorf("%s: says \"the seed\" without naming python-nss's nss.io", fset.Position(g.Pos()))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
