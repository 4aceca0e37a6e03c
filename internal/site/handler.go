package site

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/teapothq/teapot/internal/catalog"
	"github.com/teapothq/teapot/internal/respond"
)

// Handler serves the site under its base path.
func (s *Site) Handler() http.Handler {
	mux := http.NewServeMux()
	s.Register(mux)
	return mux
}

// Register adds the site's routes, all of them, to mux. The server puts
// every feature on one mux, so a request is routed once.
func (s *Site) Register(mux *http.ServeMux) {
	b := s.opts.BasePath
	mux.HandleFunc("GET "+b+"/{$}", s.servePage)
	mux.HandleFunc("GET "+b+"/{name}", s.servePage)
	mux.HandleFunc("GET "+b+"/api/codes", s.servePage)
	for _, e := range s.cat.Entries() {
		mux.HandleFunc("GET "+b+"/"+e.CodeString()+"/try", s.servePage)
	}
	mux.HandleFunc("GET "+b+"/check", s.servePage)
	mux.HandleFunc("GET "+b+"/lab", s.serveLab)
	mux.HandleFunc("GET "+b+"/compare/{slug}", s.servePage)
	mux.HandleFunc("GET "+b+"/guides/{slug}", s.servePage)
	for from, to := range s.redirects {
		mux.HandleFunc("GET "+b+from, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, b+to, http.StatusMovedPermanently)
		})
	}
	mux.HandleFunc("GET "+b+"/api/codes/{code}", s.serveAPI)
	mux.HandleFunc("GET "+b+"/api/classes/{class}", s.serveAPI)
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
		mux.HandleFunc(m+" "+b+"/api/", s.serveAPIError)
	}
	mux.HandleFunc("GET "+b+"/assets/{file}", s.serveAsset)
	mux.HandleFunc("GET "+b+"/search", s.serveSearch)
	mux.HandleFunc("GET "+b+"/sitemap.xml", s.serveSitemap)
	mux.HandleFunc("GET "+b+"/robots.txt", s.serveRobots)
	mux.HandleFunc("GET "+b+"/", s.serveNotFound)
	if b != "" {
		mux.HandleFunc("GET "+b, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, b+"/", http.StatusMovedPermanently)
		})
	}
}

// Formats a page can be asked for.
const (
	fmtHTML = "text/html"
	fmtJSON = "application/json"
	fmtText = "text/plain"
)

// negotiated is the Vary of a page whose format comes from the request's
// headers rather than from a suffix; varyPage is the same with the coding.
const negotiated = "Accept, User-Agent"

var varyPage = []string{negotiated + ", Accept-Encoding"}

// format picks the representation for a request without a suffix: what
// Accept prefers, with ties going to HTML for browsers and to plain text
// for command-line clients such as curl, wget and HTTPie.
func (s *Site) format(r *http.Request) (string, bool) {
	key := formatKey{r.Header.Get("Accept"), isCLI(r.Header.Get("User-Agent"))}
	s.formats.mu.RLock()
	res, hit := s.formats.m[key]
	s.formats.mu.RUnlock()
	if hit {
		return res.format, res.ok
	}
	if key.cli {
		res.format, res.ok = respond.Negotiate(key.accept, fmtText, fmtHTML, fmtJSON)
	} else {
		res.format, res.ok = respond.Negotiate(key.accept, fmtHTML, fmtJSON, fmtText)
	}
	s.formats.mu.Lock()
	if len(s.formats.m) < maxCachedFormats && len(key.accept) <= 256 {
		s.formats.m[key] = res
	}
	s.formats.mu.Unlock()
	return res.format, res.ok
}

// formatCache remembers the format chosen for recent Accept headers:
// browsers send a handful of them, and parsing one costs more than the rest
// of serving a page. It stops growing at maxCachedFormats entries, so odd
// headers cannot fill memory.
type formatCache struct {
	mu sync.RWMutex
	m  map[formatKey]formatResult
}

const maxCachedFormats = 512

type formatKey struct {
	accept string
	cli    bool
}

type formatResult struct {
	format string
	ok     bool
}

func isCLI(ua string) bool { return respond.CommandLine(ua) }

// splitSuffix turns "409.json" into ("409", fmtJSON); a name without a
// known suffix has format "".
func splitSuffix(name string) (stem, format string) {
	if stem, ok := strings.CutSuffix(name, ".json"); ok {
		return stem, fmtJSON
	}
	if stem, ok := strings.CutSuffix(name, ".txt"); ok {
		return stem, fmtText
	}
	return name, ""
}

func (s *Site) servePage(w http.ResponseWriter, r *http.Request) {
	key := strings.TrimPrefix(r.URL.Path, s.opts.BasePath)
	stem, f := key, ""
	p := s.pages[key]
	if p == nil {
		stem, f = splitSuffix(key)
		p = s.pages[stem]
	}
	if p == nil || stem == "/" && f != "" {
		s.serveNotFound(w, r)
		return
	}
	var vary []string
	if f == "" {
		vary = varyPage
		if p.html == nil && p.text == nil {
			f = fmtJSON // an API address: JSON whatever is asked
			vary = nil
		} else if got, ok := s.format(r); ok {
			f = got
		} else {
			notAcceptable(w)
			return
		}
	}
	body := p.html
	switch f {
	case fmtJSON:
		body = p.json
	case fmtText:
		body = p.text
	}
	if body == nil {
		s.serveNotFound(w, r)
		return
	}
	body.Serve(w, r, http.StatusOK, vary)
}

// serveAPI is the JSON of a code or class page at a stable API address.
func (s *Site) serveAPI(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("code") + r.PathValue("class")
	if p := s.pages["/"+name]; p != nil && p.json != nil && name != "" {
		p.json.Serve(w, r, http.StatusOK, nil)
		return
	}
	respond.WriteProblem(w, respond.Problem{
		Type: s.opts.BasePath + "/404", Title: "Not Found", Status: http.StatusNotFound,
		Detail:   fmt.Sprintf("There is no code or class %q; see /api/codes for the list.", respond.Truncate(name, 60)),
		Instance: r.URL.Path,
		Extra:    map[string]any{"suggestions": s.summaries(s.cat.Suggest(name, 5))},
	})
}

// serveAPIError answers what no API route matched: 404 for an unknown
// address, 405 for a method other than GET and HEAD, both as problems.
func (s *Site) serveAPIError(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		respond.WriteProblem(w, respond.Problem{
			Type: s.opts.BasePath + "/404", Title: "Not Found", Status: http.StatusNotFound,
			Detail: "No API route matches; see /openapi.json for the routes.", Instance: r.URL.Path,
		})
		return
	}
	w.Header().Set("Allow", "GET, HEAD")
	respond.WriteProblem(w, respond.Problem{
		Type: s.opts.BasePath + "/405", Title: "Method Not Allowed", Status: http.StatusMethodNotAllowed,
		Detail: "The API is read-only: use GET or HEAD.", Instance: r.URL.Path,
	})
}

func notAcceptable(w http.ResponseWriter) {
	w.Header().Set("Vary", negotiated)
	respond.Text(w, http.StatusNotAcceptable,
		"406 Not Acceptable: this page is available as text/html, application/json and text/plain.\n"+
			"Ask for one of them in Accept, or add .json or .txt to the address.\n")
}

func (s *Site) serveAsset(w http.ResponseWriter, r *http.Request) {
	body := s.assets[r.PathValue("file")]
	if body == nil {
		s.serveNotFound(w, r)
		return
	}
	body.Serve(w, r, http.StatusOK, nil)
}

func (s *Site) serveSearch(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	f, ok := s.format(r)
	if !ok {
		notAcceptable(w)
		return
	}
	w.Header().Set("Vary", negotiated)
	if len(q) > catalog.MaxQuery {
		msg := fmt.Sprintf("The query is %d bytes long; at most %d are allowed.", len(q), catalog.MaxQuery)
		switch f {
		case fmtHTML:
			s.writeHTML(w, http.StatusBadRequest, "search", view{Title: "Search", Error: msg})
		default:
			respond.WriteProblem(w, respond.Problem{Type: s.opts.BasePath + "/400", Title: "Query too long",
				Status: http.StatusBadRequest, Detail: msg})
		}
		return
	}
	results := s.cat.Search(q)
	w.Header().Set("Cache-Control", "public, max-age=300")
	switch f {
	case fmtJSON:
		respond.JSON(w, http.StatusOK, map[string]any{"query": q, "count": len(results), "results": s.summaries(results)})
	case fmtText:
		respond.Text(w, http.StatusOK, SearchText(results, q))
	default:
		s.writeHTML(w, http.StatusOK, "search", view{Title: "Search: " + q, Query: q, Entries: results,
			Description: "HTTP status codes matching " + q})
	}
}

// serveNotFound answers 404 in the format asked for, suggesting the codes
// the address most likely meant.
func (s *Site) serveNotFound(w http.ResponseWriter, r *http.Request) {
	last := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
	last, _ = splitSuffix(last)
	suggest := s.cat.Suggest(last, 5)
	f, ok := s.format(r)
	if !ok {
		f = fmtText
	}
	w.Header().Set("Vary", negotiated)
	w.Header().Set("Cache-Control", "public, max-age=60")
	switch f {
	case fmtJSON:
		respond.WriteProblem(w, respond.Problem{
			Type: s.opts.BasePath + "/404", Title: "Not Found", Status: http.StatusNotFound,
			Detail:   "There is no page at this address; status code pages are at /{code}, such as /409.",
			Instance: r.URL.Path,
			Extra:    map[string]any{"suggestions": s.summaries(suggest)},
		})
	case fmtText:
		var b strings.Builder
		b.WriteString("404 Not Found: there is no page at this address.\n")
		if len(suggest) > 0 {
			b.WriteString("\nDid you mean:\n\n")
			b.WriteString(listText(suggest))
		}
		respond.Text(w, http.StatusNotFound, b.String())
	default:
		s.writeHTML(w, http.StatusNotFound, "notfound", view{Title: "Page not found", Query: respond.Truncate(last, 60), Entries: suggest})
	}
}

func (s *Site) writeHTML(w http.ResponseWriter, status int, name string, v view) {
	b, err := s.render(name, v)
	if err != nil {
		http.Error(w, "cannot render the page", http.StatusInternalServerError)
		return
	}
	respond.Bytes(w, status, respond.TypeHTML, b)
}

// requestOrigin is the public origin for absolute URLs: the configured one, or
// the one the request was made to.
func (s *Site) requestOrigin(r *http.Request) string {
	if s.opts.PublicURL != "" {
		return s.opts.PublicURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Site) serveSitemap(w http.ResponseWriter, r *http.Request) {
	if s.opts.PublicURL == "" {
		w.Header().Set("Vary", "Host")
	}
	respond.Bytes(w, http.StatusOK, "application/xml; charset=utf-8", s.sitemap(s.requestOrigin(r)))
}

func (s *Site) serveRobots(w http.ResponseWriter, r *http.Request) {
	respond.Text(w, http.StatusOK, s.robots(s.requestOrigin(r)))
}

// sitemap lists the pages a search engine should index.
func (s *Site) sitemap(origin string) []byte {
	var b strings.Builder
	b.WriteString(xml.Header + `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
	loc := func(p string) {
		b.WriteString("<url><loc>")
		xml.EscapeText(&b, []byte(origin+s.opts.BasePath+p))
		b.WriteString("</loc></url>\n")
	}
	loc("/")
	for _, cl := range catalog.Classes {
		loc("/" + cl.ID)
	}
	for _, e := range s.cat.Entries() {
		loc("/" + e.CodeString())
	}
	for _, g := range s.cat.Guides() {
		loc(g.Path())
	}
	loc("/check")
	loc("/ip")
	loc("/lab")
	b.WriteString("</urlset>\n")
	return []byte(b.String())
}

func (s *Site) robots(origin string) string {
	return "User-agent: *\nAllow: /\nDisallow: " + s.opts.BasePath + "/search\n\nSitemap: " + origin + s.opts.BasePath + "/sitemap.xml\n"
}

// ServeIPPage writes the /ip page with status. It holds no address of
// its own, so it is cached like any page; its script asks /ip.json.
func (s *Site) ServeIPPage(w http.ResponseWriter, r *http.Request, status int) {
	s.ipPage.Serve(w, r, status, varyPage)
}
