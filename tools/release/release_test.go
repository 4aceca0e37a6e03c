package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

var testEpoch = time.Unix(1700000000, 0).UTC()

// writeFixture writes a binary and a README into a new folder, with the
// given mode and time on disk, and returns their entries.
func writeFixture(t *testing.T, mode os.FileMode, mtime time.Time) []entry {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{"teapot": "\x7fELF not really", "README.md": "# teapot\n"}
	var es []entry
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
		m := int64(0o644)
		if name == "teapot" {
			m = 0o755
		}
		es = append(es, entry{Name: name, Path: p, Mode: m})
	}
	return es
}

// Two folders whose files differ in mode, time and listing order on disk
// pack into the same bytes, for both formats.
func TestArchivesIgnoreTheDisk(t *testing.T) {
	t.Parallel()
	formats := []struct {
		name  string
		write func(io.Writer, string, []entry, time.Time) error
	}{
		{"tar.gz", writeTarGz},
		{"zip", writeZip},
	}
	a := writeFixture(t, 0o600, time.Now())
	b := writeFixture(t, 0o777, time.Date(2001, 2, 3, 4, 5, 6, 7, time.Local))
	b[0], b[1] = b[1], b[0]
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			var x, y bytes.Buffer
			if err := f.write(&x, "teapot_v1_linux_amd64", a, testEpoch); err != nil {
				t.Fatal(err)
			}
			if err := f.write(&y, "teapot_v1_linux_amd64", b, testEpoch); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(x.Bytes(), y.Bytes()) {
				t.Errorf("%s: %d and %d bytes differ; want the same bytes from files that differ only on disk", f.name, x.Len(), y.Len())
			}
		})
	}
}

// The tar.gz holds the folder, then the files by name, each owned by 0
// with no user name, dated the epoch, with the mode asked for; the gzip
// header names no file and no time.
func TestTarGzHeaders(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := writeTarGz(&buf, "d", writeFixture(t, 0o600, time.Now()), testEpoch); err != nil {
		t.Fatal(err)
	}
	gz, err := gzip.NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if gz.Name != "" || !gz.ModTime.IsZero() {
		t.Errorf("gzip header: name %q, time %v; want neither", gz.Name, gz.ModTime)
	}
	tr := tar.NewReader(gz)
	want := []struct {
		name string
		mode int64
	}{{"d/", 0o755}, {"d/README.md", 0o644}, {"d/teapot", 0o755}}
	for _, w := range want {
		h, err := tr.Next()
		if err != nil {
			t.Fatalf("entry %s: %v", w.name, err)
		}
		if h.Name != w.name || h.Mode != w.mode {
			t.Errorf("entry %s mode %o; want %s mode %o", h.Name, h.Mode, w.name, w.mode)
		}
		if h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" {
			t.Errorf("%s: owner %d:%d (%q:%q); want 0:0 without names", h.Name, h.Uid, h.Gid, h.Uname, h.Gname)
		}
		if !h.ModTime.Equal(testEpoch) || len(h.PAXRecords) > 0 {
			t.Errorf("%s: time %v, PAX records %v; want %v and none", h.Name, h.ModTime, h.PAXRecords, testEpoch)
		}
	}
	if _, err := tr.Next(); err != io.EOF {
		t.Errorf("after the files: %v; want the end of the archive", err)
	}
}

// The zip's entries are dated the epoch and keep the Unix mode asked for.
func TestZipHeaders(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := writeZip(&buf, "d", writeFixture(t, 0o600, time.Now()), testEpoch); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]os.FileMode{"d/": os.ModeDir | 0o755, "d/README.md": 0o644, "d/teapot": 0o755}
	if len(zr.File) != len(want) {
		t.Errorf("%d entries; want %d", len(zr.File), len(want))
	}
	for _, f := range zr.File {
		if m, ok := want[f.Name]; !ok || f.Mode() != m {
			t.Errorf("%s: mode %v; want %v", f.Name, f.Mode(), m)
		}
		if !f.Modified.Equal(testEpoch) {
			t.Errorf("%s: modified %v; want %v", f.Name, f.Modified, testEpoch)
		}
	}
}

func TestParseTargets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"linux/amd64", "linux/amd64", true},
		{allTargets, allTargets, true},
		{" linux/arm64 , windows/amd64", "linux/arm64,windows/amd64", true},
		{"linux", "", false},
		{"linux/", "", false},
		{"plan9/amd64", "", false},
		{"linux/amd64,linux/amd64", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			ts, err := parseTargets(tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("parseTargets(%q) error %v; want ok %v", tt.in, err, tt.ok)
			}
			var got []string
			for _, x := range ts {
				got = append(got, x.String())
			}
			if strings.Join(got, ",") != tt.want {
				t.Errorf("parseTargets(%q) = %v; want %s", tt.in, got, tt.want)
			}
		})
	}
}

// copyHello copies testdata/hello into a new folder.
func copyHello(t *testing.T) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "src")
	if err := os.CopyFS(dst, os.DirFS("testdata/hello")); err != nil {
		t.Fatal(err)
	}
	return dst
}

// The whole tool, go build included, twice: from two copies of a small
// module in different folders, into two folders. Every archive and
// SHA256SUMS must be the same bytes, and the version must be stamped.
// (make release-check does the same for teapot itself, with an empty
// build cache the second time.)
func TestReleaseTwiceSameBytes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds with go build; not in -short")
	}
	t.Parallel()
	targets := []target{{runtime.GOOS, runtime.GOARCH}}
	if runtime.GOOS != "windows" {
		targets = append(targets, target{"windows", runtime.GOARCH})
	}
	var outs []string
	for range 2 {
		src := copyHello(t)
		r := release{Src: src, Pkg: ".", Name: "hello", Files: []string{"README.md"},
			Version: "v1.2.3", Epoch: testEpoch, Targets: targets,
			Out: filepath.Join(t.TempDir(), "out"), Go: "go"}
		if err := r.make(context.Background(), io.Discard); err != nil {
			t.Fatal(err)
		}
		outs = append(outs, r.Out)
	}
	names := []string{"SHA256SUMS"}
	for _, tg := range targets {
		ext := ".tar.gz"
		if tg.OS == "windows" {
			ext = ".zip"
		}
		names = append(names, "hello_v1.2.3_"+tg.OS+"_"+tg.Arch+ext)
	}
	for _, name := range names {
		a, err := os.ReadFile(filepath.Join(outs[0], name))
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(outs[1], name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between the two builds (%d and %d bytes)", name, len(a), len(b))
		}
	}
	sums, err := os.ReadFile(filepath.Join(outs[0], "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(strings.TrimSuffix(string(sums), "\n"), "\n") {
		sum, name, _ := strings.Cut(line, "  ")
		if name != names[i+1] {
			t.Errorf("SHA256SUMS line %d names %q; want %q (sorted, one an archive)", i+1, name, names[i+1])
			continue
		}
		if got, err := fileSHA256(filepath.Join(outs[0], name)); err != nil || got != sum {
			t.Errorf("SHA256SUMS gives %s for %s; the file's is %s (%v)", sum, name, got, err)
		}
	}
	if got := runHello(t, filepath.Join(outs[0], names[1])); got != "hello v1.2.3\n" {
		t.Errorf("the packed binary printed %q; want %q (the version from -ldflags)", got, "hello v1.2.3\n")
	}
}

// runHello unpacks the host's binary from its archive and runs it.
func runHello(t *testing.T, archive string) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("unpacking the zip to run it is not done here")
	}
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	bin := filepath.Join(t.TempDir(), "hello")
	for {
		h, err := tr.Next()
		if err != nil {
			t.Fatalf("no hello binary in %s: %v", archive, err)
		}
		if filepath.Base(h.Name) != "hello" {
			continue
		}
		out, err := os.OpenFile(bin, os.O_CREATE|os.O_WRONLY, 0o755)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(out, tr); err != nil {
			t.Fatal(err)
		}
		out.Close()
		break
	}
	got, err := exec.Command(bin).Output()
	if err != nil {
		t.Fatalf("%s: %v", bin, err)
	}
	return string(got)
}
