package site

import (
	"fmt"
	"strings"
	"sync"

	"github.com/teapothq/teapot/internal/catalog"
)

// entryJSON is a code's page as JSON: every front matter field and section.
type entryJSON struct {
	Code      int              `json:"code"`
	Name      string           `json:"name"`
	Title     string           `json:"title"`
	Aka       []string         `json:"aka,omitempty"`
	Class     string           `json:"class"`
	ClassName string           `json:"class_name"`
	Status    catalog.Status   `json:"status"`
	Reference string           `json:"reference,omitempty"`
	SpecURL   string           `json:"spec_url,omitempty"`
	Origin    string           `json:"origin,omitempty"`
	DocsURL   string           `json:"docs_url,omitempty"`
	Summary   string           `json:"summary"`
	Cacheable bool             `json:"cacheable"`
	Retry     catalog.Retry    `json:"retry"`
	Draft     bool             `json:"draft"`
	URL       string           `json:"url"`
	Related   []codeSummary    `json:"related"`
	Sections  []sectionJSON    `json:"sections"`
	FAQ       []faqJSON        `json:"faq"`
	Example   *catalog.Example `json:"example,omitempty"`
	Guides    []guideSummary   `json:"guides"`
}

// guideSummary is a comparison or guide in a list.
type guideSummary struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// guideJSON is a comparison or guide page as JSON.
type guideJSON struct {
	Slug     string        `json:"slug"`
	Title    string        `json:"title"`
	Summary  string        `json:"summary"`
	URL      string        `json:"url"`
	Codes    []codeSummary `json:"codes"`
	Sections []sectionJSON `json:"sections"`
}

func (s *Site) guideJSON(g *catalog.Guide) guideJSON {
	j := guideJSON{Slug: g.Slug, Title: g.Title, Summary: g.Summary, URL: s.link(g.Path())}
	for _, code := range g.Codes {
		j.Codes = append(j.Codes, s.summary(s.cat.Lookup(code)))
	}
	for _, sec := range g.Sections {
		j.Sections = append(j.Sections, sectionJSON{ID: sec.ID, Title: sec.Title, Markdown: sec.Markdown, HTML: string(s.md.html(sec.Markdown))})
	}
	return j
}

type sectionJSON struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Markdown string `json:"markdown"`
	HTML     string `json:"html"`
}

type faqJSON struct {
	Question string `json:"question"`
	Answer   string `json:"answer"`
}

// codeSummary is one code in a list.
type codeSummary struct {
	Code    int            `json:"code"`
	Name    string         `json:"name"`
	Title   string         `json:"title"`
	Class   string         `json:"class"`
	Status  catalog.Status `json:"status"`
	Summary string         `json:"summary"`
	URL     string         `json:"url"`
}

type classJSON struct {
	ID      string        `json:"id"`
	Name    string        `json:"name"`
	Summary string        `json:"summary"`
	Codes   []codeSummary `json:"codes"`
}

func (s *Site) summary(e *catalog.Entry) codeSummary {
	return codeSummary{Code: e.Code, Name: e.Name, Title: e.Title(), Class: e.Class,
		Status: e.Status, Summary: e.Summary, URL: s.link("/" + e.CodeString())}
}

func (s *Site) summaries(entries []*catalog.Entry) []codeSummary {
	out := make([]codeSummary, 0, len(entries))
	for _, e := range entries {
		out = append(out, s.summary(e))
	}
	return out
}

func (s *Site) entryJSON(e *catalog.Entry, secs []sectionView) entryJSON {
	cl, _ := catalog.ClassByID(e.Class)
	j := entryJSON{
		Code: e.Code, Name: e.Name, Title: e.Title(), Aka: e.Aka, Class: e.Class, ClassName: cl.Name,
		Status: e.Status, Reference: e.Reference, SpecURL: e.SpecURL, Origin: e.Origin, DocsURL: e.DocsURL,
		Summary: e.Summary, Cacheable: e.Cacheable, Retry: e.Retry, Draft: e.Draft,
		URL: s.link("/" + e.CodeString()), Related: []codeSummary{}, Sections: []sectionJSON{}, FAQ: []faqJSON{},
		Guides: []guideSummary{},
	}
	for _, g := range s.cat.GuidesFor(e.Code) {
		j.Guides = append(j.Guides, guideSummary{Title: g.Title, URL: s.link(g.Path())})
	}
	for _, code := range e.Related {
		j.Related = append(j.Related, s.summary(s.cat.Lookup(code)))
	}
	for _, sec := range secs {
		j.Sections = append(j.Sections, sectionJSON{ID: sec.ID, Title: sec.Title, Markdown: sec.Markdown, HTML: string(sec.HTML)})
	}
	for _, qa := range e.FAQ {
		j.FAQ = append(j.FAQ, faqJSON{Question: qa.Question, Answer: qa.Answer})
	}
	if e.Example.Response != "" {
		j.Example = &e.Example
	}
	return j
}

// codeList is /api/codes: every code, grouped by nothing, in code order.
func (s *Site) codeList() []byte {
	return mustJSON(map[string]any{"count": len(s.cat.Entries()), "codes": s.summaries(s.cat.Entries())})
}

// plainMarkdown renders the text forms; they show no site links, so one
// renderer without a base path serves every site.
var plainMarkdown = sync.OnceValue(func() *markdown { return newMarkdown("") })

// textWidth is the column plain text is wrapped at.
const textWidth = 78

// PlainText is a code's page as plain text, as `teapot 409` and curl show
// it.
func PlainText(cat *catalog.Catalog, e *catalog.Entry) string {
	texts := make([]string, len(e.Sections))
	for i, sec := range e.Sections {
		texts[i] = plainMarkdown().text(sec.Markdown, textWidth)
	}
	return entryText(cat, e, texts)
}

// entryText is PlainText with the sections already rendered as text.
func entryText(cat *catalog.Catalog, e *catalog.Entry, texts []string) string {
	md := plainMarkdown()
	var b strings.Builder
	title := e.CodeString() + " " + e.Title()
	fmt.Fprintf(&b, "%s\n%s\n\n", title, strings.Repeat("=", len([]rune(title))))
	b.WriteString(md.text(e.Summary, textWidth))
	b.WriteString("\n")
	cl, _ := catalog.ClassByID(e.Class)
	field := func(k, v string) { fmt.Fprintf(&b, "%-15s %s\n", k+":", v) }
	field("Class", e.Class+" "+cl.Name)
	if e.Official() {
		field("Defined in", e.Reference+" <"+e.SpecURL+">")
		reg := string(e.Status) + " (IANA)"
		if e.Name != e.Title() {
			reg += `, registered as "` + e.Name + `"`
		}
		field("Registration", reg)
	} else {
		field("Used by", e.Origin)
		field("Registration", "not a standard status code")
		if e.DocsURL != "" {
			field("Documentation", e.DocsURL)
		}
	}
	if len(e.Aka) > 0 {
		field("Also known as", strings.Join(e.Aka, ", "))
	}
	cache := "no"
	if e.Cacheable {
		cache = "yes, heuristically (RFC 9110, Section 15.1)"
	}
	field("Cacheable", cache)
	field("Retry", retryText[e.Retry])
	if len(e.Related) > 0 {
		var rel []string
		for _, code := range e.Related {
			rel = append(rel, fmt.Sprint(code))
		}
		field("Related", strings.Join(rel, ", "))
	}
	for _, g := range cat.GuidesFor(e.Code) {
		field("Guide", g.Title+" <"+g.Path()+">")
	}
	if e.Draft {
		b.WriteString("\nThis is a short entry; the full page is being written.\n")
	}
	for i, sec := range e.Sections {
		title := strings.ToUpper(sec.Title)
		fmt.Fprintf(&b, "\n%s\n%s\n\n", title, strings.Repeat("=", len([]rune(title))))
		b.WriteString(texts[i])
	}
	return b.String()
}

// GuideText is a comparison or guide as plain text.
func GuideText(cat *catalog.Catalog, g *catalog.Guide) string {
	md := plainMarkdown()
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n%s\n\n", g.Title, strings.Repeat("=", len([]rune(g.Title))))
	b.WriteString(md.text(g.Summary, textWidth))
	b.WriteString("\n")
	for _, code := range g.Codes {
		fmt.Fprintf(&b, "%d  %s\n", code, cat.Lookup(code).Title())
	}
	for _, sec := range g.Sections {
		title := strings.ToUpper(sec.Title)
		fmt.Fprintf(&b, "\n%s\n%s\n\n", title, strings.Repeat("=", len([]rune(title))))
		b.WriteString(md.text(sec.Markdown, textWidth))
	}
	return b.String()
}

// listText is a list of codes, one per line.
func listText(entries []*catalog.Entry) string {
	var b strings.Builder
	for _, e := range entries {
		fmt.Fprintf(&b, "%d  %s\n", e.Code, e.Title())
	}
	return b.String()
}

func (s *Site) indexText() string {
	var b strings.Builder
	b.WriteString("HTTP status codes\n=================\n\nAsk for one with /409 (or `teapot 409` offline).\n")
	for _, cl := range catalog.Classes {
		fmt.Fprintf(&b, "\n%s %s\n\n", cl.ID, cl.Name)
		b.WriteString(listText(s.cat.InClass(cl.ID)))
	}
	return b.String()
}

func classText(cl catalog.Class, entries []*catalog.Entry) string {
	title := cl.ID + " " + cl.Name
	return fmt.Sprintf("%s\n%s\n\n%s\n\n%s", title, strings.Repeat("=", len(title)), cl.Summary, listText(entries))
}
