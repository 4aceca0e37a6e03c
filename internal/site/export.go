package site

import (
	"compress/gzip"
	"errors"
	"fmt"
	"html/template"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/andybalholm/brotli"
	"github.com/teapothq/teapot/internal/respond"
	"github.com/teapothq/teapot/internal/web"
)

// NotFoundFile is the name of the exported not-found page: not 404.html,
// which is the page of 404 Not Found.
const NotFoundFile = "not-found.html"

// ExportOptions say what Export writes besides the site's own pages.
type ExportOptions struct {
	// More are other features' documents by path below the base path,
	// such as /openapi.json.
	More map[string]*web.Doc
	// Server are the pages a static copy cannot have, because their forms
	// and scripts talk to a running teapot. Export writes a note in place
	// of each (a document of More at the same path is left out), and
	// links to them lead to the note, or to LiveURL.
	Server []ServerPage
	// LiveURL is a running teapot, such as https://teapot.example (with
	// its base path, if it has one), that links to server pages lead to;
	// "" leads them to the notes.
	LiveURL string
}

// ServerPage is a page that needs a running teapot.
type ServerPage struct {
	// Path is its address below the base path, such as /check or
	// /409/try. It also stands for the addresses below it (/ip/1.2.3.4)
	// and beside it (/ip.json).
	Path string
	// Title is the note's heading; Needs says what the page does, as the
	// subject of "... needs a running teapot server": "Checking URLs".
	Title, Needs string
	// Hint is an optional sentence on what works without the server.
	Hint string
}

// ExportedFile is one file Export writes, besides its compressed forms:
// its name inside the folder, the address it stands for and the Accept
// header that selects it there (the server answers with the same
// document, but for its links, or for a note with the page the note
// stands in for); "" for the not-found page, robots.txt and sitemap.xml.
type ExportedFile struct {
	Name   string
	URL    string // below the base path
	Accept string
	Data   []byte
}

// The export's layout works on any static host, under any path, and
// from disk (file://):
//
//   - Every page is a file with its suffix (409.html, 409.json, 409.txt),
//     and links in pages are relative and name that file, so that they
//     resolve the same wherever the folder is.
//   - No page's name is also a folder: a page with pages below it is
//     written as its folder's index.html (guides/index.html beside
//     guides/stale-etag.html), and a server page's note is named flat
//     (/409/try is 409-try.html). A server that maps /409 to 409.html
//     (nginx: try_files $uri $uri.html $uri/) then finds every page by
//     its served address as well.
//   - The not-found page is shown by the web server at any address, so
//     its links are absolute, from the base path.

// Files lists what Export writes, in name order, with the links of every
// HTML page rewritten for the export. It fails on a page that links to
// an address of the site that the export has no file for.
func (s *Site) Files(opts ExportOptions) ([]ExportedFile, error) {
	x, err := s.newExporter(opts)
	if err != nil {
		return nil, err
	}
	out := x.files
	t, err := s.shell.Template(files, nil, "templates/export-note.html")
	if err != nil {
		return nil, err
	}
	for _, sp := range x.server {
		data, err := s.note(t, sp, x.live)
		if err != nil {
			return nil, err
		}
		out = append(out, ExportedFile{x.byURL[sp.Path], sp.Path, web.HTML, data})
	}
	notFound, err := s.render("notfound", view{Page: web.Page{Title: "Page not found"}, Entries: s.cat.Suggest("", 0)})
	if err != nil {
		return nil, err
	}
	out = append(out, ExportedFile{NotFoundFile, "", "", notFound})
	if u := s.shell.PublicURL(); u != "" {
		out = append(out, ExportedFile{"robots.txt", "", "", []byte(s.robots(u))},
			ExportedFile{"sitemap.xml", "", "", s.sitemap(u)})
	} else {
		out = append(out, ExportedFile{"robots.txt", "", "", []byte("User-agent: *\nAllow: /\n")})
	}
	var errs []error
	for i, f := range out {
		if !strings.HasSuffix(f.Name, ".html") {
			continue
		}
		from := f.Name
		if from == NotFoundFile {
			from = "" // shown at any address: links from the base path
		}
		data, err := x.relink(from, f.Data)
		errs = append(errs, err)
		out[i].Data = data
	}
	if err := joinSome(errs); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b ExportedFile) int { return strings.Compare(a.Name, b.Name) })
	return out, checkNames(out)
}

// joinSome joins the first errors of errs, and says how many more there
// are: a link in the layout breaks every page.
func joinSome(errs []error) error {
	errs = slices.DeleteFunc(errs, func(err error) bool { return err == nil })
	if len(errs) > 10 {
		errs = append(errs[:10], fmt.Errorf("and %d more", len(errs)-10))
	}
	return errors.Join(errs...)
}

// exporter knows the file of every address the export has.
type exporter struct {
	base, live string
	files      []ExportedFile    // the documents, links not yet rewritten
	byURL      map[string]string // file name by address below the base path
	server     []ServerPage      // without the paths the export has a file for
}

func (s *Site) newExporter(opts ExportOptions) (*exporter, error) {
	x := &exporter{base: s.shell.Base(), live: strings.TrimRight(opts.LiveURL, "/"), byURL: map[string]string{}}
	docs := maps.Clone(s.pages)
	maps.Copy(docs, opts.More)
	for _, sp := range opts.Server {
		delete(docs, sp.Path)
	}
	for p, d := range docs {
		x.addDoc(p, d, hasBelow(docs, p))
	}
	for name, body := range s.shell.Assets() {
		x.add(ExportedFile{"assets/" + name, "/assets/" + name, "*/*", body.Data})
	}
	for _, sp := range opts.Server {
		if _, dup := x.byURL[sp.Path]; dup {
			return nil, fmt.Errorf("export: server page %s is also a file", sp.Path)
		}
		x.byURL[sp.Path] = strings.ReplaceAll(strings.Trim(sp.Path, "/"), "/", "-") + ".html"
		x.server = append(x.server, sp)
	}
	for from, to := range s.redirects {
		if name, ok := x.byURL[to]; ok {
			x.byURL[from] = name
		}
	}
	x.byURL["/robots.txt"] = "robots.txt"
	if s.shell.PublicURL() != "" {
		x.byURL["/sitemap.xml"] = "sitemap.xml"
	}
	return x, nil
}

// addDoc adds a document's forms: HTML as NAME.html (or NAME/index.html
// when pages are below it), JSON as NAME.json, text as NAME.txt, and a
// JSON-only address such as /api/codes as NAME.json.
func (x *exporter) addDoc(p string, d *web.Doc, below bool) {
	stem := strings.TrimPrefix(p, "/")
	if p == "/" {
		stem = "index"
	}
	html := d.HTML()
	if html != nil {
		name := stem + ".html"
		if below {
			name = stem + "/index.html"
		}
		x.add(ExportedFile{name, p, web.HTML, html.Data})
	}
	if js := d.JSON(); js != nil {
		switch {
		case strings.HasSuffix(stem, ".json"):
			x.add(ExportedFile{stem, p, web.JSON, js.Data})
		case html == nil:
			x.add(ExportedFile{stem + ".json", p, web.JSON, js.Data})
		case p != "/":
			x.add(ExportedFile{stem + ".json", p + ".json", web.JSON, js.Data})
		}
	}
	if txt := d.Text(); txt != nil && p != "/" {
		x.add(ExportedFile{stem + ".txt", p + ".txt", web.Text, txt.Data})
	}
}

func (x *exporter) add(f ExportedFile) {
	x.files = append(x.files, f)
	x.byURL[f.URL] = f.Name
}

// hasBelow is true when another document's path is below p.
func hasBelow(docs map[string]*web.Doc, p string) bool {
	if p == "/" {
		return false
	}
	for q := range docs {
		if strings.HasPrefix(q, p+"/") {
			return true
		}
	}
	return false
}

// linkAttr matches the attributes that hold an address. Pages are made
// by html/template and goldmark, which quote every attribute value with
// " and escape it inside, and escape the text between tags, so this
// finds exactly the attributes.
var linkAttr = regexp.MustCompile(`\s(?:href|src|action|formaction|data-json)="([^"]*)"`)

// noteView is what the server-page note's template sees.
type noteView struct {
	web.Page
	Heading, Needs, Hint string
	Path                 string // the page's address on a teapot server
	Live                 string // and on the live one, if known
}

// note renders the page written in place of a server page with t, the
// note's template.
func (s *Site) note(t *template.Template, sp ServerPage, live string) ([]byte, error) {
	v := noteView{Page: web.Page{Title: sp.Title, Description: sp.Needs + " needs a running teapot server."},
		Heading: sp.Title, Needs: sp.Needs, Hint: sp.Hint, Path: s.link(sp.Path)}
	if live != "" {
		v.Live = live + sp.Path
	}
	return s.shell.Render(t, v)
}

// checkNames makes sure that static servers can serve the files: no name
// twice, and no page X.html beside a folder X, which servers that map /X
// to X.html would resolve to the folder.
func checkNames(files []ExportedFile) error {
	seen := map[string]bool{}
	dirs := map[string]bool{}
	for _, f := range files {
		if seen[f.Name] {
			return fmt.Errorf("export: two files named %s", f.Name)
		}
		seen[f.Name] = true
		for d := f.Name; strings.Contains(d, "/"); {
			d = d[:strings.LastIndexByte(d, '/')]
			dirs[d] = true
		}
	}
	for _, f := range files {
		if stem, ok := strings.CutSuffix(f.Name, ".html"); ok && dirs[stem] {
			return fmt.Errorf("export: %s is beside a folder %s", f.Name, stem)
		}
	}
	return nil
}

// minCompressed is the size below which no .gz or .br is written, as the
// server sends such bodies uncompressed.
const minCompressed = 512

// Export writes the site to dir for a static web server or for reading
// from disk: the files of Files, and a .gz and a .br beside each that
// compression makes smaller, for servers that serve precompressed files
// (nginx gzip_static and brotli_static). It returns how many files it
// wrote.
func (s *Site) Export(dir string, opts ExportOptions) (int, error) {
	files, err := s.Files(opts)
	if err != nil {
		return 0, err
	}
	if len(files) == 0 {
		return 0, fmt.Errorf("nothing to export")
	}
	var n atomic.Int64
	write := func(name string, data []byte) error {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		n.Add(1)
		return os.WriteFile(path, data, 0o644)
	}
	// Brotli at its best quality is most of the export's time: compress
	// on every core.
	work := make(chan ExportedFile)
	errs := make([]error, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() {
			for f := range work {
				if errs[i] == nil {
					errs[i] = writeCompressed(write, f)
				}
			}
		})
	}
	for _, f := range files {
		work <- f
	}
	close(work)
	wg.Wait()
	return int(n.Load()), errors.Join(errs...)
}

// writeCompressed writes f, and its .gz and .br when they are smaller.
func writeCompressed(write func(string, []byte) error, f ExportedFile) error {
	if err := write(f.Name, f.Data); err != nil {
		return err
	}
	if len(f.Data) < minCompressed || f.Name == NotFoundFile {
		return nil
	}
	gz := respond.GzipBytes(f.Data, gzip.BestCompression)
	if len(gz) >= len(f.Data) {
		return nil
	}
	if err := write(f.Name+".gz", gz); err != nil {
		return err
	}
	return write(f.Name+".br", respond.BrotliBytes(f.Data, brotli.BestCompression))
}
