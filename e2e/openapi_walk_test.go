package e2e

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
)

// openAPIWalk takes one feature through its documented operations: each
// step's request (when it should succeed) and response are validated
// against the served document, and every operation called is noted, so
// that allCalled can tell which documented ones the walk missed.
type openAPIWalk struct {
	t      *testing.T
	v      validator.Validator
	model  *libopenapi.DocumentModel[v3.Document]
	client *http.Client
	called map[string]bool // "METHOD /template"
}

func newOpenAPIWalk(t *testing.T, base string, client *http.Client) *openAPIWalk {
	v, model := loadOpenAPI(t, base)
	return &openAPIWalk{t: t, v: v, model: model, client: client, called: map[string]bool{}}
}

// do sends the request newReq makes, which the document has at tmpl,
// wants status, and returns the response's header and body.
func (w *openAPIWalk) do(newReq func() *http.Request, tmpl string, status int) (http.Header, []byte) {
	t := w.t
	t.Helper()
	req := newReq()
	method, path := req.Method, req.URL.RequestURI()
	if status < 400 {
		if ok, verrs := w.v.ValidateHttpRequest(newReq()); !ok {
			for _, e := range verrs {
				t.Errorf("%s %s: the request does not match the document: %s: %s", method, path, e.Message, e.Reason)
			}
		}
	}
	res, err := w.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(res.Body)
	res.Body.Close()
	res.Body = io.NopCloser(bytes.NewReader(data))
	if res.StatusCode != status {
		t.Fatalf("%s %s: %d, want %d\n%s", method, path, res.StatusCode, status, data)
	}
	if ok, verrs := w.v.ValidateHttpResponse(req, res); !ok {
		for _, e := range verrs {
			t.Errorf("%s %s (%d): %s: %s %s", method, path, res.StatusCode, e.Message, e.Reason, schemaErrors(e.SchemaValidationErrors))
		}
	}
	w.called[method+" "+tmpl] = true
	return res.Header, data
}

// allCalled fails the test for every documented operation under a path
// that mine says is the feature's and that the walk never called.
func (w *openAPIWalk) allCalled(mine func(path string) bool) {
	for path, item := range w.model.Model.Paths.PathItems.FromOldest() {
		if !mine(path) {
			continue
		}
		for method := range item.GetOperations().FromOldest() {
			if key := strings.ToUpper(method) + " " + path; !w.called[key] {
				w.t.Errorf("%s is documented but this test never calls it", key)
			}
		}
	}
}
