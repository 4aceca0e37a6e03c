package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/teapothq/teapot/internal/respond"
)

//go:embed templates/layout.html assets/*
var files embed.FS

// Cache lifetimes of pages and of hashed assets.
const (
	CachePage  = "public, max-age=3600"
	CacheAsset = "public, max-age=31536000, immutable"
)

// Options configure a Shell.
type Options struct {
	// BasePath is the path prefix the app is served under behind a
	// reverse proxy, such as "/teapot"; "" for the root.
	BasePath string
	// PublicURL is the public origin, such as "https://teapot.example",
	// for absolute URLs; "" when not known.
	PublicURL string
	// Version is shown in the footer.
	Version string
}

// Page is what the layout reads of a page's data; a feature's view embeds
// it and adds its own fields.
type Page struct {
	Title, Description string
	Query              string      // the search box's text
	Filter             bool        // the search box filters the page's list of codes
	Alternates         string      // path of the page's .json and .txt forms, without suffix
	JSONLD             template.JS // structured data
	Scripts            []string    // asset names of the page's scripts, in order
}

// Shell renders pages in teapot's layout and serves the assets.
type Shell struct {
	opts   Options
	layout *template.Template
	// assets by hashed file name ("style.1a2b3c4d.css"), and the address
	// of each by its source name ("style.css").
	assets   map[string]*respond.Body
	assetURL map[string]string
	notFound http.HandlerFunc
	lazy     []*Doc // pages rendered on first use, or by Warm (LazyDoc)
}

// New makes the shell with its own assets (the style sheet and the icon);
// features add theirs with AddAssets before they render.
func New(opts Options) (*Shell, error) {
	opts.BasePath = strings.TrimRight(opts.BasePath, "/")
	opts.PublicURL = strings.TrimRight(opts.PublicURL, "/")
	s := &Shell{opts: opts, assets: map[string]*respond.Body{}, assetURL: map[string]string{},
		notFound: http.NotFound}
	if err := s.AddAssets(files, "assets/*"); err != nil {
		return nil, err
	}
	funcs := template.FuncMap{
		"base":    s.Base,
		"asset":   s.Asset,
		"version": func() string { return s.opts.Version },
		"origin":  s.Origin,
		"guessed": func() bool { return s.opts.PublicURL == "" },
		"lower":   strings.ToLower,
		"join":    strings.Join,
	}
	layout, err := template.New("layout").Funcs(funcs).ParseFS(files, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	s.layout = layout
	return s, nil
}

var assetTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".svg": "image/svg+xml",
}

// AddAssets adds the files of fsys that match pattern, each named after
// its content hash, so that it can be cached for a year and still change
// with a release. Source names are shared by all features: a name added
// twice is an error.
func (s *Shell) AddAssets(fsys fs.FS, pattern string) error {
	names, err := fs.Glob(fsys, pattern)
	if err != nil {
		return err
	}
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		base := path.Base(name)
		if _, dup := s.assetURL[base]; dup {
			return fmt.Errorf("web: asset %s added twice", base)
		}
		ext := path.Ext(base)
		sum := sha256.Sum256(data)
		hashed := strings.TrimSuffix(base, ext) + "." + hex.EncodeToString(sum[:4]) + ext
		s.assets[hashed] = respond.NewBody(assetTypes[ext], CacheAsset, data)
		s.assetURL[base] = s.opts.BasePath + "/assets/" + hashed
	}
	return nil
}

// Asset is the address of an asset by its source name, such as
// "style.css"; "" for one never added.
func (s *Shell) Asset(name string) string { return s.assetURL[name] }

// Assets are the assets by hashed name, for the export.
func (s *Shell) Assets() map[string]*respond.Body { return s.assets }

// ServeAsset answers GET /assets/{file}.
func (s *Shell) ServeAsset(w http.ResponseWriter, r *http.Request) {
	body := s.assets[r.PathValue("file")]
	if body == nil {
		s.NotFound(w, r)
		return
	}
	body.Serve(w, r, http.StatusOK, nil)
}

// Base is the base path, for links in pages rendered ahead of requests.
func (s *Shell) Base() string { return s.opts.BasePath }

// PublicURL is the configured public origin, or "".
func (s *Shell) PublicURL() string { return s.opts.PublicURL }

// Version is the version the footer shows.
func (s *Shell) Version() string { return s.opts.Version }

// Origin is the address snippets on pages show before any script knows
// the real one: the public URL, or a local one.
func (s *Shell) Origin() string {
	if s.opts.PublicURL != "" {
		return s.opts.PublicURL
	}
	return "http://localhost:8080"
}

// Template makes a page template: the layout with the templates of fsys
// that match patterns, which define "content" and may call the layout's
// functions and the extra funcs.
func (s *Shell) Template(fsys fs.FS, funcs template.FuncMap, patterns ...string) (*template.Template, error) {
	t, err := s.layout.Clone()
	if err != nil {
		return nil, err
	}
	return t.Funcs(funcs).ParseFS(fsys, patterns...)
}

// Render executes a page template made by Template with the page's data,
// which embeds Page.
func (s *Shell) Render(t *template.Template, data any) ([]byte, error) {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		return nil, fmt.Errorf("render %s: %w", t.Name(), err)
	}
	// A copy of exactly the page's size: the buffer has grown by
	// doubling, and every page is kept for the life of the process.
	return bytes.Clone(buf.Bytes()), nil
}

// SetNotFound sets the handler of addresses nothing serves: the site's
// page that suggests codes.
func (s *Shell) SetNotFound(h http.HandlerFunc) { s.notFound = h }

// NotFound answers an address nothing serves.
func (s *Shell) NotFound(w http.ResponseWriter, r *http.Request) { s.notFound(w, r) }
