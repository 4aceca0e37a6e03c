package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// target is one platform of the release.
type target struct{ OS, Arch string }

func (t target) String() string { return t.OS + "/" + t.Arch }

// exe is the binary's file name on the target.
func (t target) exe(name string) string {
	if t.OS == "windows" {
		return name + ".exe"
	}
	return name
}

// parseTargets reads "linux/amd64,windows/arm64": known systems only, no
// pair twice.
func parseTargets(s string) ([]target, error) {
	var ts []target
	for p := range strings.SplitSeq(s, ",") {
		goos, goarch, ok := strings.Cut(strings.TrimSpace(p), "/")
		t := target{goos, goarch}
		switch {
		case !ok || goos == "" || goarch == "":
			return nil, fmt.Errorf("-targets: %q is not GOOS/GOARCH", p)
		case goos != "linux" && goos != "darwin" && goos != "windows":
			return nil, fmt.Errorf("-targets: %q: releases are for linux, darwin and windows", p)
		case slices.Contains(ts, t):
			return nil, fmt.Errorf("-targets: %s given twice", t)
		}
		ts = append(ts, t)
	}
	return ts, nil
}

// release is one run: every target built and packed into Out.
type release struct {
	Src, Pkg, Name string
	Files          []string // from Src, packed beside the binary
	Version        string
	Revision       string // the commit, stamped into main.revision ("" when git knows none)
	Epoch          time.Time
	Targets        []target
	Out            string
	Go             string // the go command
}

// make builds and packs every target, then writes SHA256SUMS.
func (r release) make(ctx context.Context, stdout io.Writer) error {
	if err := os.MkdirAll(r.Out, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "release-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	var archives []string
	for _, t := range r.Targets {
		start := time.Now()
		bin := filepath.Join(tmp, t.OS+"-"+t.Arch, t.exe(r.Name))
		if err := r.build(ctx, t, bin); err != nil {
			return err
		}
		name, err := r.pack(t, bin)
		if err != nil {
			return err
		}
		fi, err := os.Stat(filepath.Join(r.Out, name))
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%-40s %6.1f MB  %s\n", name, float64(fi.Size())/1e6, time.Since(start).Round(100*time.Millisecond))
		archives = append(archives, name)
	}
	return writeSums(r.Out, archives)
}

// build compiles one target. The flags are the whole of what decides the
// bytes besides the source and the toolchain: no cgo, no paths of this
// machine, no VCS stamp (the version says which commit), and the
// architecture's baseline level so that a GOAMD64 in the environment
// cannot change a release.
func (r release) build(ctx context.Context, t target, bin string) error {
	ldflags := "-s -w -X main.version=" + r.Version
	if r.Revision != "" {
		ldflags += " -X main.revision=" + r.Revision + " -X main.committed=" + r.Epoch.UTC().Format(time.RFC3339)
	}
	cmd := exec.CommandContext(ctx, r.Go, "build", "-trimpath", "-buildvcs=false",
		"-ldflags", ldflags, "-o", bin, r.Pkg)
	cmd.Dir = r.Src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+t.OS, "GOARCH="+t.Arch,
		"GOAMD64=v1", "GOARM64=v8.0", "GOFLAGS=")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build for %s: %w", t, err)
	}
	return nil
}

// pack writes the target's archive into Out and returns its name: a
// folder named like the archive, holding the binary and Files.
func (r release) pack(t target, bin string) (string, error) {
	base := fmt.Sprintf("%s_%s_%s_%s", r.Name, r.Version, t.OS, t.Arch)
	entries := []entry{{Name: t.exe(r.Name), Path: bin, Mode: 0o755}}
	for _, f := range r.Files {
		entries = append(entries, entry{Name: filepath.Base(f), Path: filepath.Join(r.Src, f), Mode: 0o644})
	}
	name := base + ".tar.gz"
	write := writeTarGz
	if t.OS == "windows" {
		name, write = base+".zip", writeZip
	}
	if err := writeFile(filepath.Join(r.Out, name), func(w io.Writer) error {
		return write(w, base, entries, r.Epoch)
	}); err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	return name, nil
}

// writeFile writes a file through a temporary name, so that a failed run
// never leaves half an archive under the real one.
func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
