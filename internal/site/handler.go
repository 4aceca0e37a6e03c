package site

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/teapothq/teapot/internal/respond"
	"github.com/teapothq/teapot/internal/web"
)

// Register adds the site's routes to mux. The server puts every feature
// on one mux, so a request is routed once.
func (s *Site) Register(mux *web.Mux) {
	mux.HandleFunc("GET /{$}", s.servePage)
	mux.HandleFunc("GET /{name}", s.servePage)
	mux.HandleFunc("GET /api/codes", s.servePage)
	mux.HandleFunc("GET /compare/{slug}", s.servePage)
	mux.HandleFunc("GET /guides/{slug}", s.servePage)
	for from, to := range s.redirects {
		mux.HandleFunc("GET "+from, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, respond.Link(r, to), http.StatusMovedPermanently)
		})
	}
	mux.HandleFunc("GET /api/codes/{code}", respond.Handle(nil, s.serveAPI))
	mux.HandleFunc("GET /api/classes/{class}", respond.Handle(nil, s.serveAPI))
	mux.HandleFunc("GET /api/", respond.Handle(nil, s.serveAPIError))
	mux.HandleFunc("GET /search", s.serveSearch)
	mux.HandleFunc("GET /search.json", s.serveSearch)
	mux.HandleFunc("GET /search.txt", s.serveSearch)
	mux.HandleFunc("GET /sitemap.xml", s.serveSitemap)
	mux.HandleFunc("GET /robots.txt", s.serveRobots)
	mux.HandleFunc("GET /", s.serveNotFound)
}

// Pages are the site's documents by path below the base path, for the
// export.
func (s *Site) Pages() map[string]*web.Doc { return s.pages }

func (s *Site) servePage(w http.ResponseWriter, r *http.Request) {
	key := r.URL.Path
	stem, suffix := key, ""
	p := s.pages[key]
	if p == nil {
		stem, suffix = web.SplitSuffix(key)
		p = s.pages[stem]
	}
	if p == nil || stem == "/" && suffix != "" {
		s.serveNotFound(w, r)
		return
	}
	s.shell.Serve(w, r, p, web.SuffixFormat(suffix))
}

// serveAPI is the JSON of a code or class page at a stable API address.
func (s *Site) serveAPI(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("code") + r.PathValue("class")
	if p := s.pages["/"+name]; p != nil && p.JSON() != nil && name != "" {
		p.JSON().Serve(w, r, http.StatusOK, nil)
		return nil
	}
	return &respond.Problem{Title: "Not Found", Status: http.StatusNotFound,
		Detail: fmt.Sprintf("There is no code or class %q; see /api/codes for the list.", respond.Truncate(name, 60)),
		Extra:  map[string]any{"suggestions": s.summaries(s.cat.Suggest(name, 5))},
	}
}

// serveAPIError answers an API address no route matched (other methods
// get the mux's 405).
func (s *Site) serveAPIError(w http.ResponseWriter, r *http.Request) error {
	return &respond.Problem{Title: "Not Found", Status: http.StatusNotFound,
		Detail: "No API route matches; see /openapi.json for the routes."}
}

// serveNotFound answers 404 in the format asked for, suggesting the codes
// the address most likely meant.
func (s *Site) serveNotFound(w http.ResponseWriter, r *http.Request) {
	last := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
	last, _ = web.SplitSuffix(last)
	suggest := s.cat.Suggest(last, 5)
	f, ok := web.Format(r, "")
	if !ok {
		f = web.Text
	}
	w.Header().Set("Vary", web.Negotiated)
	w.Header().Set("Cache-Control", "public, max-age=60")
	switch f {
	case web.JSON:
		respond.Fail(w, r, nil, &respond.Problem{Title: "Not Found", Status: http.StatusNotFound,
			Detail: "There is no page at this address; status code pages are at /{code}, such as /409.",
			Extra:  map[string]any{"suggestions": s.summaries(suggest)},
		})
	case web.Text:
		var b strings.Builder
		b.WriteString("404 Not Found: there is no page at this address.\n")
		if len(suggest) > 0 {
			b.WriteString("\nDid you mean:\n\n")
			b.WriteString(listText(suggest))
		}
		respond.Text(w, http.StatusNotFound, b.String())
	default:
		s.writeHTML(w, http.StatusNotFound, "notfound", view{Page: web.Page{Title: "Page not found", Query: respond.Truncate(last, 60)}, Entries: suggest})
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
