package main

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/teapothq/teapot/internal/app/apptest"
)

// addresses are the attributes that hold an address in a page: the
// export changes only their values.
var addresses = regexp.MustCompile(`\s(?:href|src|action|formaction|data-json)="[^"]*"`)

// notePath is the server address a note of the export stands for.
var notePath = regexp.MustCompile(`needs a running teapot server[^<]*</p>\s*<p>Run <code>teapot serve</code> and open <code>([^<]+)</code>`)

// exportMatchesServer checks the export in dir, made with base and
// public, against the server on the same settings: every file is what
// the server sends for its address (a page, with only its links
// changed), a note stands for a page the server has, and every .gz and
// .br decodes to its file.
func exportMatchesServer(t *testing.T, dir, base, public string) {
	cfg := apptest.Config()
	cfg.BasePath, cfg.PublicURL, cfg.Version = base, public, buildVersion() // the footer shows the version
	srv := apptest.Serve(t, cfg)
	checked, notes := 0, 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		name := filepath.ToSlash(strings.TrimPrefix(path, dir+string(filepath.Separator)))
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		switch filepath.Ext(name) {
		case ".gz", ".br":
			return decodesTo(t, name, data, strings.TrimSuffix(path, filepath.Ext(path)))
		}
		if name == "not-found.html" || name == "robots.txt" || name == "sitemap.xml" {
			return nil
		}
		url, accept := "/"+strings.TrimSuffix(strings.TrimSuffix(name, ".html"), "/index"), "text/html"
		switch {
		case name == "index.html":
			url = "/"
		case name == "api/codes.json":
			url = "/api/codes"
		case strings.HasPrefix(name, "assets/"):
			accept = "*/*"
		}
		if m := notePath.FindSubmatch(data); m != nil {
			if got := apptest.Fetch(t, "GET", srv+string(m[1]), map[string]string{"Accept": "text/html"}); got.Status != 200 {
				t.Errorf("%s: a note for %s, which the server answers with %d", name, m[1], got.Status)
			}
			notes++
			return nil
		}
		got := apptest.Fetch(t, "GET", srv+base+url, map[string]string{"Accept": accept})
		want := []byte(got.Body)
		if strings.HasSuffix(name, ".html") {
			data, want = addresses.ReplaceAll(data, nil), addresses.ReplaceAll(want, nil)
		}
		if got.Status != 200 || !bytes.Equal(data, want) {
			t.Errorf("%s: the server's %s (status %d) differs from the exported file", name, base+url, got.Status)
		}
		checked++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 3*95 || notes < 95 {
		t.Errorf("checked %d files and %d notes, want HTML, JSON and text and a try note for every code", checked, notes)
	}
	if sm, _ := os.ReadFile(filepath.Join(dir, "sitemap.xml")); !bytes.Contains(sm, []byte("<loc>"+public+base+"/409</loc>")) {
		t.Errorf("sitemap lacks the absolute URL of /409")
	}
}

// decodesTo checks that data, the .gz or .br file name, decodes to the
// file at path.
func decodesTo(t *testing.T, name string, data []byte, path string) error {
	want, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var r io.Reader = brotli.NewReader(bytes.NewReader(data))
	if strings.HasSuffix(name, ".gz") {
		if r, err = gzip.NewReader(bytes.NewReader(data)); err != nil {
			return err
		}
	}
	if got, err := io.ReadAll(r); err != nil || !bytes.Equal(got, want) {
		t.Errorf("%s does not decode to its file (%v)", name, err)
	}
	return nil
}

func TestExportFlags(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"live URL not absolute", []string{"--live-url", "teapot.example", "DIR"}, `--live-url "teapot.example" must be the address of a running teapot`},
		{"live URL with a query", []string{"--live-url", "https://teapot.example/?a=1", "DIR"}, "--live-url"},
		{"live URL not http", []string{"--live-url", "ftp://teapot.example", "DIR"}, "--live-url"},
		{"flags after the folder", []string{"DIR", "--live-url", "https://teapot.example"}, "export needs one folder"},
		{"bad base path", []string{"--base-path", "teapot", "DIR"}, "--base-path"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := runCLI(t, append([]string{"export"}, tc.args...)...)
			var usage usageError
			if !errors.As(err, &usage) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want a usage error (exit 2) with %q", err, tc.want)
			}
		})
	}
}
