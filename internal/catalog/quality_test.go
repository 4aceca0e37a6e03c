package catalog

import (
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/teapothq/teapot/content"
)

// loadEmbedded parses every embedded page and guide on its own, so that
// the checks below report on each file that parses even while another is
// broken (TestEmbeddedContent reports those).
func loadEmbedded(t *testing.T) *Catalog {
	t.Helper()
	c := &Catalog{byCode: map[int]*Entry{}}
	for _, pattern := range []string{"codes/*.md", "compare/*.md", "guides/*.md"} {
		names, _ := fs.Glob(content.FS, pattern)
		for _, name := range names {
			src, err := fs.ReadFile(content.FS, name)
			if err != nil {
				t.Fatal(err)
			}
			if pattern == "codes/*.md" {
				if e, err := Parse(name, src); err == nil {
					c.entries = append(c.entries, e)
					c.byCode[e.Code] = e
				}
			} else if g, err := ParseGuide(name, src); err == nil {
				c.guides = append(c.guides, g)
			}
		}
	}
	return c
}

// minWords is the least a full page's section may say.
var minWords = map[string]int{
	SecMeaning: 60, SecUsedFor: 40, SecCauses: 25, SecFix: 60, SecExample: 10,
	SecHeaders: 15, SecCaching: 30, SecRelated: 10, SecInCode: 30, SecFAQ: 60,
}

var placeholder = regexp.MustCompile(`(?i)\b(TODO|TBD|FIXME|XXX|lorem ipsum|coming soon)\b`)

// TestSectionsSaySomething rejects thin sections and placeholder text, and
// unofficial pages that do not say so.
func TestSectionsSaySomething(t *testing.T) {
	t.Parallel()
	c := loadEmbedded(t)
	for _, e := range c.Entries() {
		for _, s := range e.Sections {
			if n := len(strings.Fields(s.Markdown)); !e.Draft && n < minWords[s.ID] {
				t.Errorf("%s: section %q has %d words, want at least %d", e.File, s.Title, n, minWords[s.ID])
			}
			if m := placeholder.FindString(s.Markdown); m != "" {
				t.Errorf("%s: section %q contains placeholder text %q", e.File, s.Title, m)
			}
		}
		if meaning, ok := e.Section(SecMeaning); ok && !e.Official() {
			if !strings.Contains(strings.ToLower(meaning.Markdown), "not a standard") {
				t.Errorf("%s: an unofficial code's Meaning must say it is not a standard status code", e.File)
			}
		}
	}
}

// sentences splits prose into sentences, leaving out code blocks, tables
// and headings.
func sentences(md string) []string {
	var prose strings.Builder
	fence := false
	for _, line := range strings.Split(md, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") {
			fence = !fence
			continue
		}
		if fence || strings.HasPrefix(trimmed, "|") || strings.HasPrefix(trimmed, "#") {
			continue
		}
		prose.WriteString(trimmed + " ")
	}
	var out []string
	for _, s := range regexp.MustCompile(`[.!?]\s+`).Split(prose.String(), -1) {
		s = strings.ToLower(strings.Join(strings.FieldsFunc(s, func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r)
		}), " "))
		if len(strings.Fields(s)) >= 10 {
			out = append(out, s)
		}
	}
	return out
}

// TestNoSharedSentences finds sentences of ten words or more that appear
// on two pages: pages are written, not stamped from a template.
func TestNoSharedSentences(t *testing.T) {
	t.Parallel()
	c := loadEmbedded(t)
	seen := map[string]string{}
	check := func(file string, secs []Section) {
		for _, s := range secs {
			for _, sent := range sentences(s.Markdown) {
				if other, ok := seen[sent]; ok && other != file {
					t.Errorf("%s repeats a sentence of %s: %q", file, other, sent)
				}
				seen[sent] = file
			}
		}
	}
	for _, e := range c.Entries() {
		check(e.File, e.Sections)
	}
	for _, g := range c.Guides() {
		check(g.File, g.Sections)
	}
}

var (
	goConst = regexp.MustCompile(`\bhttp\.(Status[A-Z][A-Za-z]*)\b`)
	pyConst = regexp.MustCompile(`\bHTTPStatus\.([A-Z][A-Z_]*)\b`)
)

// inCodeNames collects the constants each page's In code section names.
func inCodeNames(c *Catalog, re *regexp.Regexp) map[*Entry][]string {
	out := map[*Entry][]string{}
	for _, e := range c.Entries() {
		s, ok := e.Section(SecInCode)
		if !ok {
			continue
		}
		for _, m := range re.FindAllStringSubmatch(s.Markdown, -1) {
			if !slices.Contains(out[e], m[1]) {
				out[e] = append(out[e], m[1])
			}
		}
	}
	return out
}

// allNames is every name the pages use, once each, sorted.
func allNames(names map[*Entry][]string) []string {
	var all []string
	for _, ns := range names {
		all = append(all, ns...)
	}
	slices.Sort(all)
	return slices.Compact(all)
}

// constValues runs a program that prints name=value for each name, as the
// language sees it; a name that does not exist fails the program.
func constValues(t *testing.T, cmd *exec.Cmd) map[string]int {
	t.Helper()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", cmd.Args[0], err, out)
	}
	vals := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		name, v, _ := strings.Cut(line, "=")
		vals[name], _ = strconv.Atoi(v)
	}
	return vals
}

// checkOwnConstant requires every page to name its own code's constant when
// the language has one (has reports whether it does).
func checkOwnConstant(t *testing.T, c *Catalog, lang string, names map[*Entry][]string, vals map[string]int, has func(code int) bool) {
	for _, e := range c.Entries() {
		if _, ok := e.Section(SecInCode); !ok || !has(e.Code) {
			continue
		}
		found := false
		for _, n := range names[e] {
			found = found || vals[n] == e.Code
		}
		if !found {
			t.Errorf("%s: In code names no %s constant for %d (it names %v)", e.File, lang, e.Code, names[e])
		}
	}
}

// TestGoConstants compiles a program that uses every http.StatusXxx the
// pages name and prints their values.
func TestGoConstants(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs the go command")
	}
	c := loadEmbedded(t)
	names := inCodeNames(c, goConst)
	all := allNames(names)
	var src strings.Builder
	src.WriteString("package main\n\nimport (\n\t\"fmt\"\n\t\"net/http\"\n)\n\nvar _ = http.StatusOK\n\nfunc main() {\n\tfmt.Print()\n")
	for _, n := range all {
		fmt.Fprintf(&src, "\tfmt.Printf(\"%s=%%d\\n\", http.%s)\n", n, n)
	}
	src.WriteString("}\n")
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module constants\n\ngo 1.26\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "main.go"), []byte(src.String()), 0o644)
	cmd := exec.Command("go", "run", ".")
	cmd.Dir = dir
	vals := constValues(t, cmd)
	// Go has a constant for every code it has a text for.
	goHas := func(code int) bool { return http.StatusText(code) != "" }
	checkOwnConstant(t, c, "Go", names, vals, goHas)
}

// TestPythonConstants checks every HTTPStatus.NAME the pages use against
// python3's http.HTTPStatus, where python3 is installed.
func TestPythonConstants(t *testing.T) {
	t.Parallel()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed")
	}
	c := loadEmbedded(t)
	names := inCodeNames(c, pyConst)
	all := allNames(names)
	script := "from http import HTTPStatus\nimport sys\nfor n in sys.argv[1:]:\n    print(n + '=' + str(int(HTTPStatus[n])))\n"
	vals := constValues(t, exec.Command(py, append([]string{"-c", script}, all...)...))
	known := constValues(t, exec.Command(py, "-c", "from http import HTTPStatus\nfor s in HTTPStatus:\n    print(s.name + '=' + str(int(s)))\n"))
	pyHas := func(code int) bool {
		for _, v := range known {
			if v == code {
				return true
			}
		}
		return false
	}
	checkOwnConstant(t, c, "Python", names, vals, pyHas)
}
