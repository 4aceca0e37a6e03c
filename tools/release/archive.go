package main

import (
	"archive/tar"
	"archive/zip"
	"compress/flate"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// entry is a file to pack: its name in the archive, where it is on disk,
// and the mode it gets in the archive, whatever its mode on disk.
type entry struct {
	Name, Path string
	Mode       int64
}

// sorted returns the entries by name: the order on the command line
// must not change the bytes either.
func sorted(entries []entry) []entry {
	s := slices.Clone(entries)
	slices.SortFunc(s, func(a, b entry) int { return strings.Compare(a.Name, b.Name) })
	return s
}

// writeTarGz packs entries under dir/ as a gzipped tar. Every header is
// built from the entry and mtime alone: owner 0 with no names, the
// given mode, USTAR (no PAX records for access or change times); the gzip
// header has no file name and no time.
func writeTarGz(w io.Writer, dir string, entries []entry, mtime time.Time) error {
	gz, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(gz)
	hdr := &tar.Header{Typeflag: tar.TypeDir, Name: dir + "/", Mode: 0o755, ModTime: mtime, Format: tar.FormatUSTAR}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	for _, e := range sorted(entries) {
		f, err := os.Open(e.Path)
		if err != nil {
			return err
		}
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			return err
		}
		hdr := &tar.Header{Typeflag: tar.TypeReg, Name: dir + "/" + e.Name, Mode: e.Mode,
			Size: fi.Size(), ModTime: mtime, Format: tar.FormatUSTAR}
		err = tw.WriteHeader(hdr)
		if err == nil {
			_, err = io.Copy(tw, f)
		}
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", e.Name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

// writeZip packs entries under dir/ as a zip: every entry dated mtime in
// UTC (both the DOS fields and the extended timestamp), with a Unix mode,
// deflated at the best level.
func writeZip(w io.Writer, dir string, entries []entry, mtime time.Time) error {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestCompression)
	})
	dh := &zip.FileHeader{Name: dir + "/", Method: zip.Store, Modified: mtime.UTC()}
	dh.SetMode(os.ModeDir | 0o755)
	if _, err := zw.CreateHeader(dh); err != nil {
		return err
	}
	for _, e := range sorted(entries) {
		fh := &zip.FileHeader{Name: dir + "/" + e.Name, Method: zip.Deflate, Modified: mtime.UTC()}
		fh.SetMode(os.FileMode(e.Mode))
		zf, err := zw.CreateHeader(fh)
		if err != nil {
			return err
		}
		f, err := os.Open(e.Path)
		if err != nil {
			return err
		}
		_, err = io.Copy(zf, f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", e.Name, err)
		}
	}
	return zw.Close()
}

// writeSums writes SHA256SUMS in dir for the named files, sorted, in
// the form sha256sum prints and checks ("HASH  NAME").
func writeSums(dir string, names []string) error {
	var b strings.Builder
	for _, name := range slices.Sorted(slices.Values(names)) {
		sum, err := fileSHA256(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s  %s\n", sum, name)
	}
	return writeFile(filepath.Join(dir, "SHA256SUMS"), func(w io.Writer) error {
		_, err := io.WriteString(w, b.String())
		return err
	})
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
