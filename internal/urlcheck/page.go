package urlcheck

import (
	"embed"
	"net/http"

	"github.com/teapothq/teapot/internal/web"
)

//go:embed templates/check.html assets/*
var files embed.FS

// AddPage renders the /check page, a form on the API, in shell's layout
// and adds its script, so that Register serves it.
func (c *Checker) AddPage(shell *web.Shell) error {
	if err := shell.AddAssets(files, "assets/*"); err != nil {
		return err
	}
	t, err := shell.Template(files, nil, "templates/check.html")
	if err != nil {
		return err
	}
	html, err := shell.Render(t, web.Page{Title: "Check URLs: status codes, redirects and timings",
		Description: "Check what URLs return: every redirect hop with its status, Location, timings and headers, and the TLS certificate.",
		Scripts:     []string{"check.js"}})
	if err != nil {
		return err
	}
	c.page, c.shell = web.NewDoc(html, nil, nil), shell
	return nil
}

// Pages are the checker's documents for the export: the /check page.
func (c *Checker) Pages() map[string]*web.Doc {
	if c.page == nil {
		return nil
	}
	return map[string]*web.Doc{"/check": c.page}
}

func (c *Checker) servePage(w http.ResponseWriter, r *http.Request) {
	c.shell.Serve(w, r, c.page, "")
}
