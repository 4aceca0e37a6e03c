package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// allTargets is what a release holds when -targets is not given.
const allTargets = "linux/amd64,linux/arm64,darwin/amd64,darwin/arm64,windows/amd64,windows/arm64"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout)
	stop()
	if err == nil {
		return
	}
	fmt.Fprintln(os.Stderr, "release:", err)
	var u usageError
	if errors.As(err, &u) {
		os.Exit(2)
	}
	os.Exit(1)
}

// usageError is a mistake in the command line: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// run reads the flags, fills in what git knows, and makes the release.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("release", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	out := fs.String("out", "dist/release", "folder for the archives and SHA256SUMS")
	src := fs.String("src", ".", "the module's folder")
	pkg := fs.String("pkg", "./cmd/teapot", "the main package, inside -src")
	name := fs.String("name", "teapot", "the binary's and the archives' name")
	version := fs.String("version", "", "version stamped into main.version and the archive names (default: git describe)")
	epoch := fs.String("epoch", getenv("SOURCE_DATE_EPOCH"), "Unix time of every archive entry (default: $SOURCE_DATE_EPOCH, else the last commit's time)")
	targets := fs.String("targets", allTargets, "GOOS/GOARCH pairs, separated by commas")
	files := fs.String("files", "README.md", "files from -src packed beside the binary, separated by commas")
	if err := fs.Parse(args); err != nil {
		return usagef("%v", err)
	}
	if fs.NArg() > 0 {
		return usagef("release takes flags only, not %q", fs.Arg(0))
	}
	r := release{Src: *src, Pkg: *pkg, Name: *name, Out: *out, Go: "go"}
	var err error
	if r.Targets, err = parseTargets(*targets); err != nil {
		return usageError{err.Error()}
	}
	if *files != "" {
		r.Files = strings.Split(*files, ",")
	}
	if r.Version = *version; r.Version == "" {
		r.Version = gitVersion(ctx, *src)
	}
	if !versionRE.MatchString(r.Version) {
		return usagef("-version %q: only letters, digits and . _ + - may be used (it names files)", r.Version)
	}
	if r.Epoch, err = parseEpoch(ctx, *epoch, *src); err != nil {
		return err
	}
	if b, err := exec.CommandContext(ctx, "git", "-C", *src, "rev-parse", "HEAD").Output(); err == nil {
		r.Revision = strings.TrimSpace(string(b))
	}
	return r.make(ctx, stdout)
}

var versionRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+-]*$`)

// parseEpoch reads a Unix time in seconds, or asks git for the last
// commit's when s is empty.
func parseEpoch(ctx context.Context, s, src string) (time.Time, error) {
	if s == "" {
		b, err := exec.CommandContext(ctx, "git", "-C", src, "log", "-1", "--format=%ct").Output()
		if err != nil {
			return time.Time{}, usagef("no -epoch or SOURCE_DATE_EPOCH, and git log failed: %v", err)
		}
		s = strings.TrimSpace(string(b))
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return time.Time{}, usagef("-epoch %q: want seconds since 1970", s)
	}
	return time.Unix(n, 0).UTC(), nil
}

// gitVersion names the source: the nearest tag (or the commit), and
// -dirty when tracked files differ from it. It only reads: no index
// refresh (--no-optional-locks), so it never races a commit being made.
func gitVersion(ctx context.Context, src string) string {
	b, err := exec.CommandContext(ctx, "git", "-C", src, "describe", "--tags", "--always").Output()
	if err != nil {
		return "dev"
	}
	v := strings.TrimSpace(string(b))
	st, err := exec.CommandContext(ctx, "git", "--no-optional-locks", "-C", src, "status", "--porcelain", "--untracked-files=no").Output()
	if err == nil && len(strings.TrimSpace(string(st))) > 0 {
		v += "-dirty"
	}
	return v
}
