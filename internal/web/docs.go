package web

import (
	"net/http"
	"sync"

	"github.com/teapothq/teapot/internal/respond"
)

// Doc is one address's prebuilt representations; a nil one is not
// offered. The JSON form may be built on first use (NewDocLazyJSON).
type Doc struct {
	HTML, Text *respond.Body

	json     *respond.Body
	jsonOnce sync.Once
	makeJSON func() []byte
}

// NewDoc builds a Doc from rendered bytes, each cached as a page; nil
// bytes leave that form out.
func NewDoc(html, json, text []byte) *Doc {
	d := &Doc{}
	if html != nil {
		d.HTML = respond.NewBody(respond.TypeHTML, CachePage, html)
	}
	if json != nil {
		d.json = respond.NewBody(respond.TypeJSON, CachePage, json)
	}
	if text != nil {
		d.Text = respond.NewBody(respond.TypeText, CachePage, text)
	}
	return d
}

// NewDocLazyJSON is NewDoc with a JSON form that json builds when it is
// first asked for, and that is then kept. A code page's JSON carries every
// section as Markdown and as HTML, so building all of them ahead would
// hold several megabytes that most instances never serve.
func NewDocLazyJSON(html []byte, json func() []byte, text []byte) *Doc {
	d := NewDoc(html, nil, text)
	d.makeJSON = json
	return d
}

// NewJSONDoc is a Doc of one JSON body only, of its own media type (the
// OpenAPI document's, say).
func NewJSONDoc(json *respond.Body) *Doc { return &Doc{json: json} }

// JSON is the JSON form, or nil when there is none.
func (d *Doc) JSON() *respond.Body {
	if d.makeJSON != nil {
		d.jsonOnce.Do(func() {
			d.json = respond.NewBody(respond.TypeJSON, CachePage, d.makeJSON())
		})
	}
	return d.json
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
		body = d.JSON()
	case Text:
		body = d.Text
	}
	if body == nil {
		s.NotFound(w, r)
		return
	}
	body.Serve(w, r, http.StatusOK, vary)
}
