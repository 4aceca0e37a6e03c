package catalog

import (
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/teapothq/teapot/content"
)

// searchable is the embedded catalog with its search index. Like
// loadEmbedded it parses page by page and skips what does not parse, so
// that a page broken by an edit in progress fails TestEmbeddedContent,
// not the ranking.
var searchable = sync.OnceValue(func() *Catalog {
	c := &Catalog{byCode: map[int]*Entry{}}
	for _, pattern := range []string{"codes/*.md", "compare/*.md", "guides/*.md"} {
		names, _ := fs.Glob(content.FS, pattern)
		for _, name := range names {
			src, _ := fs.ReadFile(content.FS, name)
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
	ix := newSearchIndex(c)
	c.search = func() *searchIndex { return ix }
	return c
})

func codes(entries []*Entry) []int {
	out := make([]int, len(entries))
	for i, e := range entries {
		out[i] = e.Code
	}
	return out
}

// TestSearchRanking is what people mean by their words: each case says
// what must come first, or before what.
func TestSearchRanking(t *testing.T) {
	t.Parallel()
	c := searchable()
	tests := []struct {
		q      string
		first  []int // the first results, in any order
		before [][2]int
	}{
		{q: "rate limit", first: []int{429}},
		{q: "timeout", before: [][2]int{{408, 524}, {504, 524}}},
		{q: "conflict", first: []int{409}},
		{q: "too many", first: []int{429}},
		{q: "too many requests", first: []int{429}},
		{q: "cloudflare", first: []int{520, 521, 522, 523, 524, 525, 526, 527, 530}},
		{q: "nginx 499", first: []int{499}},
		{q: "499 nginx", first: []int{499}},
		{q: "409", first: []int{409}},
		{q: " 409 ", first: []int{409}},
		{q: "what is 409", first: []int{409}},
		{q: "what does 524 mean", first: []int{524}},
		{q: "conflict 412", first: []int{412}},
		{q: "401 vs 403", first: []int{401, 403}},
		{q: "gateway timeout", first: []int{504}},
		{q: "Gateway-Timeout", first: []int{504}},
		{q: "bad gateway", first: []int{502}},
		{q: "i'm a teapot", first: []int{418}},
		{q: "teapots", first: []int{418}},
		{q: "precondition", first: []int{428, 412}},
		{q: "client closed", first: []int{499}},
		{q: "rat", first: []int{429}},
		{q: "RATE LIMITING", first: []int{429}},
		{q: "4xx", first: codes(c.InClass("4xx"))},
		{q: "5", first: codes(c.InClass("5xx"))},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			t.Parallel()
			got := codes(c.Search(tt.q))
			if len(got) < len(tt.first) {
				t.Fatalf("Search(%q) = %v, want %v first", tt.q, got, tt.first)
			}
			if top := slices.Sorted(slices.Values(got[:len(tt.first)])); !slices.Equal(top, slices.Sorted(slices.Values(tt.first))) {
				t.Errorf("Search(%q) starts %v, want %v first", tt.q, got[:min(len(got), len(tt.first)+3)], tt.first)
			}
			for _, b := range tt.before {
				i, j := slices.Index(got, b[0]), slices.Index(got, b[1])
				if i < 0 || j < 0 || i > j {
					t.Errorf("Search(%q) = %v, want %d before %d", tt.q, got[:min(len(got), 10)], b[0], b[1])
				}
			}
		})
	}
}

// TestSearchWholeWords checks every result of a word against the text
// with a regular expression: a word matches a word that equals it or
// starts with it, never one that ends with it ("rate" in "separate").
func TestSearchWholeWords(t *testing.T) {
	t.Parallel()
	c := searchable()
	for _, q := range []string{"rate", "separate", "limit", "age", "tag", "cat", "conflict", "nginx"} {
		re := regexp.MustCompile(`(?i)\b` + q)
		got := c.Search(q)
		if len(got) == 0 {
			t.Errorf("Search(%q) found nothing", q)
		}
		for _, e := range got {
			if !re.MatchString(entryText(e)) {
				t.Errorf("Search(%q) returns %d, which has no word starting with %q", q, e.Code, q)
			}
		}
	}
}

func entryText(e *Entry) string {
	var b strings.Builder
	b.WriteString(e.Name + "\n" + strings.Join(e.Aka, "\n") + "\n" + e.Origin + "\n" + e.Summary + "\n")
	for _, s := range e.Sections {
		b.WriteString(s.Markdown + "\n")
	}
	return b.String()
}

// TestSearchWordsNotSubstrings is the same on pages written for it: 412
// says "separate", 499 "rate", and neither finds the other. It checks
// what matches, not the order.
func TestSearchWordsNotSubstrings(t *testing.T) {
	t.Parallel()
	c, err := Load(testFS(map[string]string{
		"codes/412.md": strings.Replace(draft412, "summary: A precondition failed.", "summary: A precondition failed on separate requests.", 1),
		"codes/499.md": strings.Replace(draft499, "summary: The client went away.", "summary: The client went away at a high rate.", 1),
	}))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		q    string
		want []int
	}{
		{"separate", []int{412}},
		{"rate", []int{499}},
		{"rat", []int{499}},
		{"arate", nil},
		{"requests", []int{409, 412, 499}}, // a plural finds the singular: "The request conflicts", "Client Closed Request"
		{"separates", []int{412}},
		{"editor", []int{409}},
		{"Two-Editors", []int{409}},
		{"4O9", nil}, // not a code, and no word
	}
	for _, tt := range tests {
		got := codes(c.Search(tt.q))
		if slices.Sort(got); !slices.Equal(got, tt.want) && len(got)+len(tt.want) > 0 {
			t.Errorf("Search(%q) = %v, want %v (in any order)", tt.q, got, tt.want)
		}
	}
}

func TestSearchGuides(t *testing.T) {
	t.Parallel()
	c := searchable()
	tests := []struct {
		q    string
		path string // a guide among the first three results
	}{
		{"status 000", "/guides/000"},
		{"000", "/guides/000"},
		{"401 vs 403", "/compare/401-vs-403"},
		{"stale etag", "/guides/stale-etag"},
		{"duplicate key", "/guides/duplicate-key"},
		{"409", "/compare/409-vs-412-vs-428"},
	}
	for _, tt := range tests {
		hits := c.SearchAll(tt.q)
		var top []string
		for _, h := range hits[:min(3, len(hits))] {
			if h.Guide != nil {
				if h.Entry != nil || h.Guide.Title == "" {
					t.Errorf("SearchAll(%q): hit %+v", tt.q, h)
				}
				top = append(top, h.Guide.Path())
			}
		}
		if !slices.Contains(top, tt.path) {
			t.Errorf("SearchAll(%q): guides in the first three are %v, want %s", tt.q, top, tt.path)
		}
	}
	if got := c.Search("status 000"); slices.ContainsFunc(got, func(e *Entry) bool { return e == nil }) {
		t.Errorf("Search returns guides as nil entries")
	}
}

func TestSearchNothing(t *testing.T) {
	t.Parallel()
	c := searchable()
	for _, q := range []string{"", "   ", "<>", "-", "a", "zzzzqqq", "4O9", "rate zzzzqqq", strings.Repeat("a ", 5000)} {
		if got := c.SearchAll(q); len(got) != 0 {
			t.Errorf("SearchAll(%.20q) = %d hits, want none", q, len(got))
		}
	}
	if got := (&Catalog{}).SearchAll("409"); got != nil {
		t.Errorf("a catalog without an index found %v", got)
	}
}

func TestTokenize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string
	}{
		{"Too Many Requests", "too many request"},
		{"I'm a teapot", "im a teapot"},
		{"Don’t retry", "dont retry"},
		{"Login Time-out", "login time out timeout/2"},
		{"Retry-After: 120", "retry after retryafter/2 120"},
		{"client_max_body_size", "client max body size clientmaxbodysize/4"},
		{"5,000 requests; 1,2 and 1,0000", "5000 request 1 2 and 1 0000"},
		{"HTTP/1.1 429", "http 1 1 429"},
		{"CORS status access analysis bytes 10s", "cors status access analysis byte 10s"},
		{"-leading trailing- a--b", "leading trailing a b"},
		{"Ünïcode ÉTAG", "ünïcode étag"},
	}
	for _, tt := range tests {
		var got []string
		tokenize(tt.in, func(b []byte, parts int) {
			tok := string(b)
			if parts > 0 {
				tok += "/" + string(rune('0'+parts))
			}
			got = append(got, tok)
		})
		if s := strings.Join(got, " "); s != tt.want {
			t.Errorf("tokenize(%q) = %q, want %q", tt.in, s, tt.want)
		}
	}
}

func TestStripLinks(t *testing.T) {
	t.Parallel()
	got := stripLinks("See [RFC 6585](https://www.rfc-editor.org/rfc/rfc6585.html#section-4), <https://example.com/x> and [412](/412); a]b (c) <d>")
	want := "See [RFC 6585] , <  and [412] ; a]b (c) <d>"
	if got != want {
		t.Errorf("stripLinks = %q, want %q", got, want)
	}
}

func TestCodeTier(t *testing.T) {
	t.Parallel()
	d := &searchDoc{code: "409", class: "4xx"}
	for w, want := range map[string]uint8{
		"409": tierCode, "4xx": tierCodePrefix, "40": tierCodePrefix, "4": tierCodePrefix,
		"4o9": tierText, "41": tierText, "4090": tierText, "5xx": tierText, "": tierText,
	} {
		if got := codeTier(w, d); got != want {
			t.Errorf("codeTier(%q, 409) = %d, want %d", w, got, want)
		}
	}
	if got := codeTier("409", &searchDoc{}); got != tierText {
		t.Errorf("a guide has code tier %d", got)
	}
}

// BenchmarkSearch runs queries of each kind against the whole catalog.
func BenchmarkSearch(b *testing.B) {
	c := searchable()
	for _, q := range []string{"409", "conflict", "rate limit", "timeout", "cloudflare", "too many requests", "nginx 499", "re", "con", "what is the retry after header for"} {
		b.Run(q, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c.SearchAll(q)
			}
		})
	}
}

// BenchmarkSearchIndex is the index's cost at load.
func BenchmarkSearchIndex(b *testing.B) {
	c := searchable()
	b.ReportAllocs()
	for b.Loop() {
		newSearchIndex(c)
	}
}
