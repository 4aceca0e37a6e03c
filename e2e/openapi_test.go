package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"

	"github.com/teapothq/teapot/internal/app/apptest"
)

// TestOpenAPI validates the served OpenAPI document against the OpenAPI
// 3.1 schema, then calls every documented operation on the server, with
// the examples the document gives for its parameters, and validates each
// response against the document.
func TestOpenAPI(t *testing.T) {
	t.Parallel()
	base := apptest.Serve(t, apptest.Config())
	v, model := loadOpenAPI(t, base)
	if ok, verrs := v.ValidateDocument(); !ok {
		for _, e := range verrs {
			t.Errorf("invalid document: %s: %s", e.Message, e.Reason)
		}
	}
	calls := 0
	for path, item := range model.Model.Paths.PathItems.FromOldest() {
		if strings.HasPrefix(path, "/lab/") || path == "/exam" || strings.HasPrefix(path, "/exam/") {
			continue // TestOpenAPILab walks the lab, TestOpenAPIExam the exam
		}
		if item.Post != nil {
			calls += callPost(t, v, base, path, item.Post)
			continue
		}
		op := item.Get
		if op == nil {
			t.Errorf("%s: only GET and POST operations are expected", path)
			continue
		}
		target, query := path, url.Values{}
		for _, p := range append(item.Parameters, op.Parameters...) {
			if p.Example == nil {
				t.Errorf("%s: parameter %s has no example to call it with", path, p.Name)
				continue
			}
			val := p.Example.Value
			switch p.In {
			case "path":
				target = strings.ReplaceAll(target, "{"+p.Name+"}", val)
			case "query":
				query.Set(p.Name, val)
			}
		}
		if len(query) > 0 {
			target += "?" + query.Encode()
		}
		// The documented address, and a not-found variant where one is
		// documented.
		targets := []string{target}
		if op.Responses.Codes.GetOrZero("404") != nil {
			targets = append(targets, strings.NewReplacer("409", "432", "4xx", "6xx").Replace(target))
		}
		for _, tg := range targets {
			req, _ := http.NewRequest("GET", base+tg, nil)
			req.Header.Set("Accept", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			if ok, verrs := v.ValidateHttpResponse(req, resp); !ok {
				for _, e := range verrs {
					t.Errorf("GET %s (%d): %s: %s %s", tg, resp.StatusCode, e.Message, e.Reason, schemaErrors(e.SchemaValidationErrors))
				}
			}
			resp.Body.Close()
			calls++
		}
	}
	if calls < 5 {
		t.Errorf("made %d calls; the document should describe at least 5", calls)
	}
}

// loadOpenAPI fetches the served OpenAPI document and makes its validator
// and model.
func loadOpenAPI(t *testing.T, base string) (validator.Validator, *libopenapi.DocumentModel[v3.Document]) {
	t.Helper()
	resp, err := http.Get(base + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	spec, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	doc, err := libopenapi.NewDocument(spec)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatalf("validator: %v", errs)
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		t.Fatalf("model: %v", err)
	}
	return v, model
}

// callPost calls a documented POST with the query examples and a body
// whose only URL the default guard refuses without dialing, and validates
// the request and the response against the document.
func callPost(t *testing.T, v validator.Validator, base, path string, op *v3.Operation) int {
	t.Helper()
	const body = `{"urls": ["http://127.0.0.1:1/"]}`
	query := url.Values{}
	for _, p := range op.Parameters {
		if p.In == "query" && p.Example != nil {
			query.Set(p.Name, p.Example.Value)
		}
	}
	target := base + path + "?" + query.Encode()
	newReq := func() *http.Request {
		req, _ := http.NewRequest("POST", target, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		return req
	}
	if ok, verrs := v.ValidateHttpRequest(newReq()); !ok {
		for _, e := range verrs {
			t.Errorf("POST %s: the request does not match the document: %s: %s", path, e.Message, e.Reason)
		}
	}
	req := newReq()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(data))
	if ok, verrs := v.ValidateHttpResponse(req, resp); !ok {
		for _, e := range verrs {
			t.Errorf("POST %s (%d): %s: %s %s", path, resp.StatusCode, e.Message, e.Reason, schemaErrors(e.SchemaValidationErrors))
		}
	}
	if resp.StatusCode != 200 || !strings.Contains(string(data), `"rule": "loopback"`) {
		t.Errorf("POST %s: %d, want 200 with a loopback refusal:\n%s", path, resp.StatusCode, data)
	}
	return 1
}

func schemaErrors[T any](errs []T) string {
	if len(errs) == 0 {
		return ""
	}
	return fmt.Sprintf("%+v", errs)
}
