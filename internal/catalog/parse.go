package catalog

import (
	"fmt"
	"strings"
)

// Error is a problem in one content file, at one line (0 when the problem
// concerns the whole file).
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return e.File + ": " + e.Msg
}

// problems collects the errors found in one file.
type problems struct {
	file string
	errs []error
}

func (p *problems) add(line int, format string, args ...any) {
	p.errs = append(p.errs, &Error{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// maxFileSize bounds a content file; pages are a few kilobytes.
const maxFileSize = 256 << 10

// Parse reads one page: front matter and sections. It checks the syntax and
// the fixed structure; agreement with the registry is checked by Load.
func Parse(file string, src []byte) (*Entry, error) {
	p := &problems{file: file}
	e := &Entry{File: file}
	lines, seen, body, err := readPage(p, src, func(key, val string) error { return setField(e, key, val) })
	if err != nil {
		return nil, err
	}
	for _, key := range []string{"code", "name", "class", "status", "cacheable", "retry", "summary"} {
		if !seen[key] {
			p.add(body, "front matter has no %s", key)
		}
	}
	e.Sections = checkOrder(p, e, splitSections(p, lines, body))
	for _, s := range e.Sections {
		checkSection(p, e, s)
	}
	if len(p.errs) > 0 {
		return nil, joinErrors(p.errs)
	}
	return e, nil
}

// readPage checks a page's size, splits it into lines and hands each
// front matter field to set. It returns the lines, the keys seen and the
// first body line; err is set only when there is no page to speak of.
func readPage(p *problems, src []byte, set func(key, val string) error) (lines []string, seen map[string]bool, body int, err error) {
	if len(src) > maxFileSize {
		p.add(0, "file is %d bytes, more than the %d allowed", len(src), maxFileSize)
		return nil, nil, 0, p.errs[0]
	}
	lines = strings.Split(strings.ReplaceAll(string(src), "\r\n", "\n"), "\n")
	fields, body := frontMatter(p, lines)
	if body < 0 {
		return nil, nil, 0, joinErrors(p.errs)
	}
	seen = map[string]bool{}
	for _, f := range fields {
		seen[f.key] = true
		if err := set(f.key, strings.Clone(f.val)); err != nil {
			p.add(f.line, "%s: %v", f.key, err)
		}
	}
	return lines, seen, body, nil
}

// field is one "key: value" line of front matter.
type field struct {
	key, val string
	line     int
}

// frontMatter reads the "key: value" lines between the leading "---"
// lines and returns them with the index of the first body line, or -1 if
// there is no front matter to speak of.
func frontMatter(p *problems, lines []string) ([]field, int) {
	if len(lines) == 0 || lines[0] != "---" {
		p.add(1, `file must start with "---" and front matter`)
		return nil, -1
	}
	end := -1
	for i := 1; i < len(lines); i++ {
		if lines[i] == "---" {
			end = i
			break
		}
	}
	if end < 0 {
		p.add(1, `front matter is not closed by a "---" line`)
		return nil, -1
	}
	var fields []field
	seen := map[string]int{}
	for i := 1; i < end; i++ {
		ln := i + 1
		if strings.TrimSpace(lines[i]) == "" {
			continue
		}
		key, val, ok := strings.Cut(lines[i], ":")
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		if !ok || key == "" {
			p.add(ln, `want "key: value", got %q`, clip(lines[i]))
			continue
		}
		if first, dup := seen[key]; dup {
			p.add(ln, "%s is set twice (first on line %d)", key, first)
			continue
		}
		seen[key] = ln
		fields = append(fields, field{key, val, ln})
	}
	return fields, end + 1
}

// setField sets one front matter field.
func setField(e *Entry, key, val string) error {
	if val == "" {
		return fmt.Errorf("empty value")
	}
	var err error
	switch key {
	case "code":
		e.Code, err = parseCode(val)
	case "name":
		e.Name = val
	case "aka":
		e.Aka, err = parseList(val)
	case "class":
		e.Class = val
	case "reference":
		e.Reference = val
	case "spec_url":
		e.SpecURL = val
	case "status":
		e.Status = Status(val)
		if !e.Status.registered() && e.Status != StatusUnofficial {
			err = fmt.Errorf("%q is not one of permanent, provisional, deprecated, reserved, obsoleted, unofficial", val)
		}
	case "origin":
		e.Origin = val
	case "docs_url":
		if !strings.HasPrefix(val, "https://") {
			err = fmt.Errorf("%q is not an https URL", val)
		}
		e.DocsURL = val
	case "related":
		e.Related, err = parseCodeList(val)
	case "cacheable":
		e.Cacheable, err = parseYesNo(val)
	case "retry":
		e.Retry = Retry(val)
		if !e.Retry.valid() {
			err = fmt.Errorf("%q is not one of n/a, no, after-change, after-delay", val)
		}
	case "summary":
		e.Summary = val
	case "draft":
		if val != "true" && val != "false" {
			err = fmt.Errorf("want true or false, got %q", val)
		}
		e.Draft = val == "true"
	default:
		err = fmt.Errorf("unknown key")
	}
	return err
}

func parseList(val string) ([]string, error) {
	inner, open := strings.CutPrefix(val, "[")
	inner, closed := strings.CutSuffix(inner, "]")
	if !open || !closed {
		return nil, fmt.Errorf("want a list like [a, b], got %q", clip(val))
	}
	var out []string
	for _, it := range strings.Split(inner, ",") {
		it = strings.TrimSpace(it)
		if it == "" {
			return nil, fmt.Errorf("empty list item in %q", clip(val))
		}
		out = append(out, it)
	}
	return out, nil
}

// parseCodeList reads a list of status codes, "[412, 428]".
func parseCodeList(val string) ([]int, error) {
	items, err := parseList(val)
	if err != nil {
		return nil, err
	}
	var out []int
	for _, it := range items {
		code, err := parseCode(it)
		if err != nil {
			return nil, err
		}
		out = append(out, code)
	}
	return out, nil
}

func parseYesNo(val string) (bool, error) {
	switch val {
	case "yes":
		return true, nil
	case "no":
		return false, nil
	}
	return false, fmt.Errorf("want yes or no, got %q", val)
}
