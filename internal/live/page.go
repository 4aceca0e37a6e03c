package live

import (
	"embed"
	"net/http"

	"github.com/teapothq/teapot/internal/catalog"
	"github.com/teapothq/teapot/internal/web"
)

//go:embed templates/try.html assets/*
var files embed.FS

// view is what the try page's template sees.
type view struct {
	web.Page
	Entry   *catalog.Entry
	Headers []string // what the header option may set
}

// AddPages renders a try page for every code of the catalog, /409/try, in
// shell's layout and adds its script, so that Register serves them: a form
// that sends a live request to /status and shows the raw answer.
func (l *Live) AddPages(shell *web.Shell) error {
	if err := shell.AddAssets(files, "assets/*"); err != nil {
		return err
	}
	t, err := shell.Template(files, nil, "templates/try.html")
	if err != nil {
		return err
	}
	l.pages, l.shell = map[string]*web.Doc{}, shell
	for _, e := range l.cat.Entries() {
		html, err := shell.Render(t, view{Page: web.Page{Title: "Try " + e.CodeString() + " " + e.Title() + " live",
			Description: "Send a real " + e.CodeString() + " response to your browser and see its status line, headers and body.",
			Scripts:     []string{"try.js"}}, Entry: e, Headers: AllowedHeaders()})
		if err != nil {
			return err
		}
		l.pages["/"+e.CodeString()+"/try"] = web.NewDoc(html, nil, nil)
	}
	return nil
}

// Pages are the try pages by path, for the export.
func (l *Live) Pages() map[string]*web.Doc { return l.pages }

func (l *Live) servePage(w http.ResponseWriter, r *http.Request) {
	l.shell.Serve(w, r, l.pages[r.URL.Path], "")
}
