package web

import (
	"net/http"
	"strings"
	"sync"

	"github.com/teapothq/teapot/internal/respond"
)

// The formats a page can be asked for, as media types.
const (
	HTML = "text/html"
	JSON = "application/json"
	Text = "text/plain"
)

// Negotiated is the Vary of a response whose format comes from the
// request's headers rather than from a suffix; VaryPage is the same with
// the content coding, for prebuilt pages.
const Negotiated = "Accept, User-Agent"

// VaryPage is the Vary of a negotiated prebuilt page.
var VaryPage = []string{Negotiated + ", Accept-Encoding"}

// Format picks the representation of a page: the one a suffix names
// (".json", ".txt"), else what Accept prefers, with ties going to HTML for
// browsers and to plain text for command-line clients such as curl, wget
// and HTTPie. ok is false when Accept allows none of the three. This is
// the one rule every feature follows.
func Format(r *http.Request, suffix string) (format string, ok bool) {
	if f := SuffixFormat(suffix); f != "" {
		return f, true
	}
	key := formatKey{r.Header.Get("Accept"), respond.CommandLine(r.Header.Get("User-Agent"))}
	formats.mu.RLock()
	res, hit := formats.m[key]
	formats.mu.RUnlock()
	if hit {
		return res.format, res.ok
	}
	if key.cli {
		res.format, res.ok = respond.Negotiate(key.accept, Text, HTML, JSON)
	} else {
		res.format, res.ok = respond.Negotiate(key.accept, HTML, JSON, Text)
	}
	formats.mu.Lock()
	if len(formats.m) < maxCachedFormats && len(key.accept) <= 256 {
		formats.m[key] = res
	}
	formats.mu.Unlock()
	return res.format, res.ok
}

// formats remembers the format chosen for recent Accept headers: browsers
// send a handful of them, and parsing one costs more than the rest of
// serving a page. It stops growing at maxCachedFormats entries, so odd
// headers cannot fill memory.
var formats = struct {
	mu sync.RWMutex
	m  map[formatKey]formatResult
}{m: map[formatKey]formatResult{}}

const maxCachedFormats = 512

type formatKey struct {
	accept string
	cli    bool
}

type formatResult struct {
	format string
	ok     bool
}

// SplitSuffix turns "409.json" into ("409", ".json"); a name without a
// known suffix has suffix "".
func SplitSuffix(name string) (stem, suffix string) {
	for _, suf := range []string{".json", ".txt"} {
		if stem, ok := strings.CutSuffix(name, suf); ok {
			return stem, suf
		}
	}
	return name, ""
}

// SuffixFormat is the format a suffix names: JSON for ".json", Text for
// ".txt", "" for none.
func SuffixFormat(suffix string) string {
	switch suffix {
	case ".json":
		return JSON
	case ".txt":
		return Text
	}
	return ""
}

// NotAcceptable answers a request whose Accept allows none of a page's
// formats.
func NotAcceptable(w http.ResponseWriter) {
	w.Header().Set("Vary", Negotiated)
	respond.Text(w, http.StatusNotAcceptable,
		"406 Not Acceptable: this page is available as text/html, application/json and text/plain.\n"+
			"Ask for one of them in Accept, or add .json or .txt to the address.\n")
}

// PlainHost reports whether a Host header is a name or an address with an
// optional port and nothing else, fit to be written into a URL or a
// Content-Security-Policy source: net/http lets through characters such
// as semicolons, commas and quotes, which would end one.
func PlainHost(h string) bool {
	if h == "" || len(h) > 255 {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(".-:[]", c) >= 0) {
			return false
		}
	}
	return true
}
