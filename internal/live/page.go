package live

import (
	"embed"
	"net/http"
	"time"

	"github.com/teapothq/teapot/internal/catalog"
	"github.com/teapothq/teapot/internal/web"
)

//go:embed templates/try.html templates/howto.html assets/*
var files embed.FS

// view is what the try page's template sees.
type view struct {
	web.Page
	Entry   *catalog.Entry
	Headers []string // what the header option may set
}

// AddPages adds a try page for every code of the catalog, /409/try, in
// shell's layout, rendered on first use or by the shell's Warm, and its
// script, so that Register serves them: a form that sends a live request
// to /status and shows the raw answer.
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
		path := "/" + e.CodeString() + "/try"
		l.pages[path] = shell.LazyDoc(path, func() ([]byte, error) {
			return shell.Render(t, view{Page: web.Page{Title: "Try " + e.CodeString() + " " + e.Title() + " live",
				Description: "Send a real " + e.CodeString() + " response to your browser and see its status line, headers and body.",
				Scripts:     []string{"try.js"}}, Entry: e, Headers: AllowedHeaders()})
		}, nil, nil)
	}
	return l.addHowto(shell)
}

// howtoView is what the /status how-to page's template sees: the limits
// this server enforces.
type howtoView struct {
	web.Page
	Headers                         []string
	MaxChoices, MaxWeight           int
	MaxDelay                        time.Duration
	MaxDelayedPerClient             int
	MaxRetryAfter, MaxBody          int
	MaxHeaders, MaxHeaderLen, Burst int
	Rate                            float64
}

// addHowto renders /status, the page that says what the live endpoints
// do and what this server allows.
func (l *Live) addHowto(shell *web.Shell) error {
	t, err := shell.Template(files, nil, "templates/howto.html")
	if err != nil {
		return err
	}
	html, err := shell.Render(t, howtoView{
		Page:    web.Page{Title: "Live endpoints", Description: "Real responses with any HTTP status code, the header fields the RFCs require, delays and weighted choices, for testing clients."},
		Headers: AllowedHeaders(), MaxChoices: maxChoices, MaxWeight: maxWeight, MaxDelay: l.opts.MaxDelay,
		MaxDelayedPerClient: l.opts.MaxDelayedPerClient, MaxRetryAfter: maxRetryAfter, MaxBody: maxBody,
		MaxHeaders: maxHeaders, MaxHeaderLen: maxHeaderLen, Rate: l.opts.Rate, Burst: l.opts.Burst,
	})
	if err != nil {
		return err
	}
	l.pages["/status"] = web.NewDoc(html, nil, nil)
	return nil
}

// Pages are the try pages and /status by path, for the export.
func (l *Live) Pages() map[string]*web.Doc { return l.pages }

func (l *Live) servePage(w http.ResponseWriter, r *http.Request) {
	l.shell.Serve(w, r, l.pages[r.URL.Path], "")
}
