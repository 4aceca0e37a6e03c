package catalog

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// MaxQuery bounds the length of a search query in bytes.
const MaxQuery = 200

// Hit is one search result: a code's page or a guide.
type Hit struct {
	Entry *Entry // nil for a guide
	Guide *Guide // nil for a code
}

// SearchAll returns the codes and guides matching every word of q, best
// first. A word matches a word of the text that equals it or starts with
// it ("rat" finds "rate", "rate" does not find "separate"), ignoring case,
// punctuation, apostrophes, a plural "s" and hyphens ("time-out" is also
// "timeout"). Common words ("what", "is", "the", "status", "code") are
// left out unless the query has nothing else.
//
// A code the query names comes first ("409", "nginx 499"), then the codes
// of a class or range it names ("4xx", "40"), then the rest by relevance:
// a code's number, name and aliases weigh most, then its origin and
// summary, then its text; see search_rank.go.
func (c *Catalog) SearchAll(q string) []Hit {
	if c.search == nil {
		return nil // not a catalog from Load
	}
	if len(q) > MaxQuery {
		q = q[:MaxQuery]
	}
	return c.search().search(q)
}

// Warm builds the search index now rather than for the first search:
// indexing every page takes most of the time Load would take with it.
func (c *Catalog) Warm() {
	if c.search != nil {
		c.search()
	}
}

// Search is SearchAll without the guides: the matching codes, best first.
func (c *Catalog) Search(q string) []*Entry {
	hits := c.SearchAll(q)
	out := make([]*Entry, 0, len(hits))
	for _, h := range hits {
		if h.Entry != nil {
			out = append(out, h.Entry)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
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
	if len(out) < n {
		for _, e := range c.Search(s) {
			add(e)
		}
	}
	return out
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
