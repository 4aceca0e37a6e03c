package catalog

import (
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// searchIndex is the inverted index behind Search, built once, by the
// first search or by Catalog.Warm, and read-only after: queries share it
// without locks.
type searchIndex struct {
	docs  []searchDoc
	terms []string    // the vocabulary, sorted, so that a prefix's terms are one run of IDs
	post  [][]posting // post[t]: every occurrence of term t, in document and position order
	avg   [numFields]float64
	pool  sync.Pool // *scratch, the per-query counters
}

// A docField is a part of a document, weighed differently by the ranking.
type docField uint8

const (
	fName    docField = iota // a code's name and aliases, a guide's title
	fOrigin                  // who uses an unofficial code
	fSummary                 // the one-sentence summary
	fBody                    // every section
	numFields
)

// searchDoc is one code's page or one guide, as the index sees it.
type searchDoc struct {
	entry *Entry
	guide *Guide
	code  string // "409"; "" for a guide
	class string // "4xx"; "" for a guide
	prior float64

	// seq is the document's term IDs in reading order, fields one after
	// the other, with noTerm between names, fields and sections so that
	// no phrase spans them. end[f] is where field f ends in seq.
	seq   []int32
	end   [numFields]int32
	names []span // each name or alias, as positions in seq
	size  [numFields]float64
}

type span struct{ start, end int32 }

// posting is one occurrence of a term: where, and in which field, so
// that counting does not look the field up.
type posting struct {
	pos int32
	doc uint16 // a catalog has a few hundred documents
	f   docField
}

const noTerm = -1

// fieldAt is the field of position pos.
func (d *searchDoc) fieldAt(pos int32) docField {
	f := fName
	for f < fBody && pos >= d.end[f] {
		f++
	}
	return f
}

// Priors scale a document's text score. Registered codes are what most
// people mean when the words fit several pages ("rate limit" is 429
// before Twitter's 420, "timeout" 408 and 504 before Cloudflare's 524);
// guides come after the codes they explain, unless they fit better.
const (
	priorOfficial   = 1.0
	priorUnofficial = 0.8
	priorGuide      = 0.85
)

// newSearchIndex indexes every entry and guide of c.
func newSearchIndex(c *Catalog) *searchIndex {
	b := &indexBuilder{ids: make(map[string]int32, 1<<13)} // the embedded pages have some 7,000 terms
	for _, e := range c.entries {
		prior := priorOfficial
		if !e.Official() {
			prior = priorUnofficial
		}
		d := searchDoc{entry: e, code: e.CodeString(), class: e.Class, prior: prior}
		b.add(&d, append([]string{e.Name}, e.Aka...), e.Origin, e.Summary, e.Sections)
	}
	for _, g := range c.guides {
		d := searchDoc{guide: g, prior: priorGuide}
		b.add(&d, []string{g.Title}, "", g.Summary, g.Sections)
	}
	return b.finish()
}

type indexBuilder struct {
	ids    map[string]int32 // term to a provisional ID, in order of first sight
	joined [][]joinedTerm   // per document: hyphenated compounds, which are not in seq
	docs   []searchDoc
}

// joinedTerm is a compound ("timeout" from "time-out") at the position of
// its first part.
type joinedTerm struct{ term, pos int32 }

func (b *indexBuilder) add(d *searchDoc, names []string, origin, summary string, secs []Section) {
	doc := int32(len(b.docs))
	b.joined = append(b.joined, nil)
	emit := func(text string) {
		tokenize(text, func(tok []byte, parts int) {
			id, ok := b.ids[string(tok)]
			if !ok {
				id = int32(len(b.ids))
				b.ids[string(tok)] = id
			}
			if parts > 0 {
				b.joined[doc] = append(b.joined[doc], joinedTerm{id, int32(len(d.seq) - parts)})
				return
			}
			d.seq = append(d.seq, id)
		})
	}
	for _, n := range names {
		start := int32(len(d.seq))
		emit(n)
		if int32(len(d.seq)) > start {
			d.names = append(d.names, span{start, int32(len(d.seq))})
		}
		d.seq = append(d.seq, noTerm)
	}
	d.end[fName] = int32(len(d.seq))
	emit(origin)
	d.seq = append(d.seq, noTerm)
	d.end[fOrigin] = int32(len(d.seq))
	emit(summary)
	d.seq = append(d.seq, noTerm)
	d.end[fSummary] = int32(len(d.seq))
	for _, s := range secs {
		emit(stripLinks(s.Markdown))
		d.seq = append(d.seq, noTerm)
	}
	d.end[fBody] = int32(len(d.seq))

	start := int32(0)
	for f := fName; f < numFields; f++ {
		n := 0
		for _, id := range d.seq[start:d.end[f]] {
			if id != noTerm {
				n++
			}
		}
		d.size[f] = float64(n)
		start = d.end[f]
	}
	if len(d.names) > 0 {
		d.size[fName] /= float64(len(d.names)) // the length of a name, not of all of them
	}
	b.docs = append(b.docs, *d)
}

// finish numbers the terms in sorted order and builds the postings.
func (b *indexBuilder) finish() *searchIndex {
	ix := &searchIndex{docs: b.docs, terms: make([]string, 0, len(b.ids))}
	for t := range b.ids {
		ix.terms = append(ix.terms, t)
	}
	slices.Sort(ix.terms)
	remap := make([]int32, len(b.ids))
	for i, t := range ix.terms {
		remap[b.ids[t]] = int32(i)
	}
	counts := make([]int, len(ix.terms))
	for di := range ix.docs {
		d := &ix.docs[di]
		for i, id := range d.seq {
			if id != noTerm {
				d.seq[i] = remap[id]
				counts[d.seq[i]]++
			}
		}
		for i := range b.joined[di] {
			j := &b.joined[di][i]
			j.term = remap[j.term]
			counts[j.term]++
		}
		for f := fName; f < numFields; f++ {
			ix.avg[f] += d.size[f] / float64(len(ix.docs))
		}
	}
	// One backing array for every posting list.
	all := make([]posting, 0, sum(counts))
	ix.post = make([][]posting, len(ix.terms))
	for t, n := range counts {
		ix.post[t] = all[len(all) : len(all) : len(all)+n]
		all = all[:len(all)+n]
	}
	for di := range ix.docs {
		d := &ix.docs[di]
		joined := b.joined[di]
		for i, id := range d.seq {
			for len(joined) > 0 && joined[0].pos < int32(i) {
				ix.post[joined[0].term] = append(ix.post[joined[0].term], posting{joined[0].pos, uint16(di), d.fieldAt(joined[0].pos)})
				joined = joined[1:]
			}
			if id != noTerm {
				ix.post[id] = append(ix.post[id], posting{int32(i), uint16(di), d.fieldAt(int32(i))})
			}
		}
		for _, j := range joined {
			ix.post[j.term] = append(ix.post[j.term], posting{j.pos, uint16(di), d.fieldAt(j.pos)})
		}
	}
	ix.pool.New = func() any { return new(scratch) }
	return ix
}

func sum(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}

// stripLinks drops the targets of Markdown links and autolinks, so that
// "[RFC 6585](https://www.rfc-editor.org/rfc/rfc6585.html)" is indexed as
// "RFC 6585", not as www, rfc, editor, org and html.
func stripLinks(md string) string {
	if !strings.Contains(md, "](") && !strings.Contains(md, "<http") {
		return md
	}
	var b strings.Builder
	b.Grow(len(md))
	for len(md) > 0 {
		i := strings.IndexAny(md, "]<")
		if i < 0 {
			b.WriteString(md)
			break
		}
		b.WriteString(md[:i+1])
		rest := md[i+1:]
		var end int
		switch {
		case md[i] == ']' && strings.HasPrefix(rest, "("):
			end = strings.IndexByte(rest, ')')
		case md[i] == '<' && strings.HasPrefix(rest, "http"):
			end = strings.IndexByte(rest, '>')
		default:
			end = -1
		}
		if end < 0 {
			md = rest
			continue
		}
		b.WriteByte(' ')
		md = rest[end+1:]
	}
	return b.String()
}

// tokenize splits text into normalised words and calls fn with each. A
// word is a run of letters and digits, lower-cased, with apostrophes
// dropped ("I'm" is "im"), digit groups joined ("5,000" is "5000") and a
// plural "s" taken off (see stem). A compound joined by hyphens or
// underscores gives its parts (parts 0) and then the parts written
// together, with parts set to how many there were: "time-out" is "time",
// "out" and "timeout" (2).
//
// The word passed to fn is only valid during the call.
func tokenize(text string, fn func(tok []byte, parts int)) {
	var word, compound []byte
	parts := 0
	flushWord := func() {
		if len(word) > 0 {
			fn(stem(word), 0)
			compound = append(compound, word...)
			parts++
			word = word[:0]
		}
	}
	flushCompound := func() {
		flushWord()
		if parts > 1 {
			fn(stem(compound), parts)
		}
		compound, parts = compound[:0], 0
	}
	for i, w := 0, 0; i < len(text); i += w {
		if c := text[i]; c < utf8.RuneSelf && c != '\'' && c != ',' && c != '-' && c != '_' {
			// The fast path for the ASCII most text is.
			w = 1
			switch {
			case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
				word = append(word, c)
			case 'A' <= c && c <= 'Z':
				word = append(word, c+'a'-'A')
			default:
				flushCompound()
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		w = size
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			word = utf8.AppendRune(word, unicode.ToLower(r))
		case (r == '\'' || r == '’') && len(word) > 0:
			// inside a word: "don't" is "dont"
		case r == ',' && len(word) > 0 && isDigit(word[len(word)-1]) && digitGroup(text[i+1:]):
			// a digit group: "5,000"
		case (r == '-' || r == '_') && len(word) > 0 && i+1 < len(text) && isWordByte(text[i+1]):
			flushWord()
		default:
			flushCompound()
		}
	}
	flushCompound()
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// digitGroup reports whether s starts with three digits and no fourth, as
// after the comma of "5,000".
func digitGroup(s string) bool {
	return len(s) >= 3 && isDigit(s[0]) && isDigit(s[1]) && isDigit(s[2]) && (len(s) == 3 || !isDigit(s[3]))
}

// isWordByte reports whether c starts a word, for the byte after a
// hyphen; any non-ASCII byte may.
func isWordByte(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c >= utf8.RuneSelf
}

// stem takes a plural "s" off a word of five letters or more, so that
// "requests" finds "request": not from "ss" (access), "us" (status) or
// "is" (analysis), and not from shorter words, which are more often
// acronyms (CORS) or forms of a verb (does) than plurals; a short
// singular finds its plural as a prefix anyway ("url" finds "urls"). It
// is deliberately crude: the same rule runs on the text and on the
// query, so it only has to be consistent.
func stem(w []byte) []byte {
	n := len(w)
	if n < 5 || w[n-1] != 's' || isDigit(w[n-2]) {
		return w
	}
	switch w[n-2] {
	case 's', 'u', 'i':
		return w
	}
	return w[:n-1]
}
