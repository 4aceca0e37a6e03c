package catalog

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Guide is a page about several codes: a comparison such as "409 vs 412
// vs 428" (compare/*.md, at /compare/SLUG) or a topic such as "status 000"
// (guides/*.md, at /guides/SLUG).
type Guide struct {
	Slug     string
	Title    string
	Summary  string
	Codes    []int    // the codes it is about; their pages link to it
	Aliases  []string // other paths, from the site root, that redirect to it
	Compare  bool
	Sections []Section
	FAQ      []QA
	File     string
}

// Path is where the guide is served, below the base path.
func (g *Guide) Path() string {
	if g.Compare {
		return "/compare/" + g.Slug
	}
	return "/guides/" + g.Slug
}

// Guide section titles with a fixed meaning.
const (
	guideInShort  = "In short"
	guideDecision = "Decision table"
	guideFAQ      = "FAQ"
)

var (
	slugRE  = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	aliasRE = regexp.MustCompile(`^(/[a-z0-9-]+)+$`)
)

// ParseGuide reads one guide. Sections are free, but every guide opens
// with "In short", a comparison has a "Decision table" with a Markdown
// table, and an "FAQ" section, if present, holds questions.
func ParseGuide(file string, src []byte) (*Guide, error) {
	p := &problems{file: file}
	g := &Guide{File: file, Compare: strings.HasPrefix(file, "compare/")}
	lines, seen, body, err := readPage(p, src, g.set)
	if err != nil {
		return nil, err
	}
	for _, key := range []string{"slug", "title", "summary", "codes"} {
		if !seen[key] {
			p.add(body, "front matter has no %s", key)
		}
	}
	if want := strings.TrimSuffix(path.Base(file), ".md"); g.Slug != "" && g.Slug != want {
		p.add(2, "slug %q does not match the file name %s", g.Slug, path.Base(file))
	}
	if g.Compare && g.Slug != "" {
		var parts []string
		for _, c := range g.Codes {
			parts = append(parts, strconv.Itoa(c))
		}
		if want := strings.Join(parts, "-vs-"); g.Slug != want {
			p.add(2, "a comparison's slug is its codes joined by -vs-: want %q", want)
		}
	}
	g.Sections = splitSections(p, lines, body)
	g.check(p)
	if len(p.errs) > 0 {
		return nil, joinErrors(p.errs)
	}
	return g, nil
}

func (g *Guide) set(key, val string) error {
	if val == "" {
		return fmt.Errorf("empty value")
	}
	switch key {
	case "slug":
		if !slugRE.MatchString(val) {
			return fmt.Errorf("%q: use lower-case letters, digits and dashes", val)
		}
		g.Slug = val
	case "title":
		g.Title = val
	case "summary":
		g.Summary = val
	case "codes":
		codes, err := parseCodeList(val)
		if err != nil {
			return err
		}
		g.Codes = codes
	case "aliases":
		items, err := parseList(val)
		if err != nil {
			return err
		}
		for _, it := range items {
			if !aliasRE.MatchString(it) {
				return fmt.Errorf("alias %q is not a path such as /000", it)
			}
		}
		g.Aliases = items
	default:
		return fmt.Errorf("unknown key")
	}
	return nil
}

// check reports a guide's structural problems.
func (g *Guide) check(p *problems) {
	if len(g.Sections) == 0 || g.Sections[0].Title != guideInShort {
		p.add(0, "a guide starts with the section %q", "## "+guideInShort)
	}
	titles := map[string]int{}
	for _, s := range g.Sections {
		if s.Title == "" && s.Line == 0 {
			continue
		}
		if first, dup := titles[s.Title]; dup {
			p.add(s.Line, "section %q is repeated (first on line %d)", s.Title, first)
		}
		titles[s.Title] = s.Line
		if s.Markdown == "" {
			p.add(s.Line, "section %q is empty", s.Title)
		}
		if s.Title == guideFAQ {
			for _, sub := range subheadings(s.Markdown) {
				if !strings.HasSuffix(sub.title, "?") || sub.body == "" {
					p.add(s.Line+sub.line, "FAQ entry %q must be a question with an answer", clip(sub.title))
				}
				g.FAQ = append(g.FAQ, QA{Question: sub.title, Answer: sub.body})
			}
		}
	}
	if g.Compare {
		line, ok := titles[guideDecision]
		if !ok {
			p.add(0, "a comparison needs a section %q", "## "+guideDecision)
		} else if i := slices.IndexFunc(g.Sections, func(s Section) bool { return s.Title == guideDecision }); !strings.Contains(g.Sections[i].Markdown, "\n|") && !strings.HasPrefix(g.Sections[i].Markdown, "|") {
			p.add(line, "the decision table section has no Markdown table")
		}
		if len(g.Codes) < 2 {
			p.add(0, "a comparison needs at least two codes")
		}
	}
	// Give the sections IDs for the page's table of contents.
	for i := range g.Sections {
		g.Sections[i].ID = sectionID(g.Sections[i].Title)
	}
}

// sectionID turns a title into an HTML id: "Decision table" is
// "decision-table".
func sectionID(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(title) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
	}
	return b.String()
}

// Pairs are the comparison paths that redirect to g: for "409-vs-412-vs-428"
// every pair in either order ("/compare/412-vs-409"), and the codes in
// another order.
func (g *Guide) Pairs() []string {
	if !g.Compare {
		return nil
	}
	var out []string
	for i, a := range g.Codes {
		for j, b := range g.Codes {
			if i != j {
				out = append(out, fmt.Sprintf("/compare/%d-vs-%d", a, b))
			}
		}
	}
	return slices.DeleteFunc(out, func(p string) bool { return p == g.Path() })
}
