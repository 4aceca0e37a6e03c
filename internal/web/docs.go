package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/teapothq/teapot/internal/respond"
)

// Doc is one address's prebuilt representations; a nil one is not
// offered. Any of them may be built on first use instead (LazyDoc).
type Doc struct {
	html, json, text lazyBody
}

// lazyBody is a body made when first asked for, then kept. A make that
// panics (a page that cannot be rendered) leaves it unmade: the panic
// reaches the server's recovery, which answers 500 and logs it, and the
// next request tries again.
type lazyBody struct {
	mu    sync.Mutex
	make  func() []byte // nil: body is all there is
	ctype string
	body  atomic.Pointer[respond.Body] // once made, or from the start
}

func (l *lazyBody) get() *respond.Body {
	if b := l.body.Load(); b != nil || l.make == nil {
		return b
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if b := l.body.Load(); b != nil {
		return b
	}
	b := respond.NewBody(l.ctype, CachePage, l.make())
	l.body.Store(b)
	return b
}

// offered reports whether there is a body, without making it.
func (l *lazyBody) offered() bool { return l.make != nil || l.body.Load() != nil }

// NewDoc builds a Doc from rendered bytes, each cached as a page; nil
// bytes leave that form out.
func NewDoc(html, json, text []byte) *Doc {
	d := &Doc{}
	if html != nil {
		d.html.body.Store(respond.NewBody(respond.TypeHTML, CachePage, html))
	}
	if json != nil {
		d.json.body.Store(respond.NewBody(respond.TypeJSON, CachePage, json))
	}
	if text != nil {
		d.text.body.Store(respond.NewBody(respond.TypeText, CachePage, text))
	}
	return d
}

// newDocLazy is a Doc whose forms html, json and text (nil for none)
// build when first asked for, and that are then kept.
func newDocLazy(html, json, text func() []byte) *Doc {
	return &Doc{
		html: lazyBody{make: html, ctype: respond.TypeHTML},
		json: lazyBody{make: json, ctype: respond.TypeJSON},
		text: lazyBody{make: text, ctype: respond.TypeText},
	}
}

// LazyDoc is a page whose HTML render makes when it is first asked for,
// or when Warm gets to it: rendering every page before serving is most
// of what teapot would do at start. Its JSON and text (nil for none) are
// made when first asked for only: a code page's JSON carries every
// section as Markdown and as HTML, and its text every section wrapped
// again, megabytes that most instances never serve. A page that cannot
// be rendered (a broken template) panics when asked for: the server's
// recovery answers 500 and logs it, and the next request tries again.
// Call it before the server serves, as the pages are built.
func (s *Shell) LazyDoc(name string, render func() ([]byte, error), json, text func() []byte) *Doc {
	d := newDocLazy(func() []byte {
		b, err := render()
		if err != nil {
			panic(fmt.Errorf("the page %s cannot be rendered: %w", name, err))
		}
		return b
	}, json, text)
	s.lazy = append(s.lazy, d)
	return d
}

// Warm renders the HTML of every LazyDoc that no request has asked for
// yet, one after another, until ctx ends, and returns the errors of those
// that cannot be rendered. Run once the server answers, it makes the first
// visit to each page as fast as the next, and leaves the other cores to
// the requests.
func (s *Shell) Warm(ctx context.Context) error {
	var errs []error
	for _, d := range s.lazy {
		if ctx.Err() != nil {
			break
		}
		errs = append(errs, warm(d))
	}
	return errors.Join(errs...)
}

// warm renders d's page, turning its panic back into an error.
func warm(d *Doc) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("%v", v)
		}
	}()
	d.HTML()
	return nil
}

// NewJSONDoc is a Doc of one JSON body only, of its own media type (the
// OpenAPI document's, say).
func NewJSONDoc(json *respond.Body) *Doc {
	d := &Doc{}
	d.json.body.Store(json)
	return d
}

// HTML is the page, or nil when there is none.
func (d *Doc) HTML() *respond.Body { return d.html.get() }

// HTMLMade reports whether the page is built, without building it.
func (d *Doc) HTMLMade() bool { return d.html.body.Load() != nil }

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
		if !d.html.offered() && !d.text.offered() {
			format = JSON // an API address: JSON whatever is asked
			vary = nil
		} else if got, ok := Format(r, ""); ok {
			format = got
		} else {
			NotAcceptable(w)
			return
		}
	}
	var body *respond.Body
	switch format {
	case HTML:
		body = d.HTML()
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
