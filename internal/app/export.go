package app

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/teapothq/teapot/internal/catalog"
	"github.com/teapothq/teapot/internal/site"
	"github.com/teapothq/teapot/internal/web"
)

// ExportOptions are the export's own settings.
type ExportOptions struct {
	// LiveURL is a running teapot, such as https://teapot.example (with
	// its base path, if it has one): the static copy's links to the pages
	// that need a server (search, try, check, ip, lab, the client exam,
	// the live endpoints) lead there. Without it they lead to a note in the copy
	// that says what is missing.
	LiveURL string
}

// Validate checks LiveURL and drops its trailing slash.
func (o *ExportOptions) Validate() error {
	if o.LiveURL == "" {
		return nil
	}
	u, err := url.Parse(o.LiveURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return fmt.Errorf("--live-url %q must be the address of a running teapot, such as https://teapot.example or https://example.org/teapot", o.LiveURL)
	}
	o.LiveURL = strings.TrimRight(o.LiveURL, "/")
	return nil
}

// Export writes the whole site as static files to dir, with
// /openapi.json, and a note in place of each page that needs a server;
// it needs only BasePath, PublicURL and Version of cfg.
func Export(cfg Config, dir string, opts ExportOptions) (int, error) {
	if err := cfg.ValidatePaths(); err != nil {
		return 0, err
	}
	if err := opts.Validate(); err != nil {
		return 0, err
	}
	p, err := cfg.pages()
	if err != nil {
		return 0, err
	}
	return p.site.Export(dir, site.ExportOptions{
		More:    map[string]*web.Doc{"/openapi.json": p.openapi},
		Server:  serverPages(p.cat),
		LiveURL: opts.LiveURL,
	})
}

// serverPages are the pages a static copy cannot have: their forms and
// scripts talk to teapot's API, and /status describes the limits of the
// server it is on.
func serverPages(cat *catalog.Catalog) []site.ServerPage {
	pages := []site.ServerPage{
		{Path: "/search", Title: "Search", Needs: "Searching the pages' text",
			Hint: "The list of all codes (the home page) filters itself as you type, without a server."},
		{Path: "/status", Title: "Live endpoints", Needs: "Answering with a real status code at /status/{code}"},
		{Path: "/check", Title: "Check URLs", Needs: "Checking what URLs return"},
		{Path: "/ip", Title: "What is my IP?", Needs: "Showing your IP address"},
		{Path: "/lab", Title: "Conflict lab", Needs: "The conflict lab, with its versioned articles API,"},
		// /exam stands for the client table below it too.
		{Path: "/exam", Title: "Client exam", Needs: "The client exam, which answers your client from a script and grades what it did,",
			Hint: "So does its table of how curl, Go, Python and Node clients did (/exam/clients); the table's data is internal/exam/clients.json in teapot's source."},
	}
	for _, e := range cat.Entries() {
		code := e.CodeString()
		pages = append(pages, site.ServerPage{Path: "/" + code + "/try", Title: "Try " + code + " " + e.Title() + " live",
			Needs: "Sending a real " + code + " to your browser"})
	}
	return pages
}
