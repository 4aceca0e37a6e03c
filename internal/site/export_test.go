package site

import (
	"bytes"
	"compress/gzip"
	"io"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/teapothq/teapot/internal/respond"
	"github.com/teapothq/teapot/internal/web"
)

// serverPages are the pages the layout and the code pages link to that
// need a server, as the app lists them.
func serverPages(s *Site) []ServerPage {
	out := []ServerPage{
		{Path: "/search", Title: "Search", Needs: "Searching"},
		{Path: "/status", Title: "Live endpoints", Needs: "Answering with a real status code"},
		{Path: "/check", Title: "Check URLs", Needs: "Checking URLs"},
		{Path: "/ip", Title: "What is my IP?", Needs: "Showing your IP address"},
		{Path: "/lab", Title: "Conflict lab", Needs: "The conflict lab"},
		{Path: "/exam", Title: "Client exam", Needs: "The client exam"},
	}
	for _, e := range s.cat.Entries() {
		out = append(out, ServerPage{Path: "/" + e.CodeString() + "/try", Title: "Try " + e.CodeString(), Needs: "Sending a real " + e.CodeString()})
	}
	return out
}

// more are the app's documents that the pages link to.
var more = map[string]*web.Doc{"/openapi.json": web.NewDoc(nil, []byte(`{"openapi": "3.1.0"}`), nil)}

// exportFiles is what the export of a site on base would write, by name.
func exportFiles(t *testing.T, s *Site, live string) map[string]ExportedFile {
	t.Helper()
	files, err := s.Files(ExportOptions{More: more, Server: serverPages(s), LiveURL: live})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]ExportedFile{}
	for _, f := range files {
		out[f.Name] = f
	}
	return out
}

// addresses are the values of the attributes that hold one.
var addresses = regexp.MustCompile(`\s(?:href|src|action|formaction|data-json)="([^"]*)"`)

func links(page []byte) []string {
	var out []string
	for _, m := range addresses.FindAllSubmatch(page, -1) {
		out = append(out, string(m[1]))
	}
	return out
}

// The export writes the 404 Not Found code page as 404.html, and the
// not-found page under another name; its links are from the base path,
// since a web server shows it at any address, and name exported files.
func TestExportKeepsThe404Page(t *testing.T) {
	t.Parallel()
	for _, base := range []string{"", "/teapot"} {
		files := exportFiles(t, newTestSite(t, base), "")
		if f, ok := files["404.html"]; !ok || !bytes.Contains(f.Data, []byte("<title>404 Not Found")) {
			t.Errorf("base %q: 404.html is not the page of 404 Not Found:\n%.300s", base, f.Data)
		}
		nf, ok := files[NotFoundFile]
		if !ok || !bytes.Contains(nf.Data, []byte("<title>Page not found")) {
			t.Fatalf("base %q: no not-found page named %s", base, NotFoundFile)
		}
		for _, l := range links(nf.Data) {
			if strings.HasPrefix(l, "#") {
				continue
			}
			name, ok := strings.CutPrefix(l, base+"/")
			if _, exists := files[name]; !ok || !exists {
				t.Errorf("base %q: %s links to %q, not to an exported file from the base path", base, NotFoundFile, l)
			}
		}
	}
}

// No exported page is also a folder: /409/try is not 409/try.html beside
// 409.html, and a page with pages below it is its folder's index.html.
func TestExportNoPageBesideItsFolder(t *testing.T) {
	t.Parallel()
	s := newTestSite(t, "")
	files := exportFiles(t, s, "")
	dirs := map[string]bool{}
	for name := range files {
		for d := path.Dir(name); d != "."; d = path.Dir(d) {
			dirs[d] = true
		}
	}
	for name := range files {
		if stem, ok := strings.CutSuffix(name, ".html"); ok && dirs[stem] {
			t.Errorf("%s is beside a folder %s", name, stem)
		}
	}
	for _, want := range []string{"409.html", "409-try.html", "index.html", "check.html"} {
		if _, ok := files[want]; !ok {
			t.Errorf("no %s", want)
		}
	}
	for p := range s.pages {
		if p != "/" && hasBelow(s.pages, p) {
			if _, ok := files[strings.TrimPrefix(p, "/")+"/index.html"]; !ok {
				t.Errorf("%s has pages below it but no %s/index.html", p, p)
			}
		}
	}
}

// Every link of every exported page (but the not-found page) is relative
// and names an exported file, or goes to another origin, so that the
// folder works from disk and on any host under any path.
func TestExportLinksAreRelative(t *testing.T) {
	t.Parallel()
	for _, base := range []string{"", "/teapot"} {
		files := exportFiles(t, newTestSite(t, base), "")
		checked := 0
		for name, f := range files {
			if !strings.HasSuffix(name, ".html") || name == NotFoundFile {
				continue
			}
			for _, l := range links(f.Data) {
				switch {
				case strings.HasPrefix(l, "#"), strings.HasPrefix(l, "https://"), strings.HasPrefix(l, "http://"):
					continue
				case strings.HasPrefix(l, "/"):
					t.Errorf("base %q: %s links to %q, from the root", base, name, l)
					continue
				}
				target := path.Join(path.Dir(name), strings.SplitN(strings.SplitN(l, "#", 2)[0], "?", 2)[0])
				if _, ok := files[target]; !ok {
					t.Errorf("base %q: %s links to %q, which names no exported file (%s)", base, name, l, target)
				}
				checked++
			}
		}
		if checked < 5000 {
			t.Errorf("base %q: checked only %d links", base, checked)
		}
	}
}

// Pages that need a server are notes that say so, linked as such; with a
// live URL, links to them go to the live site instead.
func TestExportServerPages(t *testing.T) {
	t.Parallel()
	s := newTestSite(t, "/teapot")
	files := exportFiles(t, s, "")
	code := string(files["409.html"].Data)
	if !strings.Contains(code, `href="409-try.html"`) || !strings.Contains(code, `href="check.html"`) || !strings.Contains(code, `action="search.html"`) {
		t.Errorf("409.html does not link the notes of /409/try, /check and /search")
	}
	note := string(files["409-try.html"].Data)
	for _, want := range []string{"needs a running teapot server", "<code>/teapot/409/try</code>", "--live-url"} {
		if !strings.Contains(note, want) {
			t.Errorf("409-try.html lacks %q", want)
		}
	}
	if strings.Contains(note, `id="try"`) {
		t.Errorf("409-try.html has the try form, which cannot work without a server")
	}

	const live = "https://live.example/teapot"
	files = exportFiles(t, s, live+"/")
	code = string(files["409.html"].Data)
	for _, want := range []string{`href="` + live + `/409/try"`, `href="` + live + `/check"`, `action="` + live + `/search"`, `data-json="` + live + `/ip.json"`} {
		if !strings.Contains(code, want) {
			t.Errorf("with a live URL, 409.html lacks %s", want)
		}
	}
	if strings.Contains(code, "409-try.html") || strings.Contains(code, `"check.html"`) {
		t.Errorf("with a live URL, 409.html still links a note")
	}
	if note := string(files["check.html"].Data); !strings.Contains(note, `<a href="`+live+`/check">`) {
		t.Errorf("with a live URL, the note of /check does not link it on the live site")
	}
}

// An address of the site that the export has no file for, and that no
// server page covers, stops the export, naming the page and the address.
func TestExportRefusesABrokenLink(t *testing.T) {
	t.Parallel()
	s := newTestSite(t, "")
	extra := maps.Clone(more)
	extra["/extra"] = web.NewDoc([]byte(`<p><a href="/nowhere#x">gone</a> <a href="/409">fine</a></p>`), nil, nil)
	_, err := s.Files(ExportOptions{More: extra, Server: serverPages(s)})
	if err == nil || !strings.Contains(err.Error(), "extra.html links to /nowhere#x") {
		t.Fatalf("got %v, want an error naming extra.html and /nowhere#x", err)
	}
}

// The exported pages are the server's with only their links changed, and
// their JSON, text and assets are the server's bytes.
func TestExportIsTheServersPages(t *testing.T) {
	t.Parallel()
	s := newTestSite(t, "/teapot")
	files := exportFiles(t, s, "")
	blank := func(b []byte) []byte { return addresses.ReplaceAll(b, []byte(` href=""`)) }
	n := 0
	for name, f := range files {
		var want *respond.Body
		d := s.pages[f.URL]
		if d == nil {
			stem, _ := web.SplitSuffix(f.URL)
			d = s.pages[stem]
		}
		switch {
		case strings.HasPrefix(name, "assets/"):
			want = s.shell.Assets()[strings.TrimPrefix(name, "assets/")]
		case f.URL == "" || d == nil:
			continue // the not-found page, robots.txt, the notes
		case f.Accept == web.HTML:
			want = d.HTML()
		case f.Accept == web.JSON:
			want = d.JSON()
		case f.Accept == web.Text:
			want = d.Text()
		}
		if want == nil {
			t.Errorf("%s: the site has no %s document at %s", name, f.Accept, f.URL)
			continue
		}
		got, wantData := f.Data, want.Data
		if f.Accept == web.HTML {
			got, wantData = blank(got), blank(wantData)
		}
		if !bytes.Equal(got, wantData) {
			t.Errorf("%s differs from the site's %s beyond its links", name, f.URL)
		}
		n++
	}
	if n < 3*len(s.cat.Entries()) {
		t.Errorf("compared %d files, want at least HTML, JSON and text of every code", n)
	}
}

// A file is written with a .gz and a .br that decode to it, unless it is
// too small to be worth it.
func TestExportCompressed(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name string, data []byte) error {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		return os.WriteFile(p, data, 0o644)
	}
	big := bytes.Repeat([]byte("<p>409 Conflict</p>\n"), 100)
	for _, f := range []ExportedFile{{Name: "a/big.html", Data: big}, {Name: "small.html", Data: []byte("<p>hi</p>")}} {
		if err := writeCompressed(write, f); err != nil {
			t.Fatal(err)
		}
	}
	gz, err := os.Open(filepath.Join(dir, "a", "big.html.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer gz.Close()
	zr, err := gzip.NewReader(gz)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := io.ReadAll(zr); !bytes.Equal(got, big) {
		t.Errorf("big.html.gz does not decode to big.html")
	}
	br, err := os.ReadFile(filepath.Join(dir, "a", "big.html.br"))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := io.ReadAll(brotli.NewReader(bytes.NewReader(br))); !bytes.Equal(got, big) {
		t.Errorf("big.html.br does not decode to big.html")
	}
	for _, name := range []string{"small.html.gz", "small.html.br"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			t.Errorf("%s written for a 9-byte file", name)
		}
	}
}
