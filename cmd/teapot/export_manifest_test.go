package main

import (
	"bytes"
	"crypto/sha256"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateManifest = flag.Bool("update-export-manifest", false, "rewrite testdata/export.sha256 from the current export")

// TestExportManifest keeps "teapot export" byte-identical: the SHA-256 of
// every exported file, default flags and with a base path and public URL,
// must equal the committed manifest. Regenerate it only on purpose:
//
//	go test ./cmd/teapot -run TestExportManifest -update-export-manifest
//
// The second export is also compared with the server (exporting is slow
// under -race: this test exports only twice).
func TestExportManifest(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	for i, args := range [][]string{nil, {"--base-path", "/teapot", "--public-url", "https://teapot.example"}} {
		dir := t.TempDir()
		if _, err := runCLI(t, append(append([]string{"export"}, args...), dir)...); err != nil {
			t.Fatalf("export %v: %v", args, err)
		}
		if i == 1 {
			t.Run("matches the server", func(t *testing.T) { exportMatchesServer(t, dir, "/teapot", "https://teapot.example") })
		}
		fmt.Fprintf(&b, "# teapot export %s DIR\n", strings.Join(args, " "))
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(dir, path)
			fmt.Fprintf(&b, "%x  %s\n", sha256.Sum256(data), filepath.ToSlash(rel))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	const manifest = "testdata/export.sha256"
	if *updateManifest {
		if err := os.WriteFile(manifest, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Bytes(); !bytes.Equal(got, want) {
		wantLines := map[string]bool{}
		for _, l := range strings.Split(string(want), "\n") {
			wantLines[l] = true
		}
		n := 0
		for _, l := range strings.Split(string(got), "\n") {
			if !wantLines[l] && n < 20 {
				t.Errorf("not in the manifest: %s", l)
				n++
			}
		}
		t.Fatalf("the export differs from %s (%d files); if on purpose, rerun with -update-export-manifest", manifest, strings.Count(string(got), "\n"))
	}
}
