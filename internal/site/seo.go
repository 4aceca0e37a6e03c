package site

import (
	"encoding/xml"
	"net/http"
	"strings"

	"github.com/teapothq/teapot/internal/catalog"
	"github.com/teapothq/teapot/internal/respond"
	"github.com/teapothq/teapot/internal/web"
)

// requestOrigin is the origin for the sitemap's absolute URLs: the
// configured public URL, or else the host the request was made to, if it
// is a plain host name (never whatever a client put in Host).
func (s *Site) requestOrigin(r *http.Request) string {
	if u := s.shell.PublicURL(); u != "" {
		return u
	}
	if !web.PlainHost(r.Host) {
		return ""
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// serveSitemap lists absolute URLs, as the sitemap protocol asks; without
// a public URL they are on the host asked for, so the answer varies on
// Host.
func (s *Site) serveSitemap(w http.ResponseWriter, r *http.Request) {
	if s.shell.PublicURL() == "" {
		w.Header().Set("Vary", "Host")
	}
	respond.Bytes(w, http.StatusOK, "application/xml; charset=utf-8", s.sitemap(s.requestOrigin(r)))
}

// serveRobots names the sitemap only with a public URL: the Sitemap line
// must be absolute, and robots.txt is cached and read by crawlers that
// should not learn a host from whoever asked first.
func (s *Site) serveRobots(w http.ResponseWriter, r *http.Request) {
	respond.Text(w, http.StatusOK, s.robots(s.shell.PublicURL()))
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

// robots is robots.txt; origin "" leaves out the Sitemap line.
func (s *Site) robots(origin string) string {
	txt := "User-agent: *\nAllow: /\nDisallow: " + s.link("/search") + "\n"
	if origin != "" {
		txt += "\nSitemap: " + origin + s.link("/sitemap.xml") + "\n"
	}
	return txt
}
