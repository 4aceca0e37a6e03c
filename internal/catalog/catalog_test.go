package catalog

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/teapothq/teapot/content"
)

// A tiny registry for broken-input tests: two registered codes, one unofficial.
const (
	testIANA       = "code\tname\treference\tregistration\n409\tConflict\tRFC 9110, Section 15.5.10\tpermanent\n412\tPrecondition Failed\tRFC 9110, Section 15.5.13\tpermanent\n"
	testUnofficial = "code\tname\torigin\n499\tClient Closed Request\tnginx\n"
	testRules      = "code\theuristically_cacheable\theaders\tcontent\tsource\n409\tno\t\t\tRFC 9110 15.5.10\n412\tno\t\t\tRFC 9110 15.5.13\n"
)

const goodFull = `---
code: 409
name: Conflict
class: 4xx
reference: RFC 9110, Section 15.5.10
spec_url: https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.10
status: permanent
related: [412]
cacheable: no
retry: after-change
summary: The request conflicts with the resource's current state.
---

## In short

**Most likely cause:** a stale version.

### For visitors

- Reload and redo the change.

### For developers

- Merge with the current version and resend.

## Meaning

It conflicts.

## Commonly used for

Stale versions.

## Common causes

- Two editors.

## How to fix

### For visitors

Reload.

### For developers

Merge.

## Example

` + "```http" + `
PUT /a HTTP/1.1
Host: example.com
` + "```" + `

` + "```http" + `
HTTP/1.1 409 Conflict
Content-Length: 0
` + "```" + `

## Headers

- ETag

## Caching and retries

Not cacheable.

## Related

- [412 Precondition Failed](/412): the If-Match form.

## In code

### Go

http.StatusConflict

### Node.js

res.status(409)

### Python

HTTPStatus.CONFLICT

### Java

HttpStatus.CONFLICT

### curl

curl -w '%{http_code}'

## FAQ

### Is it retryable?

After a refresh.

### Is it a client error?

Yes.

### Does it have a body?

It should.
`

const draft412 = "---\ncode: 412\nname: Precondition Failed\nclass: 4xx\nreference: RFC 9110, Section 15.5.13\nspec_url: https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.13\nstatus: permanent\ncacheable: no\nretry: after-change\nsummary: A precondition failed.\ndraft: true\n---\n"

const draft499 = "---\ncode: 499\nname: Client Closed Request\nclass: 4xx\nstatus: unofficial\norigin: nginx\ncacheable: no\nretry: after-delay\nsummary: The client went away.\ndraft: true\n---\n"

func testFS(pages map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{
		"data/iana-status-codes.tsv":       {Data: []byte(testIANA)},
		"data/unofficial-status-codes.tsv": {Data: []byte(testUnofficial)},
		"data/status-code-rules.tsv":       {Data: []byte(testRules)},
		"codes/409.md":                     {Data: []byte(goodFull)},
		"codes/412.md":                     {Data: []byte(draft412)},
		"codes/499.md":                     {Data: []byte(draft499)},
	}
	for name, src := range pages {
		if src == "" {
			delete(fsys, name)
			continue
		}
		fsys[name] = &fstest.MapFile{Data: []byte(src)}
	}
	return fsys
}

func TestLoadGood(t *testing.T) {
	t.Parallel()
	c, err := Load(testFS(nil))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	e := c.Lookup(409)
	if e == nil || e.Name != "Conflict" || len(e.FAQ) != 3 || e.Example.Response != "HTTP/1.1 409 Conflict\nContent-Length: 0" {
		t.Fatalf("409 entry = %+v", e)
	}
	if got := len(c.Entries()); got != 3 {
		t.Errorf("got %d entries, want 3", got)
	}
	if sec, ok := e.Section(SecFix); !ok || !strings.Contains(sec.Markdown, "### For developers") {
		t.Errorf("how-to-fix section = %+v", sec)
	}
}

// TestLoadRejects changes one thing at a time in a good catalog and checks
// that loading fails naming the file, the line where there is one, and the
// problem.
func TestLoadRejects(t *testing.T) {
	t.Parallel()
	swap := func(old, new string) map[string]string {
		return map[string]string{"codes/409.md": strings.Replace(goodFull, old, new, 1)}
	}
	swap2 := func(old1, new1, old2, new2 string) map[string]string {
		return map[string]string{"codes/409.md": strings.Replace(strings.Replace(goodFull, old1, new1, 1), old2, new2, 1)}
	}
	tests := []struct {
		name  string
		pages map[string]string
		want  string // substring of the error
	}{
		{"no front matter", map[string]string{"codes/409.md": "## Meaning\n"}, `codes/409.md:1: file must start with "---"`},
		{"unclosed front matter", map[string]string{"codes/409.md": "---\ncode: 409\n"}, "codes/409.md:1: front matter is not closed"},
		{"not key value", swap("class: 4xx", "class 4xx"), `codes/409.md:4: want "key: value"`},
		{"unknown key", swap("class: 4xx", "colour: red"), "codes/409.md:4: colour: unknown key"},
		{"repeated key", swap("class: 4xx", "class: 4xx\nclass: 4xx"), "codes/409.md:5: class is set twice (first on line 4)"},
		{"missing key", swap("summary: The request conflicts with the resource's current state.\n", ""), "front matter has no summary"},
		{"bad code", swap("code: 409", "code: 4O9"), `codes/409.md:2: code: "4O9" is not a status code`},
		{"code not file", map[string]string{"codes/412.md": strings.Replace(draft412, "code: 412", "code: 409", 1)}, "code 409 does not match the file name 412.md"},
		{"bad status", swap("status: permanent", "status: official"), `codes/409.md:7: status: "official" is not one of`},
		{"bad retry", swap("retry: after-change", "retry: maybe"), `retry: "maybe" is not one of`},
		{"bad cacheable", swap("cacheable: no", "cacheable: sometimes"), "cacheable: want yes or no"},
		{"bad list", swap("related: [412]", "related: 412"), "related: want a list like [a, b]"},
		{"unopened list", swap("related: [412]", "related: 412]"), "related: want a list like [a, b]"},
		{"unclosed list", swap("related: [412]", "related: [412"), "related: want a list like [a, b]"},
		{"name disagrees", swap("name: Conflict", "name: Conflicts"), `name is "Conflicts", but the registry tables say "Conflict"`},
		{"reference disagrees", swap("Section 15.5.10\n", "Section 15.5.11\n"), `reference is "RFC 9110, Section 15.5.11"`},
		{"spec url disagrees", swap("#section-15.5.10", "#section-15.5.1"), "spec_url is"},
		{"class disagrees", swap("class: 4xx", "class: 5xx"), `class is "5xx", want "4xx"`},
		{"cacheable disagrees", swap("cacheable: no", "cacheable: yes"), "cacheable is yes, but data/status-code-rules.tsv says no"},
		{"status disagrees", swap("status: permanent", "status: deprecated"), `status is "deprecated"`},
		{"unknown related", swap2("related: [412]", "related: [412, 410]", "## In code", "- [410](/410)\n\n## In code"), "related code 410 has no page"},
		{"self related", swap2("related: [412]", "related: [412, 409]", "## In code", "- [409](/409)\n\n## In code"), "related lists the page's own code 409"},
		{"related without link", swap("- [412 Precondition Failed](/412): the If-Match form.", "- 412: the If-Match form."), "related code 412 has no link"},
		{"link to unknown code", swap("Stale versions.", "See [410](/410)."), "codes/409.md:32: link to /410, which has no page"},
		{"missing section", swap("## Headers\n\n- ETag\n\n", ""), `missing section "Headers" before "Caching and retries"`},
		{"missing last section", map[string]string{"codes/409.md": goodFull[:strings.Index(goodFull, "## FAQ")]}, `codes/409.md: missing section "FAQ"`},
		{"unknown section", swap("## Headers", "## Headerz"), `unknown section "Headerz"`},
		{"In short without the cause line", swap("**Most likely cause:** a stale version.", "A stale version."), "must open with one line"},
		{"In short with five bullets", swap("- Merge with the current version and resend.", "- a\n- b\n- c\n- d"), "has 5 bullets, want at most 4"},
		{"In short with a long bullet", swap("- Reload and redo the change.", "- "+strings.Repeat("x", 201)), "want at most 200"},
		{"In short with prose in a list", swap("- Reload and redo the change.", "Reload."), "every line must be a bullet"},
		{"In short missing", swap("## In short\n", "## Nothing\n"), "unknown section"},
		{"out of order", swap("## Meaning\n\nIt conflicts.\n", "## Meaning\n\nIt conflicts.\n\n## FAQ\n\nx\n"), "repeated or out of order"},
		{"empty section", swap("It conflicts.", ""), `section "Meaning" is empty`},
		{"text before sections", swap("\n## In short", "hello\n## In short"), "text before the first"},
		{"level one heading", swap("It conflicts.", "# Title"), "no level-1 headings"},
		{"fix without subsections", swap("### For visitors", "### For users"), `must have exactly the subsections "### For visitors"`},
		{"in code without curl", swap("### curl", "### Shell"), "section In code must have exactly the subsections Go, Node.js, Python, Java, curl"},
		{"example with one block", swap("```http\nPUT", "```text\nPUT"), "two ```http blocks"},
		{"example with wrong status", swap("HTTP/1.1 409 Conflict", "HTTP/1.1 200 OK"), `example response must start with "HTTP/1.1 409"`},
		{"unclosed fence", map[string]string{"codes/409.md": goodFull + "```http\n"}, "fenced code block is not closed"},
		{"faq not question", swap("### Is it retryable?", "### Retries"), `FAQ heading "Retries" is not a question`},
		{"faq too short", swap("### Does it have a body?\n\nIt should.\n", ""), "FAQ has 2 questions, want at least 3"},
		{"full page without related", swap("related: [412]\n", ""), "a full page needs related codes"},
		{"missing page", map[string]string{"codes/412.md": ""}, "codes/412.md: missing: every code in the registry tables needs a page"},
		{"code not in tables", map[string]string{"codes/410.md": strings.ReplaceAll(draft412, "412", "410")}, "code 410 is neither in"},
		{"unofficial with reference", map[string]string{"codes/499.md": strings.Replace(draft499, "status:", "reference: RFC 1\nstatus:", 1)}, "reference and spec_url are only for registered codes"},
		{"unofficial origin disagrees", map[string]string{"codes/499.md": strings.Replace(draft499, "origin: nginx", "origin: Apache", 1)}, `origin is "Apache"`},
		{"unofficial cacheable", map[string]string{"codes/499.md": strings.Replace(draft499, "cacheable: no", "cacheable: yes", 1)}, "cacheable must be no for an unofficial code"},
		{"oversized", map[string]string{"codes/409.md": goodFull + strings.Repeat("x", maxFileSize)}, "more than the"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Load(testFS(tt.pages))
			if err == nil {
				t.Fatalf("Load succeeded (%d entries), want an error containing %q", len(c.Entries()), tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v\nwant it to contain %q", err, tt.want)
			}
		})
	}
}

func TestRegistryRejects(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, file, data, want string }{
		{"bad code", "data/iana-status-codes.tsv", "h\n9x9\tX\tRFC 1\tpermanent\n", `data/iana-status-codes.tsv:2: "9x9" is not a status code`},
		{"bad registration", "data/iana-status-codes.tsv", "h\n409\tConflict\tRFC 1\tmaybe\n", `unknown registration "maybe"`},
		{"too many fields", "data/unofficial-status-codes.tsv", "h\n499\ta\tb\tc\n", "4 fields, want 3"},
		{"unofficial registered", "data/unofficial-status-codes.tsv", "h\n409\tConflict\tx\n", "code 409 is registered with IANA"},
		{"bad cacheable", "data/status-code-rules.tsv", "h\n409\tmaybe\t\t\t\n", "heuristically_cacheable must be yes or no"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fsys := testFS(nil)
			fsys[tt.file] = &fstest.MapFile{Data: []byte(tt.data)}
			if _, err := Load(fsys); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestSpecURL(t *testing.T) {
	t.Parallel()
	for ref, want := range map[string]string{
		"RFC 9110, Section 15.5.10":           "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.10",
		"RFC 8297":                            "https://www.rfc-editor.org/rfc/rfc8297.html",
		"draft-ietf-httpbis-resumable-upload": "https://datatracker.ietf.org/doc/draft-ietf-httpbis-resumable-upload/",
		"ISO 1":                               "",
		"RFC x1":                              "",
	} {
		if got := SpecURL(ref); got != want {
			t.Errorf("SpecURL(%q) = %q, want %q", ref, got, want)
		}
	}
}

// TestEmbeddedContent loads the real catalog: every page must be valid and
// every code of the fact tables must have one.
func TestEmbeddedContent(t *testing.T) {
	t.Parallel()
	c, err := Load(content.FS)
	if err != nil {
		t.Fatalf("the embedded content is invalid:\n%v", err)
	}
	if got, want := len(c.Entries()), len(c.Registry.IANA)+len(c.Registry.Unofficial); got != want {
		t.Errorf("got %d pages, want %d", got, want)
	}
	for _, e := range c.Entries() {
		if e.Draft {
			t.Errorf("%s is a draft: every code has a full page", e.File)
		}
	}
}

// TestDataMatchesShared checks that the embedded fact tables are the
// project's shared ones, when the shared folder is beside the checkout.
func TestDataMatchesShared(t *testing.T) {
	t.Parallel()
	shared := filepath.Join("..", "..", "..", "shared", "data")
	if _, err := os.Stat(shared); err != nil {
		t.Logf("no %s beside this checkout; comparing nothing", shared)
		return
	}
	for _, name := range []string{"iana-status-codes.tsv", "unofficial-status-codes.tsv", "status-code-rules.tsv"} {
		want, err := os.ReadFile(filepath.Join(shared, name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := content.FS.ReadFile("data/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("content/data/%s differs from %s: copy it again", name, filepath.Join(shared, name))
		}
	}
}

func TestSearch(t *testing.T) {
	t.Parallel()
	c, err := Load(testFS(nil))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		q    string
		want []int
	}{
		{"409", []int{409}},
		{"conflict", []int{409}},
		{"CONFLICT", []int{409}},
		{"4xx", []int{409, 412, 499}},
		{"precondition", []int{412, 409}},
		{"closed client", []int{499}},
		{"nginx", []int{499}},
		{"editors", []int{409}},
		{"nothing-matches-this", nil},
		{"", nil},
		{"<script>", nil},
	}
	for _, tt := range tests {
		var got []int
		for _, e := range c.Search(tt.q) {
			got = append(got, e.Code)
		}
		if !equalInts(got, tt.want) {
			t.Errorf("Search(%q) = %v, want %v", tt.q, got, tt.want)
		}
	}
}

func TestSuggest(t *testing.T) {
	t.Parallel()
	c, err := Load(testFS(nil))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in   string
		want []int
	}{
		{"4O9", []int{409}},
		{"4l2", []int{412}},
		{"410", []int{409, 412, 499}},
		{"498", []int{499, 412, 409}},
		{"conflict", []int{409}},
		{"-1", nil},
		{"99999", nil},
		{strings.Repeat("9", 10000), nil},
	}
	for _, tt := range tests {
		var got []int
		for _, e := range c.Suggest(tt.in, 3) {
			got = append(got, e.Code)
		}
		if !equalInts(got, tt.want) {
			t.Errorf("Suggest(%.20q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(goodFull))
	f.Add([]byte(draft412))
	f.Add([]byte("---\n---\n## FAQ\n### ?\n"))
	f.Add([]byte("---\nrelated: [,]\n---\n```http\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		e, err := Parse("codes/409.md", src)
		if err == nil && e == nil {
			t.Fatal("Parse returned neither an entry nor an error")
		}
		if err != nil {
			return
		}
		for _, s := range e.Sections {
			if s.ID == "" {
				t.Fatalf("section %q without ID", s.Title)
			}
		}
	})
}
