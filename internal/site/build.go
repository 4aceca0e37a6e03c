package site

import (
	"embed"
	"encoding/json"
	"html/template"
	"slices"
	"strings"

	"github.com/teapothq/teapot/internal/catalog"
	"github.com/teapothq/teapot/internal/web"
)

//go:embed templates/*.html assets/*
var files embed.FS

// Site is the rendered reference site.
type Site struct {
	cat   *catalog.Catalog
	shell *web.Shell
	md    *markdown
	tmpl  map[string]*template.Template
	pages map[string]*web.Doc // by path below the base path: "/", "/409", "/4xx", "/api/codes"
	// redirects maps other addresses of a guide to it: "/000", and
	// "/compare/412-vs-409" for "/compare/409-vs-412-vs-428".
	redirects map[string]string
}

// New renders the pages of the site into memory, in shell's layout, and
// makes the site's not-found page the shell's. The pages of the codes are
// rendered when first asked for, or by the shell's Warm.
func New(cat *catalog.Catalog, shell *web.Shell) (*Site, error) {
	s := &Site{
		cat:       cat,
		shell:     shell,
		md:        newMarkdown(shell.Base()),
		pages:     map[string]*web.Doc{},
		redirects: map[string]string{},
	}
	if err := shell.AddAssets(files, "assets/*"); err != nil {
		return nil, err
	}
	if err := s.parseTemplates(); err != nil {
		return nil, err
	}
	if err := s.buildPages(); err != nil {
		return nil, err
	}
	shell.SetNotFound(s.serveNotFound)
	return s, nil
}

func (s *Site) parseTemplates() error {
	funcs := template.FuncMap{
		"retryText": func(r catalog.Retry) string {
			return retryText[r]
		},
	}
	s.tmpl = map[string]*template.Template{}
	for _, name := range []string{"home", "class", "code", "guide", "guides", "search", "notfound"} {
		t, err := s.shell.Template(files, funcs, "templates/partials.html", "templates/"+name+".html")
		if err != nil {
			return err
		}
		s.tmpl[name] = t
	}
	return nil
}

var retryText = map[catalog.Retry]string{
	catalog.RetryNA:          "nothing to retry: this is not an error",
	catalog.RetryNo:          "no: the same request will get the same answer",
	catalog.RetryAfterChange: "only after changing the request (credentials, input or refreshed state)",
	catalog.RetryAfterDelay:  "yes, later: wait (honour Retry-After), back off, and only repeat idempotent requests blindly",
}

// view is what the templates see.
type view struct {
	web.Page
	Classes   []classView
	Class     catalog.Class
	ClassName string
	Entry     *catalog.Entry
	Sections  []sectionView
	Entries   []*catalog.Entry
	Guide     *catalog.Guide
	Guides    []*catalog.Guide
	Error     string

	// A code page's answer first, its neighbours and its class.
	Short      *shortView
	Prev, Next *catalog.Entry
	Siblings   []*catalog.Entry
}

// shortView is the "In short" box: each line rendered inline.
type shortView struct {
	Cause                template.HTML
	Visitors, Developers []template.HTML
}

type classView struct {
	catalog.Class
	Entries []*catalog.Entry
}

type sectionView struct {
	ID, Title string
	Markdown  string
	HTML      template.HTML
}

func (s *Site) render(name string, v view) ([]byte, error) {
	return s.shell.Render(s.tmpl[name], v)
}

func (s *Site) buildPages() error {
	home, err := s.render("home", view{
		Page: web.Page{Title: "HTTP status codes explained",
			Description: "Every HTTP status code explained: meaning with the RFC section, common causes, how to fix it, examples and FAQ.",
			Scripts:     []string{"search.js"}},
		Classes: s.classes(),
		Guides:  s.cat.Guides(),
	})
	if err != nil {
		return err
	}
	list := s.codeList()
	s.pages["/"] = web.NewDoc(home, list, []byte(s.indexText()))
	s.pages["/api/codes"] = web.NewDoc(nil, list, nil)
	for _, cl := range catalog.Classes {
		entries := s.cat.InClass(cl.ID)
		html, err := s.render("class", view{
			Page:    web.Page{Title: cl.ID + " " + cl.Name, Description: cl.Summary, Alternates: s.link("/" + cl.ID)},
			Class:   cl,
			Entries: entries,
		})
		if err != nil {
			return err
		}
		js := mustJSON(classJSON{ID: cl.ID, Name: cl.Name, Summary: cl.Summary, Codes: s.summaries(entries)})
		s.pages["/"+cl.ID] = web.NewDoc(html, js, []byte(classText(cl, entries)))
	}
	for _, e := range s.cat.Entries() {
		s.pages["/"+e.CodeString()] = s.shell.LazyDoc("/"+e.CodeString(), func() ([]byte, error) { return s.entryPage(e) },
			func() []byte { return s.entryJSONBytes(e) }, func() []byte { return s.entryTextBytes(e) })
	}
	if err := s.buildGuideIndexes(); err != nil {
		return err
	}
	for _, g := range s.cat.Guides() {
		html, err := s.guideHTML(g)
		if err != nil {
			return err
		}
		s.pages[g.Path()] = web.NewDoc(html, mustJSON(s.guideJSON(g)), []byte(GuideText(s.cat, g)))
		for _, from := range append(g.Aliases, g.Pairs()...) {
			s.redirects[from] = g.Path()
		}
	}
	return nil
}

// buildGuideIndexes renders /guides and /compare: the lists of guides
// and of comparisons, which their pages' breadcrumbs link to.
func (s *Site) buildGuideIndexes() error {
	for _, ix := range []struct {
		path, title, desc string
		compare           bool
	}{
		{"/guides", "Guides", "Step-by-step guides to the situations behind a status code: what happened, how to tell, and how to fix it on the client and the server.", false},
		{"/compare", "Comparisons", "Codes that are easy to confuse, side by side: when each one is right, with the RFC sections that decide.", true},
	} {
		var gs []*catalog.Guide
		var js []guideListItem
		text := ix.title + "\n" + strings.Repeat("=", len(ix.title)) + "\n\n" + ix.desc + "\n\n"
		for _, g := range s.cat.Guides() {
			if g.Compare == ix.compare {
				gs = append(gs, g)
				js = append(js, guideListItem{Title: g.Title, Summary: g.Summary, URL: s.link(g.Path())})
				text += "- " + g.Title + " <" + s.link(g.Path()) + ">\n"
			}
		}
		html, err := s.render("guides", view{Page: web.Page{Title: ix.title, Description: ix.desc, Alternates: s.link(ix.path)}, Guides: gs})
		if err != nil {
			return err
		}
		s.pages[ix.path] = web.NewDoc(html, mustJSON(map[string]any{"title": ix.title, "guides": js}), []byte(text))
	}
	return nil
}

// guideListItem is a guide in the JSON of /guides and /compare.
type guideListItem struct {
	Title   string `json:"title"`
	Summary string `json:"summary"`
	URL     string `json:"url"`
}

// link is path below the base path, for pages rendered ahead of requests.
func (s *Site) link(path string) string { return s.shell.Base() + path }

// entryPage is a code's page.
func (s *Site) entryPage(e *catalog.Entry) ([]byte, error) {
	return s.entryHTML(e, s.sections(e))
}

// entryTextBytes is a code's page as plain text.
func (s *Site) entryTextBytes(e *catalog.Entry) []byte {
	texts := make([]string, len(e.Sections))
	for i, sec := range e.Sections {
		_, texts[i] = s.md.render(sec.Markdown, textWidth)
	}
	return []byte(entryText(s.cat, e, texts))
}

// entryJSONBytes is a code's page as JSON, its sections rendered again.
func (s *Site) entryJSONBytes(e *catalog.Entry) []byte {
	return mustJSON(s.entryJSON(e, s.sections(e)))
}

// sections are a code page's sections, each rendered to HTML.
func (s *Site) sections(e *catalog.Entry) []sectionView {
	secs := make([]sectionView, len(e.Sections))
	for i, sec := range e.Sections {
		secs[i] = sectionView{ID: sec.ID, Title: sec.Title, Markdown: sec.Markdown, HTML: s.md.html(sec.Markdown)}
	}
	return secs
}

func (s *Site) classes() []classView {
	var out []classView
	for _, cl := range catalog.Classes {
		out = append(out, classView{Class: cl, Entries: s.cat.InClass(cl.ID)})
	}
	return out
}

func (s *Site) entryHTML(e *catalog.Entry, secs []sectionView) ([]byte, error) {
	cl, _ := catalog.ClassByID(e.Class)
	v := view{
		Page:      web.Page{Title: e.CodeString() + " " + e.Title(), Description: e.Summary, Alternates: s.link("/" + e.CodeString())},
		Entry:     e,
		ClassName: cl.Name,
		Guides:    s.cat.GuidesFor(e.Code),
		Sections:  secs,
		Short:     s.short(e.Short),
		Siblings:  s.cat.InClass(e.Class),
	}
	v.Scripts = codeScripts(secs)
	all := s.cat.Entries()
	if i := slices.Index(all, e); i >= 0 {
		if i > 0 {
			v.Prev = all[i-1]
		}
		if i+1 < len(all) {
			v.Next = all[i+1]
		}
	}
	if len(e.FAQ) > 0 {
		v.JSONLD = s.faqLD(e.FAQ)
	}
	return s.render("code", v)
}

// short renders an "In short" section's lines for the box under a code
// page's lead sentence; nil when the page has none.
func (s *Site) short(sh *catalog.Short) *shortView {
	if sh == nil {
		return nil
	}
	v := &shortView{Cause: s.md.inline(sh.Cause)}
	for _, b := range sh.Visitors {
		v.Visitors = append(v.Visitors, s.md.inline(b))
	}
	for _, b := range sh.Developers {
		v.Developers = append(v.Developers, s.md.inline(b))
	}
	return v
}

func (s *Site) guideHTML(g *catalog.Guide) ([]byte, error) {
	v := view{
		Page:  web.Page{Title: g.Title, Description: g.Summary, Alternates: s.link(g.Path())},
		Guide: g,
	}
	for _, code := range g.Codes {
		v.Entries = append(v.Entries, s.cat.Lookup(code))
	}
	for _, sec := range g.Sections {
		v.Sections = append(v.Sections, sectionView{ID: sec.ID, Title: sec.Title, HTML: s.md.html(sec.Markdown)})
	}
	v.Scripts = codeScripts(v.Sections)
	if len(g.FAQ) > 0 {
		v.JSONLD = s.faqLD(g.FAQ)
	}
	return s.render("guide", v)
}

// faqLD is the page's FAQ as schema.org FAQPage structured data.
func (s *Site) faqLD(faq []catalog.QA) template.JS {
	var qs []map[string]any
	for _, qa := range faq {
		qs = append(qs, map[string]any{
			"@type": "Question",
			"name":  qa.Question,
			"acceptedAnswer": map[string]any{
				"@type": "Answer",
				"text":  strings.TrimSpace(s.md.text(qa.Answer, 1<<20)),
			},
		})
	}
	// encoding/json escapes <, > and &, so the data cannot close the
	// script element it sits in.
	b, err := json.Marshal(map[string]any{"@context": "https://schema.org", "@type": "FAQPage", "mainEntity": qs})
	if err != nil {
		return ""
	}
	return template.JS(b)
}

func mustJSON(v any) []byte {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		panic(err) // only our own plain types are encoded here
	}
	return append(b, '\n')
}
