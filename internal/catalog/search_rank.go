package catalog

import (
	"cmp"
	"math"
	"math/bits"
	"slices"
	"sort"
	"strings"
)

// The ranking is BM25F (Robertson and Zaragoza, "The Probabilistic
// Relevance Framework", 2009): a word's occurrences count in each field
// with the field's weight, divided by how long the field is against the
// average (b), and the sum saturates (k1), so that the fortieth
// "timeout" in a page adds little; rare words weigh more (idf). On top of
// that: query words next to each other in the text (a phrase), how much
// of a name the query covers ("conflict" is all of 409's name, a third of
// "A Timeout Occurred"), and the document's prior.
//
// A name or alias weighs most, then who uses an unofficial code (the
// origin: "nginx", "Cloudflare"), then the summary, then the text. The
// numbers were tuned on TestSearchRanking; a code the query names is
// not scored here but ordered first (see the tiers).
var (
	fieldWeight = [numFields]float64{fName: 10, fOrigin: 8, fSummary: 4, fBody: 1}
	fieldB      = [numFields]float64{fName: 0.75, fOrigin: 0.5, fSummary: 0.5, fBody: 0.3}
)

const (
	k1           = 8.0
	prefixWeight = 0.5 // an occurrence that only starts with the word ("rated" for "rate")
	phraseWeight = 1.0
	coverWeight  = 0.5
	maxWords     = 12 // words of a query that count; the rest are ignored
	maxNamePos   = 64 // name positions tracked for coverage, one bit each
)

// Tiers order results before scores do: a code the query names, then a
// code in a class or range the query names ("4xx", "40"), then the rest.
const (
	tierText uint8 = iota
	tierCodePrefix
	tierCode
)

// stopWords are left out of a query, unless it has nothing else: they
// are in nearly every page, so requiring them would only lose pages
// ("what is 524" is 524).
var stopWords = map[string]bool{
	"a": true, "an": true, "the": true, "is": true, "are": true, "was": true,
	"what": true, "does": true, "do": true, "mean": true, "meaning": true,
	"vs": true, "versus": true,
	"of": true, "to": true, "in": true, "on": true, "for": true, "and": true,
	"or": true, "my": true, "it": true, "why": true, "how": true,
	"http": true, "status": true, "code": true,
}

// isStopWord reports whether a query word is too common to require:
// one of stopWords, or a single letter.
func isStopWord(w string) bool {
	return stopWords[w] || len(w) == 1 && !isDigit(w[0])
}

// queryWord is one word of a query and the run of terms it matches.
type queryWord struct {
	text   string
	lo, hi int32 // terms[lo:hi] start with text (or equal it, for a short word)
	exact  int32 // the term equal to text, or -1
}

// scratch holds a query's counters, reused through the index's pool.
type scratch struct {
	tf    []float32 // [word][doc][field]: weighted occurrences
	phr   []float32 // [pair][doc][field]: the words of a pair next to each other
	code  []uint8   // [word][doc]: the tier the word gives the document
	names []uint64  // [doc]: name positions any word matched
	idf   []float64 // [word]
	hits  []scored
}

type scored struct {
	doc   int32
	tier  uint8
	score float64
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	s = s[:n]
	clear(s)
	return s
}

// words splits a query into the words that count, each with its terms.
func (ix *searchIndex) words(q string) []queryWord {
	var ws []queryWord
	stops := 0
	tokenize(q, func(b []byte, parts int) {
		tok := string(b)
		if parts > 0 || slices.ContainsFunc(ws, func(w queryWord) bool { return w.text == tok }) {
			return
		}
		if isStopWord(tok) {
			stops++
		}
		ws = append(ws, queryWord{text: tok})
	})
	if stops < len(ws) {
		ws = slices.DeleteFunc(ws, func(w queryWord) bool { return isStopWord(w.text) })
	}
	ws = ws[:min(len(ws), maxWords)]
	for i := range ws {
		w := &ws[i]
		lo := sort.SearchStrings(ix.terms, w.text)
		w.lo, w.hi, w.exact = int32(lo), int32(lo), -1
		if len(w.text) == 1 {
			continue // a digit finds codes ("5" is 5xx), never the 1 of "HTTP/1.1"
		}
		if lo < len(ix.terms) && ix.terms[lo] == w.text {
			w.exact, w.hi = int32(lo), int32(lo+1)
		}
		if prefixable(w.text) {
			w.hi = int32(lo + sort.Search(len(ix.terms)-lo, func(j int) bool { return !strings.HasPrefix(ix.terms[lo+j], w.text) }))
		}
	}
	return ws
}

// prefixable reports whether a word also finds the words it starts:
// "rat" finds "rate", but "ok" only "ok", and a number only itself.
func prefixable(w string) bool { return len(w) >= 3 && !allDigits(w) }

// codeTier is how a query word names a code: all of it ("409"), its class
// ("4xx") or its first digits ("40").
func codeTier(w string, d *searchDoc) uint8 {
	switch {
	case d.code == "":
		return tierText
	case w == d.code:
		return tierCode
	case w == d.class, len(w) < 3 && allDigits(w) && strings.HasPrefix(d.code, w):
		return tierCodePrefix
	}
	return tierText
}

func allDigits(w string) bool {
	for i := 0; i < len(w); i++ {
		if !isDigit(w[i]) {
			return false
		}
	}
	return w != ""
}

// search returns the documents matching every word of q, best first.
func (ix *searchIndex) search(q string) []Hit {
	ws := ix.words(q)
	if len(ws) == 0 {
		return nil
	}
	s := ix.pool.Get().(*scratch)
	defer ix.pool.Put(s)
	nd := len(ix.docs)
	s.tf = grow(s.tf, len(ws)*nd*int(numFields))
	s.code = grow(s.code, len(ws)*nd)
	s.names = grow(s.names, nd)
	s.idf = grow(s.idf, len(ws))
	pairs := max(len(ws)-1, 0)
	s.phr = grow(s.phr, pairs*nd*int(numFields))

	for i, w := range ws {
		ix.count(s, i, w)
	}
	for i := 0; i < pairs; i++ {
		ix.countPhrase(s.phr[i*nd*int(numFields):(i+1)*nd*int(numFields)], ws[i], ws[i+1])
	}
	ix.idf(s, len(ws))

	s.hits = s.hits[:0]
	for di := range ix.docs {
		if h, ok := ix.score(s, len(ws), di); ok {
			s.hits = append(s.hits, h)
		}
	}
	slices.SortFunc(s.hits, func(a, b scored) int {
		if c := cmp.Compare(b.tier, a.tier); c != 0 {
			return c
		}
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return cmp.Compare(a.doc, b.doc) // entries in code order, then guides
	})
	out := make([]Hit, len(s.hits))
	for i, h := range s.hits {
		d := &ix.docs[h.doc]
		out[i] = Hit{Entry: d.entry, Guide: d.guide}
	}
	return out
}

// count adds up where word i occurs, and which codes it names.
func (ix *searchIndex) count(s *scratch, i int, w queryWord) {
	nd := len(ix.docs)
	tf := s.tf[i*nd*int(numFields) : (i+1)*nd*int(numFields)]
	code, isCode := ParseCode(w.text)
	for di := range ix.docs {
		d := &ix.docs[di]
		s.code[i*nd+di] = codeTier(w.text, d)
		if isCode && d.guide != nil && slices.Contains(d.guide.Codes, code) {
			tf[di*int(numFields)+int(fName)]++ // a guide about the code, as if its title said it
		}
	}
	for t := w.lo; t < w.hi; t++ {
		weight := float32(prefixWeight)
		if t == w.exact {
			weight = 1
		}
		for _, p := range ix.post[t] {
			tf[int(p.doc)*int(numFields)+int(p.f)] += weight
			if p.f == fName && p.pos < maxNamePos {
				s.names[p.doc] |= 1 << p.pos
			}
		}
	}
}

// countPhrase counts where a word of b follows a word of a, at most one
// word apart ("I'm a teapot" for "i'm teapot").
func (ix *searchIndex) countPhrase(phr []float32, a, b queryWord) {
	if b.lo == b.hi {
		return
	}
	for t := a.lo; t < a.hi; t++ {
		for _, p := range ix.post[t] {
			d := &ix.docs[p.doc]
			for q := p.pos + 1; q <= p.pos+2 && q < int32(len(d.seq)); q++ {
				id := d.seq[q]
				if id == noTerm {
					break
				}
				if id >= b.lo && id < b.hi {
					phr[int(p.doc)*int(numFields)+int(p.f)]++
					break
				}
			}
		}
	}
}

// idf weighs each word by how few documents it matches.
func (ix *searchIndex) idf(s *scratch, n int) {
	nd := len(ix.docs)
	for i := 0; i < n; i++ {
		df := 0
		for di := 0; di < nd; di++ {
			if s.code[i*nd+di] > tierText || slices.ContainsFunc(s.tf[(i*nd+di)*int(numFields):(i*nd+di+1)*int(numFields)], func(x float32) bool { return x > 0 }) {
				df++
			}
		}
		s.idf[i] = math.Log(1 + (float64(nd-df)+0.5)/(float64(df)+0.5))
	}
}

// saturated is BM25F's term score for the counts of one word (or
// phrase) in one document.
func (ix *searchIndex) saturated(d *searchDoc, tf []float32) float64 {
	w := 0.0
	for f := fName; f < numFields; f++ {
		if tf[f] == 0 {
			continue
		}
		norm := 1 - fieldB[f] + fieldB[f]*d.size[f]/ix.avg[f]
		w += fieldWeight[f] * float64(tf[f]) / norm
	}
	return w / (k1 + w)
}

// score is document di's score, if it matches every word.
func (ix *searchIndex) score(s *scratch, n, di int) (scored, bool) {
	nd := len(ix.docs)
	d := &ix.docs[di]
	h := scored{doc: int32(di)}
	for i := 0; i < n; i++ {
		if t := s.code[i*nd+di]; t > tierText {
			h.tier = max(h.tier, t)
			h.score += s.idf[i]
			continue
		}
		sat := ix.saturated(d, s.tf[(i*nd+di)*int(numFields):(i*nd+di+1)*int(numFields)])
		if sat == 0 {
			return h, false
		}
		h.score += s.idf[i] * sat
	}
	for i := 0; i < n-1; i++ {
		if sat := ix.saturated(d, s.phr[(i*nd+di)*int(numFields):(i*nd+di+1)*int(numFields)]); sat > 0 {
			h.score += phraseWeight * (s.idf[i] + s.idf[i+1]) / 2 * sat
		}
	}
	cover := 0.0
	for _, sp := range d.names {
		if sp.end > maxNamePos {
			continue
		}
		mask := uint64(1)<<sp.end - uint64(1)<<sp.start
		cover = max(cover, float64(bits.OnesCount64(s.names[di]&mask))/float64(sp.end-sp.start))
	}
	h.score *= d.prior * (1 + coverWeight*cover)
	return h, true
}
