package catalog

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Catalog is every status code's page, in code order.
type Catalog struct {
	Registry *Registry
	entries  []*Entry
	byCode   map[int]*Entry

	guides []*Guide
	byPath map[string]*Guide // guide paths and their aliases

	search func() *searchIndex // built on first use; see search_index.go
}

// Classes are the five status code classes, with their names from RFC 9110
// Section 15.
var Classes = []Class{
	{"1xx", "Informational", "The request was received and is being processed; an interim response before the final one."},
	{"2xx", "Successful", "The request was received, understood and accepted."},
	{"3xx", "Redirection", "The client needs to take further action, usually following a Location, to complete the request."},
	{"4xx", "Client Error", "The request has a problem the client must fix: bad syntax, missing credentials, a conflict, too many requests."},
	{"5xx", "Server Error", "The server, or a server behind it, failed to fulfil an apparently valid request."},
}

// Class is a status code class such as 4xx.
type Class struct {
	ID      string // "4xx"
	Name    string // "Client Error"
	Summary string
}

// Load reads and validates codes/*.md and the data tables from fsys. It
// reports every problem found, each with its file and line, and returns no
// catalog unless there are none.
func Load(fsys fs.FS) (*Catalog, error) {
	reg, err := LoadRegistry(fsys)
	if err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	names, err := fs.Glob(fsys, "codes/*.md")
	if err != nil {
		return nil, err
	}
	c := &Catalog{Registry: reg, byCode: map[int]*Entry{}}
	var errs []error
	for _, name := range names {
		src, err := fs.ReadFile(fsys, name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		e, err := Parse(name, src)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := reg.check(e); err != nil {
			errs = append(errs, err)
			continue
		}
		c.byCode[e.Code] = e
		c.entries = append(c.entries, e)
	}
	errs = append(errs, c.loadGuides(fsys)...)
	errs = append(errs, c.checkLinks()...)
	errs = append(errs, c.checkComplete()...)
	if len(errs) > 0 {
		return nil, joinErrors(errs)
	}
	slices.SortFunc(c.entries, func(a, b *Entry) int { return a.Code - b.Code })
	c.search = sync.OnceValue(func() *searchIndex { return newSearchIndex(c) })
	return c, nil
}

// check reports where e's front matter disagrees with the registry tables.
func (reg *Registry) check(e *Entry) error {
	p := &problems{file: e.File}
	if base := path.Base(e.File); base != strconv.Itoa(e.Code)+".md" {
		p.add(2, "code %d does not match the file name %s", e.Code, base)
	}
	if want := strconv.Itoa(e.Code/100) + "xx"; e.Class != want {
		p.add(0, "class is %q, want %q", e.Class, want)
	}
	if row, ok := reg.IANA[e.Code]; ok {
		agree(p, "name", e.Name, row.Name)
		agree(p, "reference", e.Reference, row.Reference)
		agree(p, "status", string(e.Status), string(row.Registration))
		agree(p, "spec_url", e.SpecURL, SpecURL(row.Reference))
		if e.Origin != "" {
			p.add(0, "origin is only for unofficial codes")
		}
		if rule, ok := reg.Rules[e.Code]; ok {
			if e.Cacheable != rule.HeuristicallyCachable {
				p.add(0, "cacheable is %s, but %s says %s (%s)", yesNo(e.Cacheable), rulesFile, yesNo(rule.HeuristicallyCachable), rule.Source)
			}
		}
	} else if row, ok := reg.Unofficial[e.Code]; ok {
		agree(p, "name", e.Name, row.Name)
		agree(p, "origin", e.Origin, row.Origin)
		agree(p, "status", string(e.Status), string(StatusUnofficial))
		if e.Reference != "" || e.SpecURL != "" {
			p.add(0, "reference and spec_url are only for registered codes; use docs_url")
		}
		if e.Cacheable {
			p.add(0, "cacheable must be no for an unofficial code")
		}
	} else {
		p.add(2, "code %d is neither in %s nor in %s", e.Code, ianaFile, unofficialFile)
	}
	if !e.Draft && len(e.Related) == 0 {
		p.add(0, "a full page needs related codes")
	}
	return joinErrors(p.errs)
}

func agree(p *problems, field, got, want string) {
	if got != want {
		p.add(0, "%s is %q, but the registry tables say %q", field, got, want)
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// loadGuides reads compare/*.md and guides/*.md.
func (c *Catalog) loadGuides(fsys fs.FS) []error {
	var errs []error
	c.byPath = map[string]*Guide{}
	for _, pattern := range []string{"compare/*.md", "guides/*.md"} {
		names, _ := fs.Glob(fsys, pattern)
		for _, name := range names {
			src, err := fs.ReadFile(fsys, name)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			g, err := ParseGuide(name, src)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			p := &problems{file: name}
			for _, code := range g.Codes {
				if c.byCode[code] == nil {
					p.add(0, "code %d has no page", code)
				}
			}
			for _, path := range append(append([]string{g.Path()}, g.Aliases...), g.Pairs()...) {
				if other := c.byPath[path]; other != nil {
					p.add(0, "%s is also claimed by %s", path, other.File)
				}
				c.byPath[path] = g
			}
			errs = append(errs, p.errs...)
			c.guides = append(c.guides, g)
		}
	}
	return errs
}

// checkLinks reports related codes, and links in the text, that lead
// nowhere.
func (c *Catalog) checkLinks() []error {
	var errs []error
	check := func(p *problems, secs []Section) {
		for _, s := range secs {
			for i, line := range strings.Split(s.Markdown, "\n") {
				for _, target := range internalLinks(line) {
					if !c.Exists(target) {
						p.add(s.bodyLine+i, "link to %s, which has no page", target)
					}
				}
			}
		}
	}
	for _, e := range c.entries {
		p := &problems{file: e.File}
		for _, code := range e.Related {
			if code == e.Code {
				p.add(0, "related lists the page's own code %d", code)
			} else if c.byCode[code] == nil {
				p.add(0, "related code %d has no page", code)
			}
		}
		check(p, e.Sections)
		errs = append(errs, p.errs...)
	}
	for _, g := range c.guides {
		p := &problems{file: g.File}
		check(p, g.Sections)
		errs = append(errs, p.errs...)
	}
	return errs
}

// internalLinks finds the targets of Markdown links from the site root,
// "[...](/412)", without their #fragment.
func internalLinks(md string) []string {
	var out []string
	for {
		i := strings.Index(md, "](/")
		if i < 0 {
			return out
		}
		md = md[i+2:]
		end := strings.IndexAny(md, ") ")
		if end < 0 {
			return out
		}
		target, _, _ := strings.Cut(md[:end], "#")
		if !strings.HasPrefix(target, "//") {
			out = append(out, target)
		}
		md = md[end:]
	}
}

// Exists reports whether a path from the site root names a page: a code,
// a class, a guide or one of its aliases, or one of the fixed pages.
func (c *Catalog) Exists(path string) bool {
	name := strings.TrimPrefix(path, "/")
	if code, ok := ParseCode(name); ok {
		return c.byCode[code] != nil
	}
	if _, ok := ClassByID(name); ok {
		return true
	}
	switch path {
	case "/", "/search", "/api/codes", "/openapi.json", "/lab", "/check", "/ip":
		return true
	}
	return c.byPath[path] != nil
}

// checkComplete reports codes of the registry tables without a page.
func (c *Catalog) checkComplete() []error {
	var missing []int
	for code := range c.Registry.IANA {
		if c.byCode[code] == nil {
			missing = append(missing, code)
		}
	}
	for code := range c.Registry.Unofficial {
		if c.byCode[code] == nil {
			missing = append(missing, code)
		}
	}
	slices.Sort(missing)
	var errs []error
	for _, code := range missing {
		errs = append(errs, &Error{File: fmt.Sprintf("codes/%d.md", code), Msg: "missing: every code in the registry tables needs a page"})
	}
	return errs
}

func joinErrors(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	return errors.Join(errs...)
}

// Entries returns every entry in code order. The slice must not be modified.
func (c *Catalog) Entries() []*Entry { return c.entries }

// Guides returns every guide, comparisons first, in slug order.
func (c *Catalog) Guides() []*Guide { return c.guides }

// GuideAt returns the guide served at path or redirected to from it.
func (c *Catalog) GuideAt(path string) *Guide { return c.byPath[path] }

// GuidesFor returns the guides about code.
func (c *Catalog) GuidesFor(code int) []*Guide {
	var out []*Guide
	for _, g := range c.guides {
		if slices.Contains(g.Codes, code) {
			out = append(out, g)
		}
	}
	return out
}

// Lookup returns the entry for code, or nil.
func (c *Catalog) Lookup(code int) *Entry { return c.byCode[code] }

// InClass returns the entries of a class such as "4xx", in code order.
func (c *Catalog) InClass(class string) []*Entry {
	var out []*Entry
	for _, e := range c.entries {
		if e.Class == class {
			out = append(out, e)
		}
	}
	return out
}

// ClassByID returns the class with the given ID ("4xx").
func ClassByID(id string) (Class, bool) {
	for _, cl := range Classes {
		if cl.ID == id {
			return cl, true
		}
	}
	return Class{}, false
}
