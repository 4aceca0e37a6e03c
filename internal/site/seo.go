package site

import (
	"encoding/xml"
	"net/http"
	"strings"

	"github.com/teapothq/teapot/internal/catalog"
	"github.com/teapothq/teapot/internal/respond"
)

// requestOrigin is the public origin for absolute URLs: the configured one, or
// the one the request was made to.
func (s *Site) requestOrigin(r *http.Request) string {
	if u := s.shell.PublicURL(); u != "" {
		return u
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Site) serveSitemap(w http.ResponseWriter, r *http.Request) {
	if s.shell.PublicURL() == "" {
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
		xml.EscapeText(&b, []byte(origin+s.link(p)))
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
	return "User-agent: *\nAllow: /\nDisallow: " + s.link("/search") + "\n\nSitemap: " + origin + s.link("/sitemap.xml") + "\n"
}
