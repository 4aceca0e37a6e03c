package site

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/teapothq/teapot/internal/catalog"
	"github.com/teapothq/teapot/internal/respond"
	"github.com/teapothq/teapot/internal/web"
)

// searchJSON is the JSON answer to a search: the codes, as before guides
// were searched too, and the guides and comparisons beside them, each
// list best first.
type searchJSON struct {
	Query   string          `json:"query"`
	Count   int             `json:"count"` // of results, the codes
	Results []codeSummary   `json:"results"`
	Guides  []searchedGuide `json:"guides"`
}

// searchedGuide is a guide or comparison in search results.
type searchedGuide struct {
	Title   string `json:"title"`
	Summary string `json:"summary"`
	URL     string `json:"url"`
}

// searchView is what search.html sees.
type searchView struct {
	web.Page
	Hits  []catalog.Hit
	Lead  string // how many matched
	Error string
}

// serveSearch answers /search in the format asked for, and /search.json
// and /search.txt in theirs.
func (s *Site) serveSearch(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	_, suffix := web.SplitSuffix(r.URL.Path)
	f, ok := web.Format(r, suffix)
	if !ok {
		web.NotAcceptable(w)
		return
	}
	if suffix == "" {
		w.Header().Set("Vary", web.Negotiated)
	}
	if len(q) > catalog.MaxQuery {
		msg := fmt.Sprintf("The query is %d bytes long; at most %d are allowed.", len(q), catalog.MaxQuery)
		switch f {
		case web.HTML:
			s.writeSearch(w, http.StatusBadRequest, searchView{Page: web.Page{Title: "Search"}, Error: msg})
		default:
			respond.Fail(w, r, nil, &respond.Problem{Title: "Query too long", Status: http.StatusBadRequest, Detail: msg})
		}
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=300")
	if code, ok := catalog.ParseCode(q); ok && f == web.HTML && s.cat.Lookup(code) != nil {
		// A person who types a code wants its page. 303 See Other says
		// that the answer to this search is another resource, to be
		// fetched with GET; a 302 would say the search itself moved for
		// a while, and a 301 or 308 would let browsers remember /search
		// as an alias. Scripts (JSON) and curl (text) get the results
		// instead, the code first, so that nothing has to follow.
		http.Redirect(w, r, respond.Link(r, "/"+q), http.StatusSeeOther)
		return
	}
	hits := s.cat.SearchAll(q)
	switch f {
	case web.JSON:
		respond.JSON(w, http.StatusOK, s.searchJSON(q, hits))
	case web.Text:
		respond.Text(w, http.StatusOK, searchText(hits, q, s.link))
	default:
		s.writeSearch(w, http.StatusOK, searchView{
			Page: web.Page{Title: "Search: " + q, Query: q, Description: "HTTP status codes matching " + q},
			Hits: hits, Lead: searchLead(hits, q),
		})
	}
}

func (s *Site) searchJSON(q string, hits []catalog.Hit) searchJSON {
	j := searchJSON{Query: q, Results: []codeSummary{}, Guides: []searchedGuide{}}
	for _, h := range hits {
		if h.Entry != nil {
			j.Results = append(j.Results, s.summary(h.Entry))
		} else {
			j.Guides = append(j.Guides, searchedGuide{Title: h.Guide.Title, Summary: h.Guide.Summary, URL: s.link(h.Guide.Path())})
		}
	}
	j.Count = len(j.Results)
	return j
}

// searchLead says how many codes and guides match: "1 code and 2 guides
// match “conflict”."
func searchLead(hits []catalog.Hit, q string) string {
	codes, guides := 0, 0
	for _, h := range hits {
		if h.Entry != nil {
			codes++
		} else {
			guides++
		}
	}
	lead := plural(codes, "code", "codes")
	if guides > 0 {
		lead += " and " + plural(guides, "guide", "guides")
	}
	verb := "match"
	if codes+guides == 1 {
		verb = "matches"
	}
	return fmt.Sprintf("%s %s “%s”.", lead, verb, q)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func (s *Site) writeSearch(w http.ResponseWriter, status int, v searchView) {
	b, err := s.shell.Render(s.tmpl["search"], v)
	if err != nil {
		http.Error(w, "cannot render the page", http.StatusInternalServerError)
		return
	}
	respond.Bytes(w, status, respond.TypeHTML, b)
}

// SearchText is the plain text answer to a search, as `teapot search`
// prints it: codes and guides, best first.
func SearchText(hits []catalog.Hit, q string) string {
	return searchText(hits, q, func(path string) string { return path })
}

func searchText(hits []catalog.Hit, q string, link func(string) string) string {
	if len(hits) == 0 {
		return fmt.Sprintf("No status code matches %q.\n", q)
	}
	var b strings.Builder
	for _, h := range hits {
		if e := h.Entry; e != nil {
			fmt.Fprintf(&b, "%d  %s\n     %s\n", e.Code, e.Title(), e.Summary)
		} else {
			fmt.Fprintf(&b, "%s  %s\n     %s\n", link(h.Guide.Path()), h.Guide.Title, h.Guide.Summary)
		}
	}
	return b.String()
}
