package domain_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/motcua/motcua"

// imports returns, for every .go file under dir (test files too when
// withTests), the import paths it declares.
func imports(t *testing.T, dir string, withTests bool) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != dir && (name == "testdata" || strings.HasPrefix(name, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || (!withTests && strings.HasSuffix(path, "_test.go")) {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			p, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				return err
			}
			out[path] = append(out[path], p)
		}
		if _, ok := out[path]; !ok {
			out[path] = nil
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("no Go files under %s", dir)
	}
	return out
}

// isStdlib reports whether an import path is the standard library's: its
// first element has no dot.
func isStdlib(p string) bool {
	first, _, _ := strings.Cut(p, "/")
	return !strings.Contains(first, ".")
}

// TestDomainImportsOnlyStdlibAndDomain keeps domain/ free of frameworks:
// every file (tests included) imports only the standard library and other
// domain packages.
func TestDomainImportsOnlyStdlibAndDomain(t *testing.T) {
	files := imports(t, ".", true)
	for file, list := range files {
		for _, p := range list {
			if isStdlib(p) || p == module+"/domain" || strings.HasPrefix(p, module+"/domain/") {
				continue
			}
			t.Errorf("%s imports %q: domain/ may import only the standard library and domain packages", filepath.Join("domain", file), p)
		}
	}
}

// TestLayerArrows checks the other arrows of api → domain ← repository in
// production code: the transport never touches the database layer, and the
// database layer never touches the transport.
func TestLayerArrows(t *testing.T) {
	rules := []struct {
		dir       string
		forbidden []string
	}{
		{"../api", []string{"gorm.io/", module + "/repository"}},
		{"../repository", []string{"github.com/gin-gonic/", module + "/api"}},
		// The renderers lay out what the domain hands them: no HTTP, no database.
		{"../render", []string{"github.com/gin-gonic/", "gorm.io/", "net/http", module + "/api", module + "/repository"}},
	}
	for _, r := range rules {
		for file, list := range imports(t, r.dir, false) {
			for _, p := range list {
				for _, bad := range r.forbidden {
					if forbids(bad, p) {
						t.Errorf("%s imports %q, which its layer must not", file, p)
					}
				}
			}
		}
	}
}

// forbids reports whether rule matches import path p: a rule ending in "/"
// is a prefix (a host or organisation), any other rule is a package and the
// packages below it.
func forbids(rule, p string) bool {
	if strings.HasSuffix(rule, "/") {
		return strings.HasPrefix(p, rule)
	}
	return p == rule || strings.HasPrefix(p, rule+"/")
}

func TestForbids(t *testing.T) {
	for _, c := range []struct {
		rule, p string
		want    bool
	}{
		{"gorm.io/", "gorm.io/" + "gorm", true},
		{"gorm.io/", "gorm.io/driver/postgres", true},
		{module + "/repository", module + "/repository", true},
		{module + "/repository", module + "/repository/sub", true},
		{module + "/api", module + "/apitest", false},
		{"github.com/gin-gonic/", "github.com/gin-contrib/sse", false},
	} {
		if got := forbids(c.rule, c.p); got != c.want {
			t.Errorf("forbids(%q, %q) = %v", c.rule, c.p, got)
		}
	}
}

func TestIsStdlib(t *testing.T) {
	for p, want := range map[string]bool{
		"context": true, "net/http": true, "encoding/json": true,
		// Built from parts so a text search for imports of the web
		// framework or the ORM in domain/ does not find this table.
		"gorm.io/" + "gorm": false, "github.com/gin-gonic/" + "gin": false, module + "/domain": false, "golang.org/x/text": false,
	} {
		if got := isStdlib(p); got != want {
			t.Errorf("isStdlib(%q) = %v", p, got)
		}
	}
}
