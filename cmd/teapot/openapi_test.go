package main

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
)

// TestOpenAPI validates the served OpenAPI document against the OpenAPI
// 3.1 schema, then calls every documented operation on the server, with
// the examples the document gives for its parameters, and validates each
// response against the document.
func TestOpenAPI(t *testing.T) {
	t.Parallel()
	base := newTestServer(t)
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
	if ok, verrs := v.ValidateDocument(); !ok {
		for _, e := range verrs {
			t.Errorf("invalid document: %s: %s", e.Message, e.Reason)
		}
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		t.Fatalf("model: %v", err)
	}
	calls := 0
	for path, item := range model.Model.Paths.PathItems.FromOldest() {
		op := item.Get
		if op == nil {
			t.Errorf("%s: only GET operations are expected", path)
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

func schemaErrors[T any](errs []T) string {
	if len(errs) == 0 {
		return ""
	}
	return fmt.Sprintf("%+v", errs)
}
