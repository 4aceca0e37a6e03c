package web

import (
	"net/http"
	"sync"

	"github.com/teapothq/teapot/internal/respond"
)

// Doc is one address's prebuilt representations; a nil one is not
// offered. The JSON and text forms may be built on first use
// (NewDocLazy).
type Doc struct {
	HTML       *respond.Body
	json, text lazyBody
}

// lazyBody is a body made when first asked for, then kept.
type lazyBody struct {
	once  sync.Once
	make  func() []byte // nil: body is all there is
	ctype string
	body  *respond.Body
}

func (l *lazyBody) get() *respond.Body {
	if l.make != nil {
		l.once.Do(func() { l.body = respond.NewBody(l.ctype, CachePage, l.make()) })
	}
	return l.body
}

// offered reports whether there is a body, without making it.
func (l *lazyBody) offered() bool { return l.make != nil || l.body != nil }

// NewDoc builds a Doc from rendered bytes, each cached as a page; nil
// bytes leave that form out.
func NewDoc(html, json, text []byte) *Doc {
	d := &Doc{}
	if html != nil {
		d.HTML = respond.NewBody(respond.TypeHTML, CachePage, html)
	}
	if json != nil {
		d.json.body = respond.NewBody(respond.TypeJSON, CachePage, json)
	}
	if text != nil {
		d.text.body = respond.NewBody(respond.TypeText, CachePage, text)
	}
	return d
}

// NewDocLazy is NewDoc with JSON and text forms that json and text build
// when first asked for, and that are then kept. A code page's JSON carries
// every section as Markdown and as HTML, and its text every section
// wrapped again: building them all ahead would hold megabytes that most
// instances never serve.
func NewDocLazy(html []byte, json, text func() []byte) *Doc {
	d := NewDoc(html, nil, nil)
	d.json = lazyBody{make: json, ctype: respond.TypeJSON}
	d.text = lazyBody{make: text, ctype: respond.TypeText}
	return d
}

// NewJSONDoc is a Doc of one JSON body only, of its own media type (the
// OpenAPI document's, say).
func NewJSONDoc(json *respond.Body) *Doc { return &Doc{json: lazyBody{body: json}} }

// JSON is the JSON form, or nil when there is none.
func (d *Doc) JSON() *respond.Body { return d.json.get() }

// Text is the plain-text form, or nil when there is none.
func (d *Doc) Text() *respond.Body { return d.text.get() }

// Serve answers r with the form of d that format names ("" negotiates
// on the request's headers), and 404 or 406 when there is none.
func (s *Shell) Serve(w http.ResponseWriter, r *http.Request, d *Doc, format string) {
	var vary []string
	if format == "" {
		vary = VaryPage
		if d.HTML == nil && !d.text.offered() {
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
		body = d.Text()
	}
	if body == nil {
		s.NotFound(w, r)
		return
	}
	body.Serve(w, r, http.StatusOK, vary)
}
