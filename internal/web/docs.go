package web

import (
	"net/http"

	"github.com/teapothq/teapot/internal/respond"
)

// Doc is one address's prebuilt representations; a nil one is not
// offered.
type Doc struct {
	HTML, JSON, Text *respond.Body
}

// NewDoc builds a Doc from rendered bytes, each cached as a page; nil
// bytes leave that form out.
func NewDoc(html, json, text []byte) *Doc {
	d := &Doc{}
	if html != nil {
		d.HTML = respond.NewBody(respond.TypeHTML, CachePage, html)
	}
	if json != nil {
		d.JSON = respond.NewBody(respond.TypeJSON, CachePage, json)
	}
	if text != nil {
		d.Text = respond.NewBody(respond.TypeText, CachePage, text)
	}
	return d
}

// Serve answers r with the form of d that format names ("" negotiates
// on the request's headers), and 404 or 406 when there is none.
func (s *Shell) Serve(w http.ResponseWriter, r *http.Request, d *Doc, format string) {
	var vary []string
	if format == "" {
		vary = VaryPage
		if d.HTML == nil && d.Text == nil {
			format = JSON // an API address: JSON whatever is asked
			vary = nil
		} else if got, ok := Format(r, ""); ok {
			format = got
		} else {
			NotAcceptable(w)
			return
		}
	}
	body := d.HTML
	switch format {
	case JSON:
		body = d.JSON
	case Text:
		body = d.Text
	}
	if body == nil {
		s.NotFound(w, r)
		return
	}
	body.Serve(w, r, http.StatusOK, vary)
}
