// Command testreport reads "go test -json" and prints what plain
// "go test" prints (a line a package, and the output of failed tests),
// then every skipped test with the reason it gave, so that a suite that
// did not run is never silent. With -v it prints everything, as
// "go test -v" does. It exits 1 when a test or a build failed.
//
//	go test -json ./... | go run ./tools/testreport
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// event is one line of go test -json (cmd/test2json).
type event struct {
	Action     string
	Package    string
	ImportPath string // of build-output and build-fail
	Test       string
	Output     string
}

// skip is a skipped test and why.
type skip struct {
	pkg, test string
	reason    []string
}

func main() {
	verbose := flag.Bool("v", false, "print every line, as go test -v does")
	flag.Parse()
	failed, err := report(os.Stdin, os.Stdout, *verbose)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testreport:", err)
		os.Exit(1)
	}
	if failed {
		os.Exit(1)
	}
}

// report copies in to out as described above, and says whether anything
// failed.
func report(in io.Reader, out io.Writer, verbose bool) (failed bool, err error) {
	outputs := map[[2]string][]string{} // the lines of a running test, by package and name
	var skips []skip
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil {
			fmt.Fprintf(out, "%s\n", line) // not an event: go's own messages
			continue
		}
		key := [2]string{e.Package, e.Test}
		switch e.Action {
		case "build-output":
			fmt.Fprint(out, e.Output)
		case "build-fail":
			failed = true
		case "output":
			if verbose {
				fmt.Fprint(out, e.Output)
			} else if e.Test != "" {
				outputs[key] = append(outputs[key], e.Output)
			} else if e.Output != "PASS\n" {
				fmt.Fprint(out, e.Output)
			}
		case "fail":
			failed = true
			if !verbose {
				for _, l := range outputs[key] {
					if !strings.HasPrefix(l, "=== ") {
						fmt.Fprint(out, l)
					}
				}
			}
			delete(outputs, key)
		case "skip":
			if e.Test != "" {
				skips = append(skips, skip{e.Package, e.Test, reason(outputs[key])})
			}
			delete(outputs, key)
		case "pass":
			delete(outputs, key)
		}
	}
	if err := sc.Err(); err != nil {
		return true, err
	}
	printSkips(out, skips)
	return failed, nil
}

// reason is what a skipped test logged: its t.Skip message, without the
// lines go test adds around it.
func reason(lines []string) []string {
	var out []string
	for _, l := range lines {
		l = strings.TrimRight(l, "\n")
		if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "=== ") && !strings.HasPrefix(t, "--- SKIP") {
			out = append(out, t)
		}
	}
	return out
}

// printSkips lists the skipped tests, at most 40 of them, each with its
// reason; a test that only skipped because its subtests did is left out.
func printSkips(out io.Writer, skips []skip) {
	skips = slices.DeleteFunc(skips, func(s skip) bool {
		return len(s.reason) == 0 && slices.ContainsFunc(skips, func(sub skip) bool {
			return sub.pkg == s.pkg && strings.HasPrefix(sub.test, s.test+"/")
		})
	})
	if len(skips) == 0 {
		return
	}
	fmt.Fprintf(out, "\nSKIPPED: %d tests did not run\n", len(skips))
	for i, s := range skips {
		if i == 40 {
			fmt.Fprintf(out, "  ... and %d more (make test GOTESTFLAGS=-v shows every one)\n", len(skips)-i)
			break
		}
		why := "(no reason given)"
		if len(s.reason) > 0 {
			why = strings.Join(s.reason, " / ")
		}
		fmt.Fprintf(out, "  --- SKIP %s %s: %s\n", s.test, s.pkg, why)
	}
}
