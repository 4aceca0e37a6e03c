package catalog

import (
	"bufio"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
)

// IANARow is one row of the IANA HTTP Status Code Registry.
type IANARow struct {
	Code         int
	Name         string
	Reference    string // "RFC 9110, Section 15.5.10"
	Registration Status
}

// UnofficialRow is one row of the table of common unofficial codes.
type UnofficialRow struct {
	Code   int
	Name   string
	Origin string
}

// Rule is what the specifications say about one registered code: whether a
// cache may store it heuristically, and what they require of its header
// fields and content.
type Rule struct {
	Code                  int
	HeuristicallyCachable bool
	Headers               string
	Content               string
	Source                string
}

// Registry holds the fact tables pages are checked against.
type Registry struct {
	IANA       map[int]IANARow
	Unofficial map[int]UnofficialRow
	Rules      map[int]Rule
}

// Registry table files, relative to the catalog root.
const (
	ianaFile       = "data/iana-status-codes.tsv"
	unofficialFile = "data/unofficial-status-codes.tsv"
	rulesFile      = "data/status-code-rules.tsv"
)

// LoadRegistry reads the three fact tables from fsys.
func LoadRegistry(fsys fs.FS) (*Registry, error) {
	reg := &Registry{
		IANA:       map[int]IANARow{},
		Unofficial: map[int]UnofficialRow{},
		Rules:      map[int]Rule{},
	}
	err := readTSV(fsys, ianaFile, 4, func(line int, f []string) error {
		code, err := parseCode(f[0])
		if err != nil {
			return err
		}
		st := Status(f[3])
		if !st.registered() {
			return fmt.Errorf("unknown registration %q", f[3])
		}
		reg.IANA[code] = IANARow{Code: code, Name: f[1], Reference: f[2], Registration: st}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = readTSV(fsys, unofficialFile, 3, func(line int, f []string) error {
		code, err := parseCode(f[0])
		if err != nil {
			return err
		}
		if _, dup := reg.IANA[code]; dup {
			return fmt.Errorf("code %d is registered with IANA", code)
		}
		reg.Unofficial[code] = UnofficialRow{Code: code, Name: f[1], Origin: f[2]}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = readTSV(fsys, rulesFile, 5, func(line int, f []string) error {
		code, err := parseCode(f[0])
		if err != nil {
			return err
		}
		if f[1] != "yes" && f[1] != "no" {
			return fmt.Errorf("heuristically_cacheable must be yes or no, not %q", f[1])
		}
		reg.Rules[code] = Rule{Code: code, HeuristicallyCachable: f[1] == "yes",
			Headers: f[2], Content: f[3], Source: f[4]}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return reg, nil
}

// readTSV calls row for every line after the header, with at least n
// tab-separated fields (missing trailing fields are empty).
func readTSV(fsys fs.FS, name string, n int, row func(line int, fields []string) error) error {
	f, err := fsys.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		if line == 1 || strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		fields := strings.Split(sc.Text(), "\t")
		if len(fields) > n {
			return &Error{File: name, Line: line, Msg: fmt.Sprintf("%d fields, want %d", len(fields), n)}
		}
		for len(fields) < n {
			fields = append(fields, "")
		}
		if err := row(line, fields); err != nil {
			return &Error{File: name, Line: line, Msg: err.Error()}
		}
	}
	return sc.Err()
}

// parseCode accepts exactly three digits from 100 to 599.
func parseCode(s string) (int, error) {
	code, ok := ParseCode(s)
	if !ok {
		return 0, fmt.Errorf("%q is not a status code (three digits, 100 to 599)", s)
	}
	return code, nil
}

// ParseCode reports whether s is exactly three ASCII digits from 100 to 599,
// and returns the code.
func ParseCode(s string) (int, bool) {
	if len(s) != 3 {
		return 0, false
	}
	for i := 0; i < 3; i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	code, _ := strconv.Atoi(s)
	return code, code >= 100 && code <= 599
}

// SpecURL is the rfc-editor.org address of a registry reference such as
// "RFC 9110, Section 15.5.10" or "RFC 8297", or the IETF datatracker page of
// an Internet-Draft. It returns "" for a reference it does not understand.
func SpecURL(reference string) string {
	if strings.HasPrefix(reference, "draft-") {
		return "https://datatracker.ietf.org/doc/" + reference + "/"
	}
	doc, section, _ := strings.Cut(reference, ", Section ")
	num, ok := strings.CutPrefix(doc, "RFC ")
	if !ok || num == "" || strings.Trim(num, "0123456789") != "" {
		return ""
	}
	url := "https://www.rfc-editor.org/rfc/rfc" + num + ".html"
	if section != "" {
		url += "#section-" + section
	}
	return url
}
