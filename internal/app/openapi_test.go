package app

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/teapothq/teapot/internal/site"
)

// TestAssembleOpenAPI checks that the features' fragments make one
// document with every path and component, indented as they are, with the
// base path as its server.
func TestAssembleOpenAPI(t *testing.T) {
	t.Parallel()
	doc, err := openAPI("/teapot")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Servers    []struct{ URL string }
		Paths      map[string]any
		Components map[string]map[string]any
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Servers) != 1 || d.Servers[0].URL != "/teapot" {
		t.Errorf("servers %+v, want /teapot", d.Servers)
	}
	for _, p := range []string{"/api/codes/{code}", "/status/{codes}", "/api/check", "/ip/{address}", "/healthz", "/lab/articles/{id}"} {
		if d.Paths[p] == nil {
			t.Errorf("no path %s", p)
		}
	}
	for _, s := range []string{"Code", "CheckResult", "IPInfo", "Problem", "Article"} {
		if d.Components["schemas"][s] == nil {
			t.Errorf("no schema %s", s)
		}
	}
	var again bytes.Buffer
	json.Indent(&again, doc, "", "  ")
	if !bytes.Equal(bytes.TrimSpace(again.Bytes()), bytes.TrimSpace(doc)) {
		t.Error("the document is not indented with two spaces")
	}
	if _, err := assembleOpenAPI("", site.OpenAPI, site.OpenAPI); err == nil {
		t.Error("a path defined twice was not refused")
	}
}
