package app

import (
	"strings"
	"testing"

	"github.com/teapothq/teapot/internal/site"
	"github.com/teapothq/teapot/internal/web"
)

func TestExportOptionsValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, want string // want "" for an error
	}{
		{"", ""},
		{"https://teapot.example", "https://teapot.example"},
		{"https://teapot.example/", "https://teapot.example"},
		{"http://example.org/teapot/", "http://example.org/teapot"},
		{"teapot.example", ""},
		{"/teapot", ""},
		{"ftp://teapot.example", ""},
		{"javascript:alert(1)", ""},
		{"https://user:secret@teapot.example", ""},
		{"https://teapot.example/?a=1", ""},
		{"https://teapot.example/#top", ""},
	} {
		o := ExportOptions{LiveURL: tc.in}
		err := o.Validate()
		switch {
		case tc.in == "" && (err != nil || o.LiveURL != ""):
			t.Errorf("no live URL: %v %q", err, o.LiveURL)
		case tc.in != "" && tc.want == "" && (err == nil || !strings.Contains(err.Error(), "--live-url")):
			t.Errorf("%q: got %v, want an error naming --live-url", tc.in, err)
		case tc.want != "" && (err != nil || o.LiveURL != tc.want):
			t.Errorf("%q: got %q, %v; want %q", tc.in, o.LiveURL, err, tc.want)
		}
	}
}

// Every page that needs a server has a note, and the export of the real
// site links nothing it lacks (Files fails on such a link).
func TestExportServerPages(t *testing.T) {
	t.Parallel()
	cfg := Config{}
	p, err := cfg.pages()
	if err != nil {
		t.Fatal(err)
	}
	server := serverPages(p.cat)
	for _, live := range []string{"", "https://teapot.example"} {
		files, err := p.site.Files(site.ExportOptions{More: map[string]*web.Doc{"/openapi.json": p.openapi}, Server: server, LiveURL: live})
		if err != nil {
			t.Fatalf("live URL %q: %v", live, err)
		}
		names := map[string]bool{}
		for _, f := range files {
			names[f.Name] = true
		}
		for _, want := range []string{"search.html", "status.html", "check.html", "ip.html", "lab.html", "409-try.html", "openapi.json", "404.html", "not-found.html"} {
			if !names[want] {
				t.Errorf("live URL %q: no %s", live, want)
			}
		}
	}
}
