package site

import (
	"compress/gzip"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/andybalholm/brotli"
	"github.com/teapothq/teapot/internal/respond"
	"github.com/teapothq/teapot/internal/web"
)

// ExportedFile is one file Export writes: its name inside the folder, the
// address the server serves the same bytes at, and the Accept header that
// selects them there.
type ExportedFile struct {
	Name   string
	URL    string // below the base path
	Accept string
	body   *respond.Body
}

// Files lists what Export writes, in name order. Addresses without a
// suffix become NAME.html (a static server maps /409 to 409.html, see
// the README); JSON-only addresses become NAME.json.
func (s *Site) Files(more map[string]*web.Doc) []ExportedFile {
	var out []ExportedFile
	pages := maps.Clone(s.pages)
	maps.Copy(pages, more)
	for p, pg := range pages {
		name := strings.TrimPrefix(p, "/")
		if name == "" {
			name = "index"
		}
		if pg.HTML != nil {
			out = append(out, ExportedFile{name + ".html", p, web.HTML, pg.HTML})
		}
		if pg.JSON != nil {
			if strings.HasSuffix(name, ".json") {
				out = append(out, ExportedFile{name, p, web.JSON, pg.JSON})
			} else if pg.HTML == nil {
				out = append(out, ExportedFile{name + ".json", p, web.JSON, pg.JSON})
			} else if p != "/" {
				out = append(out, ExportedFile{name + ".json", p + ".json", web.JSON, pg.JSON})
			}
		}
		if pg.Text != nil && p != "/" {
			out = append(out, ExportedFile{name + ".txt", p + ".txt", web.Text, pg.Text})
		}
	}
	for name, body := range s.shell.Assets() {
		out = append(out, ExportedFile{"assets/" + name, "/assets/" + name, "*/*", body})
	}
	slices.SortFunc(out, func(a, b ExportedFile) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Export writes the whole site to dir for a static web server: every page
// as HTML, JSON and text, with a .gz and a .br beside each file for servers
// that serve precompressed files (nginx gzip_static and brotli_static), a
// 404.html, robots.txt, and sitemap.xml when the public URL is known.
func (s *Site) Export(dir string, more map[string]*web.Doc) (int, error) {
	n := 0
	write := func(name string, data []byte) error {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		n++
		return os.WriteFile(path, data, 0o644)
	}
	for _, f := range s.Files(more) {
		if err := write(f.Name, f.body.Data); err != nil {
			return n, err
		}
		if f.body.Gzip() == nil {
			continue // too small to be worth compressing
		}
		if err := write(f.Name+".gz", respond.GzipBytes(f.body.Data, gzip.BestCompression)); err != nil {
			return n, err
		}
		if err := write(f.Name+".br", respond.BrotliBytes(f.body.Data, brotli.BestCompression)); err != nil {
			return n, err
		}
	}
	notFound, err := s.render("notfound", view{Page: web.Page{Title: "Page not found"}, Entries: s.cat.Suggest("", 0)})
	if err != nil {
		return n, err
	}
	if err := write("404.html", notFound); err != nil {
		return n, err
	}
	if u := s.shell.PublicURL(); u != "" {
		if err := write("robots.txt", []byte(s.robots(u))); err != nil {
			return n, err
		}
		if err := write("sitemap.xml", s.sitemap(u)); err != nil {
			return n, err
		}
	} else if err := write("robots.txt", []byte("User-agent: *\nAllow: /\n")); err != nil {
		return n, err
	}
	if n == 0 {
		return 0, fmt.Errorf("nothing to export")
	}
	return n, nil
}
