package nspr

import (
	"bufio"
	"bytes"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Patterns that pick the names out of the specification: module functions,
// classes, class members (a line that is just a name, optionally with its
// arguments and result) and PR_ constants anywhere in the text.
var (
	seedFunction = regexp.MustCompile(`^nss\.io\.([a-z_]+)\(`)
	seedClass    = regexp.MustCompile(`^class nss\.io\.([A-Za-z]+)`)
	seedMember   = regexp.MustCompile(`^(?:static )?([a-z_]+)(\(.*\))?\s*((->|→).*)?$`)
	seedConstant = regexp.MustCompile(`\bPR_[A-Za-z0-9_]+\b`)
	mappingRow   = regexp.MustCompile("^\\| `([^`]+)` \\| `([^`]+)` \\|")
)

// pythonKeyword holds the statements of the seed's Python examples that
// look like member lines.
var pythonKeyword = map[string]bool{"pass": true, "return": true, "break": true, "continue": true}

// seedNames lists every name of the specification: functions as `name`,
// classes as `Class`, members as `Class.member`, constants as `PR_…`. They
// come from the text and from the module's own list of public names
// (testdata/seed/nss.io.names, which TestSeedNamesMatchOriginal keeps true),
// because the text lists some constants only as PR_POLL_*.
func seedNames(t *testing.T, path string) []string {
	t.Helper()
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, name := range moduleNames(t) {
		names[name] = true
	}
	class := ""
	sc := bufio.NewScanner(bytes.NewReader(text))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		for _, c := range seedConstant.FindAllString(line, -1) {
			if !strings.HasSuffix(c, "_") { // "PR_POLL_" in prose names a prefix
				names[c] = true
			}
		}
		if m := seedFunction.FindStringSubmatch(line); m != nil {
			class = "" // the module functions follow the classes
			names[m[1]] = true
			continue
		}
		if m := seedClass.FindStringSubmatch(line); m != nil {
			class = m[1]
			names[class] = true
			continue
		}
		if m := seedMember.FindStringSubmatch(line); m != nil && class != "" && !pythonKeyword[m[1]] {
			names[class+"."+m[1]] = true
		}
	}
	return slices.Sorted(maps.Keys(names))
}

// moduleNames reads the public names of nss.io as the original lists them.
func moduleNames(t *testing.T) []string {
	t.Helper()
	text, err := os.ReadFile("testdata/seed/nss.io.names")
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(text))
}

// beyondSeedHeading opens the part of docs/seed-mapping.md that maps NSPR
// calls the specification does not have.
const beyondSeedHeading = "## NSPR calls beyond the seed"

// mappingRows reads docs/seed-mapping.md: seed name → Go symbol, and, from
// beyondSeedHeading to the next heading, NSPR name → Go symbol.
func mappingRows(t *testing.T) (seed, beyond map[string]string) {
	t.Helper()
	text, err := os.ReadFile("docs/seed-mapping.md")
	if err != nil {
		t.Fatal(err)
	}
	seed, beyond = map[string]string{}, map[string]string{}
	rows := seed
	for line := range strings.Lines(string(text)) {
		if strings.HasPrefix(line, "## ") {
			rows = seed
			if strings.HasPrefix(line, beyondSeedHeading) {
				rows = beyond
			}
		}
		if m := mappingRow.FindStringSubmatch(line); m != nil {
			if _, dup := rows[m[1]]; dup {
				t.Errorf("seed-mapping.md lists %s twice", m[1])
			}
			rows[m[1]] = m[2]
		}
	}
	return seed, beyond
}

// typeName returns the name of a receiver's type, T for T and T[U].
func typeName(x ast.Expr) string {
	if ix, ok := x.(*ast.IndexExpr); ok {
		x = ix.X
	}
	return x.(*ast.Ident).Name
}

// mappedPlatforms are the systems the package builds for: every symbol the
// mapping names must be declared on each.
var mappedPlatforms = []string{"linux", "darwin", "freebsd"}

// goSymbols lists the package's exported declarations on goos as the
// mapping writes them: nspr.Name for functions, types, constants and
// variables, (*T).M and T.M for methods. Files are chosen as the go command
// chooses them for goos (file name suffixes and build constraints).
func goSymbols(t *testing.T, goos string) map[string]bool {
	t.Helper()
	ctx := build.Default
	ctx.GOOS = goos
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		if ok, err := ctx.MatchFile(".", name); err != nil {
			t.Fatal(err)
		} else if !ok {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		if f.Name.Name == "nspr" {
			files = append(files, f)
		}
	}
	if len(files) == 0 {
		t.Fatalf("no file of package nspr builds for %s", goos)
	}
	syms := map[string]bool{}
	for _, f := range files {
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					syms["nspr."+d.Name.Name] = true
					continue
				}
				switch r := d.Recv.List[0].Type.(type) {
				case *ast.StarExpr:
					syms[fmt.Sprintf("(*%s).%s", typeName(r.X), d.Name.Name)] = true
				case *ast.Ident:
					syms[r.Name+"."+d.Name.Name] = true
				}
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					switch s := spec.(type) {
					case *ast.TypeSpec:
						syms["nspr."+s.Name.Name] = true
					case *ast.ValueSpec:
						for _, n := range s.Names {
							syms["nspr."+n.Name] = true
						}
					}
				}
			}
		}
	}
	return syms
}

// TestSeedMappingIsCompleteAndTrue keeps docs/seed-mapping.md complete (a
// row for every name of the specification) and true (every Go symbol it
// names exists, exported).
func TestSeedMappingIsCompleteAndTrue(t *testing.T) {
	rows, beyond := mappingRows(t)
	syms := map[string]map[string]bool{}
	for _, goos := range mappedPlatforms {
		syms[goos] = goSymbols(t, goos)
	}
	for name, sym := range beyond {
		for _, goos := range mappedPlatforms {
			if !syms[goos][sym] {
				t.Errorf("seed-mapping.md maps %s to %s, which the package does not declare on %s", name, sym, goos)
			}
		}
	}
	seed := seedNames(t, "testdata/seed/nss.io.txt")
	if len(seed) < 90 {
		t.Fatalf("found only %d names in the specification; the parser is broken", len(seed))
	}
	for _, name := range seed {
		if _, ok := rows[name]; !ok {
			t.Errorf("seed name %s has no row in docs/seed-mapping.md", name)
		}
	}
	for name, sym := range rows {
		if !slices.Contains(seed, name) {
			t.Errorf("seed-mapping.md has a row for %s, which is not in the specification", name)
		}
		for _, goos := range mappedPlatforms {
			if !syms[goos][sym] {
				t.Errorf("seed-mapping.md maps %s to %s, which the package does not declare on %s", name, sym, goos)
			}
		}
	}
}

// TestSeedNamesMatchOriginal checks testdata/seed/nss.io.names against
// the names the original module (Debian's python3-nss) exports.
func TestSeedNamesMatchOriginal(t *testing.T) {
	const list = `import nss.io as io
for n in sorted(dir(io)):
    if n.startswith("_"): continue
    print(n)
    if isinstance(getattr(io, n), type):
        for m in sorted(dir(getattr(io, n))):
            if not m.startswith("_"): print(n + "." + m)`
	out, err := exec.Command(pythonNSS, "-c", list).Output()
	if err != nil {
		t.Skipf("the original is not installed (python3-nss for %s): %v", pythonNSS, err)
	}
	if got, want := strings.Fields(string(out)), moduleNames(t); !slices.Equal(got, want) {
		t.Errorf("nss.io exports\n%v\ntestdata/seed/nss.io.names lists\n%v", got, want)
	}
}
