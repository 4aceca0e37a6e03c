package site

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/teapothq/teapot/internal/catalog"
	"github.com/teapothq/teapot/internal/respond"
)

//go:embed templates/*.html assets/* openapi.json
var files embed.FS

// Options configure a Site.
type Options struct {
	// BasePath is the path prefix the site is served under behind a
	// reverse proxy, such as "/teapot"; "" for the root.
	BasePath string
	// PublicURL is the site's public origin, such as
	// "https://teapot.example", used where an absolute URL is required
	// (sitemap.xml). Without it those are built from the request's Host.
	PublicURL string
	// Version is shown in the footer.
	Version string
	// IPv4JSON and IPv6JSON are the /ip.json addresses on hosts reached
	// only over IPv4 and only over IPv6: with them the /ip page shows
	// both of the visitor's addresses.
	IPv4JSON, IPv6JSON string
	// Lab is what the /lab page says about the conflict lab's limits;
	// a zero field is described without a number.
	Lab LabLimits
}

// LabLimits are the conflict lab's sandbox limits, as the /lab page
// states them.
type LabLimits struct {
	MaxArticles int           // articles in one sandbox
	MaxBody     int           // bytes in an article's body
	TTL         time.Duration // how long an unused sandbox lives
}

// Cache lifetimes.
const (
	cachePage  = "public, max-age=3600"
	cacheAsset = "public, max-age=31536000, immutable"
)

// Site is the rendered reference site.
type Site struct {
	cat   *catalog.Catalog
	opts  Options
	md    *markdown
	tmpl  map[string]*template.Template
	pages map[string]*page // by path below the base path: "/", "/409", "/4xx", "/api/codes"
	// assets by hashed file name ("style.1a2b3c4d.css"), and the hashed
	// name of each source file ("style.css").
	assets   map[string]*respond.Body
	assetURL map[string]string
	formats  formatCache
	// ipPage is the /ip page: the same for every visitor, filled in by
	// its script. It is served by the ipinfo endpoints, not exported.
	ipPage *respond.Body
	// labPage is the conflict lab's page. It needs the lab's API, so it
	// is served but not exported.
	labPage *respond.Body
	// redirects maps other addresses of a guide to it: "/000", and
	// "/compare/412-vs-409" for "/compare/409-vs-412-vs-428".
	redirects map[string]string
}

// page is one address's representations; a nil one is not offered.
type page struct {
	html, json, text *respond.Body
}

// New renders every page of the site into memory.
func New(cat *catalog.Catalog, opts Options) (*Site, error) {
	opts.BasePath = strings.TrimRight(opts.BasePath, "/")
	opts.PublicURL = strings.TrimRight(opts.PublicURL, "/")
	s := &Site{
		cat:       cat,
		opts:      opts,
		md:        newMarkdown(opts.BasePath),
		pages:     map[string]*page{},
		assets:    map[string]*respond.Body{},
		assetURL:  map[string]string{},
		formats:   formatCache{m: map[formatKey]formatResult{}},
		redirects: map[string]string{},
	}
	if err := s.loadAssets(); err != nil {
		return nil, err
	}
	if err := s.parseTemplates(); err != nil {
		return nil, err
	}
	if err := s.buildPages(); err != nil {
		return nil, err
	}
	return s, nil
}

var assetTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".svg": "image/svg+xml",
}

// loadAssets names each asset after its content hash, so it can be cached
// for a year and still change with a release.
func (s *Site) loadAssets() error {
	names, err := fs.Glob(files, "assets/*")
	if err != nil {
		return err
	}
	for _, name := range names {
		data, err := files.ReadFile(name)
		if err != nil {
			return err
		}
		base := path.Base(name)
		ext := path.Ext(base)
		sum := sha256.Sum256(data)
		hashed := strings.TrimSuffix(base, ext) + "." + hex.EncodeToString(sum[:4]) + ext
		s.assets[hashed] = respond.NewBody(assetTypes[ext], cacheAsset, data)
		s.assetURL[base] = s.opts.BasePath + "/assets/" + hashed
	}
	return nil
}

func (s *Site) parseTemplates() error {
	funcs := template.FuncMap{
		"base":  func() string { return s.opts.BasePath },
		"asset": func(name string) string { return s.assetURL[name] },
		"lower": strings.ToLower,
		"join":  strings.Join,
		"retryText": func(r catalog.Retry) string {
			return retryText[r]
		},
	}
	layout, err := template.New("layout").Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/partials.html")
	if err != nil {
		return err
	}
	s.tmpl = map[string]*template.Template{}
	for _, name := range []string{"home", "class", "code", "guide", "try", "search", "notfound", "check", "ip", "lab"} {
		t, err := template.Must(layout.Clone()).ParseFS(files, "templates/"+name+".html")
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
	Title, Description string
	Version            string
	Query              string
	Filter             bool   // the page has the instant filter script
	Alternates         string // path of the page's .json and .txt forms, without suffix
	JSONLD             template.JS

	Classes   []classView
	Class     catalog.Class
	ClassName string
	Entry     *catalog.Entry
	Sections  []sectionView
	Entries   []*catalog.Entry
	Origin    string // for copyable snippets: the public URL, or a local one
	Try       bool   // the page has the try-it script
	Check     bool   // the page has the URL checker's script
	IP        bool   // the page has the IP lookup's script
	IPv4JSON  string // /ip.json on the IPv4-only host, if any
	IPv6JSON  string // and on the IPv6-only host
	Guide     *catalog.Guide
	Guides    []*catalog.Guide
	Error     string

	Lab bool // the page has the conflict lab's script
	// The conflict lab's limits, as text; "" when not known.
	LabMaxArticles, LabMaxBody, LabTTL string
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
	v.Version = s.opts.Version
	var buf bytes.Buffer
	if err := s.tmpl[name].ExecuteTemplate(&buf, "layout", v); err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

func (s *Site) buildPages() error {
	home, err := s.render("home", view{
		Title:       "HTTP status codes explained",
		Description: "Every HTTP status code explained: meaning with the RFC section, common causes, how to fix it, examples and FAQ.",
		Filter:      true,
		Classes:     s.classes(),
		Guides:      s.cat.Guides(),
	})
	if err != nil {
		return err
	}
	list := s.codeList()
	s.add("/", home, list, []byte(s.indexText()))
	s.add("/api/codes", nil, list, nil)
	for _, cl := range catalog.Classes {
		entries := s.cat.InClass(cl.ID)
		html, err := s.render("class", view{
			Title:       cl.ID + " " + cl.Name,
			Description: cl.Summary,
			Class:       cl,
			Entries:     entries,
			Alternates:  s.opts.BasePath + "/" + cl.ID,
		})
		if err != nil {
			return err
		}
		js := mustJSON(classJSON{ID: cl.ID, Name: cl.Name, Summary: cl.Summary, Codes: s.summaries(entries)})
		s.add("/"+cl.ID, html, js, []byte(classText(cl, entries)))
	}
	for i, b := range s.buildEntries() {
		if b.err != nil {
			return b.err
		}
		code := s.cat.Entries()[i].CodeString()
		s.add("/"+code, b.html, b.json, b.text)
		s.add("/"+code+"/try", b.try, nil, nil)
	}
	check, err := s.render("check", view{Title: "Check URLs: status codes, redirects and timings",
		Description: "Check what URLs return: every redirect hop with its status, Location, timings and headers, and the TLS certificate.",
		Origin:      s.origin(), Check: true})
	if err != nil {
		return err
	}
	s.add("/check", check, nil, nil)
	ip, err := s.render("ip", view{Title: "What is my IP address?",
		Description: "Your public IP address, its version, reverse DNS name and whether it is private, CGNAT or otherwise special; for any IPv4 or IPv6 address too.",
		Origin:      s.origin(), IP: true, IPv4JSON: s.opts.IPv4JSON, IPv6JSON: s.opts.IPv6JSON})
	if err != nil {
		return err
	}
	s.ipPage = respond.NewBody(respond.TypeHTML, cachePage, ip)
	lab, err := s.render("lab", s.labView())
	if err != nil {
		return err
	}
	s.labPage = respond.NewBody(respond.TypeHTML, cachePage, lab)
	for _, g := range s.cat.Guides() {
		html, err := s.guideHTML(g)
		if err != nil {
			return err
		}
		s.add(g.Path(), html, mustJSON(s.guideJSON(g)), []byte(GuideText(s.cat, g)))
		for _, from := range append(g.Aliases, g.Pairs()...) {
			s.redirects[from] = g.Path()
		}
	}
	openapi, err := files.ReadFile("openapi.json")
	if err != nil {
		return err
	}
	base := s.opts.BasePath
	if base == "" {
		base = "/"
	}
	quoted, _ := json.Marshal(base)
	openapi = bytes.Replace(openapi, []byte(`"url": "/"`), append([]byte(`"url": `), quoted...), 1)
	s.pages["/openapi.json"] = &page{json: respond.NewBody("application/vnd.oai.openapi+json; charset=utf-8", cachePage, openapi)}
	return nil
}

// builtEntry is every page of one code.
type builtEntry struct {
	html, json, text, try []byte
	err                   error
}

// buildEntries renders the pages of every code, on every core: this is
// most of what teapot does before it serves.
func (s *Site) buildEntries() []builtEntry {
	entries := s.cat.Entries()
	out := make([]builtEntry, len(entries))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(entries); i = int(next.Add(1) - 1) {
				out[i] = s.buildEntry(entries[i])
			}
		})
	}
	wg.Wait()
	return out
}

func (s *Site) buildEntry(e *catalog.Entry) builtEntry {
	var b builtEntry
	secs := make([]sectionView, len(e.Sections))
	texts := make([]string, len(e.Sections))
	for i, sec := range e.Sections {
		secs[i] = sectionView{ID: sec.ID, Title: sec.Title, Markdown: sec.Markdown}
		secs[i].HTML, texts[i] = s.md.render(sec.Markdown, textWidth)
	}
	if b.html, b.err = s.entryHTML(e, secs); b.err != nil {
		return b
	}
	b.json = mustJSON(s.entryJSON(e, secs))
	b.text = []byte(entryText(s.cat, e, texts))
	b.try, b.err = s.render("try", view{Title: "Try " + e.CodeString() + " " + e.Title() + " live",
		Description: "Send a real " + e.CodeString() + " response to your browser and see its status line, headers and body.",
		Entry:       e, Origin: s.origin(), Try: true})
	return b
}

func (s *Site) add(path string, html, js, text []byte) {
	p := &page{}
	if html != nil {
		p.html = respond.NewBody(respond.TypeHTML, cachePage, html)
	}
	if js != nil {
		p.json = respond.NewBody(respond.TypeJSON, cachePage, js)
	}
	if text != nil {
		p.text = respond.NewBody(respond.TypeText, cachePage, text)
	}
	s.pages[path] = p
}

// origin is the address snippets show before any script knows the real
// one.
func (s *Site) origin() string {
	if s.opts.PublicURL != "" {
		return s.opts.PublicURL
	}
	return "http://localhost:8080"
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
		Title:       e.CodeString() + " " + e.Title(),
		Description: e.Summary,
		Entry:       e,
		ClassName:   cl.Name,
		Alternates:  s.opts.BasePath + "/" + e.CodeString(),
		Guides:      s.cat.GuidesFor(e.Code),
		Sections:    secs,
	}
	if len(e.FAQ) > 0 {
		v.JSONLD = s.faqLD(e.FAQ)
	}
	return s.render("code", v)
}

func (s *Site) guideHTML(g *catalog.Guide) ([]byte, error) {
	v := view{
		Title:       g.Title,
		Description: g.Summary,
		Guide:       g,
		Alternates:  s.opts.BasePath + g.Path(),
	}
	for _, code := range g.Codes {
		v.Entries = append(v.Entries, s.cat.Lookup(code))
	}
	for _, sec := range g.Sections {
		v.Sections = append(v.Sections, sectionView{ID: sec.ID, Title: sec.Title, HTML: s.md.html(sec.Markdown)})
	}
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
