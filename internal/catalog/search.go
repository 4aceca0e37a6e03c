package catalog

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// MaxQuery bounds the length of a search query in bytes.
const MaxQuery = 200

// Search returns the entries matching every word of q, best first: an exact
// code, then a code prefix ("40", "4xx"), then matches in the name, the
// summary and the text.
func (c *Catalog) Search(q string) []*Entry {
	words := strings.FieldsFunc(strings.ToLower(q), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\''
	})
	if len(words) == 0 {
		return nil
	}
	type hit struct {
		e     *Entry
		score int
	}
	var hits []hit
	for _, e := range c.entries {
		total := 0
		for _, w := range words {
			s := c.score(e, w)
			if s == 0 {
				total = 0
				break
			}
			total += s
		}
		if total > 0 {
			hits = append(hits, hit{e, total})
		}
	}
	slices.SortStableFunc(hits, func(a, b hit) int { return cmp.Compare(b.score, a.score) })
	out := make([]*Entry, len(hits))
	for i, h := range hits {
		out[i] = h.e
	}
	return out
}

// score ranks how well one lower-case word matches e; 0 is no match.
func (c *Catalog) score(e *Entry, w string) int {
	code := e.CodeString()
	switch {
	case w == code:
		return 1000
	case len(w) < 3 && strings.HasPrefix(code, w), w == e.Class:
		return 300
	}
	if len(w) < 3 {
		return 0 // too short to mean anything in running text
	}
	idx := c.text(e)
	s := 0
	if containsWord(idx.name, w) {
		s += 100
	} else if strings.Contains(idx.name, w) {
		s += 60
	}
	if strings.Contains(idx.summary, w) {
		s += 20
	}
	if n := strings.Count(idx.body, w); n > 0 {
		s += min(n, 10)
	}
	return s
}

// searchText is an entry's text in lower case, built on first use.
type searchText struct{ name, summary, body string }

func (c *Catalog) text(e *Entry) searchText {
	c.indexOnce.Do(func() {
		c.index = map[int]searchText{}
		for _, e := range c.entries {
			var b strings.Builder
			for _, s := range e.Sections {
				b.WriteString(strings.ToLower(s.Markdown))
				b.WriteByte('\n')
			}
			c.index[e.Code] = searchText{
				name:    strings.ToLower(e.Name + " " + strings.Join(e.Aka, " ") + " " + e.Origin),
				summary: strings.ToLower(e.Summary),
				body:    b.String(),
			}
		}
	})
	return c.index[e.Code]
}

func containsWord(s, w string) bool {
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' }) {
		if f == w {
			return true
		}
	}
	return false
}

// lookalikes maps letters often typed for digits.
var lookalikes = strings.NewReplacer("o", "0", "O", "0", "l", "1", "I", "1", "i", "1", "S", "5", "s", "5", "B", "8", "Z", "2", "z", "2")

// Suggest proposes up to n codes for a path that names no page: the code it
// most likely meant ("4O9" is 409), the nearest codes of the same class for
// an unknown number, or search results for words.
func (c *Catalog) Suggest(s string, n int) []*Entry {
	if len(s) > MaxQuery {
		s = s[:MaxQuery]
	}
	var out []*Entry
	add := func(e *Entry) {
		if e != nil && len(out) < n && !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	if fixed := lookalikes.Replace(s); len(fixed) == 3 {
		if code, ok := ParseCode(fixed); ok {
			add(c.Lookup(code))
		}
	}
	if num, err := strconv.Atoi(strings.TrimSpace(s)); err == nil && num >= 100 && num <= 599 {
		near := slices.Clone(c.InClass(strconv.Itoa(num/100) + "xx"))
		slices.SortStableFunc(near, func(a, b *Entry) int { return cmp.Compare(abs(a.Code-num), abs(b.Code-num)) })
		for _, e := range near {
			add(e)
		}
	}
	for _, e := range c.Search(s) {
		add(e)
	}
	return out
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
