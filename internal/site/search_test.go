package site

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestSearchFormats(t *testing.T) {
	t.Parallel()
	h := newTestSite(t, "/teapot").handler()
	const browser = "Mozilla/5.0"
	tests := []struct {
		name     string
		target   string
		accept   string
		ua       string
		status   int
		location string // for a redirect
		ctype    string
		want     []string // in the body
		vary     bool
	}{
		{name: "code redirects", target: "/search?q=409", accept: "text/html", ua: browser,
			status: http.StatusSeeOther, location: "/teapot/409", vary: true},
		{name: "code with spaces redirects", target: "/search?q=+409+", ua: browser,
			status: http.StatusSeeOther, location: "/teapot/409", vary: true},
		{name: "unofficial code redirects", target: "/search?q=499", ua: browser,
			status: http.StatusSeeOther, location: "/teapot/499", vary: true},
		{name: "lookalike is no code", target: "/search?q=4O9", ua: browser,
			status: 200, ctype: "text/html", want: []string{"0 codes match “4O9”."}, vary: true},
		{name: "code without a page", target: "/search?q=432", ua: browser,
			status: 200, ctype: "text/html", vary: true},
		{name: "code with words", target: "/search?q=nginx+499", ua: browser,
			status: 200, ctype: "text/html", want: []string{`<a href="/teapot/499"><span class="code c4xx">499</span>`}, vary: true},
		{name: "code as JSON", target: "/search?q=409", accept: "application/json",
			status: 200, ctype: "application/json", want: []string{`"query": "409"`}, vary: true},
		{name: "code as .json", target: "/search.json?q=409", ua: browser,
			status: 200, ctype: "application/json", want: []string{`"query": "409"`}},
		{name: "code for curl", target: "/search?q=409", ua: "curl/8.5.0",
			status: 200, ctype: "text/plain", want: []string{"409  Conflict\n"}, vary: true},
		{name: "code as .txt", target: "/search.txt?q=409", ua: browser,
			status: 200, ctype: "text/plain", want: []string{"409  Conflict\n"}},
		{name: "guides in HTML", target: "/search?q=status+000", ua: browser,
			status: 200, ctype: "text/html", want: []string{`<a href="/teapot/guides/000"><span class="name">Status 000`, `<span class="badge">guide</span>`, " guide"}, vary: true},
		{name: "comparisons in text", target: "/search.txt?q=401+vs+403",
			status: 200, ctype: "text/plain", want: []string{"\n/teapot/compare/401-vs-403  401 vs 403"}},
		{name: "query escaped", target: "/search?q=%3Cscript%3Ealert(1)%3C/script%3E", ua: browser,
			status: 200, ctype: "text/html", want: []string{"&lt;script&gt;alert(1)&lt;/script&gt;”."}, vary: true},
		{name: "too long as .json", target: "/search.json?q=" + strings.Repeat("a", 201),
			status: 400, ctype: "application/problem+json", want: []string{"at most 200"}},
		{name: "not acceptable", target: "/search?q=409", accept: "image/png",
			status: 406, ctype: "text/plain", vary: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest("GET", "/teapot"+tt.target, nil)
			if tt.accept != "" {
				r.Header.Set("Accept", tt.accept)
			}
			r.Header.Set("User-Agent", tt.ua)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d\n%s", w.Code, tt.status, w.Body)
			}
			if got := w.Header().Get("Location"); got != tt.location {
				t.Errorf("Location %q, want %q", got, tt.location)
			}
			if got := w.Header().Get("Content-Type"); tt.ctype != "" && !strings.HasPrefix(got, tt.ctype) {
				t.Errorf("Content-Type %q, want %s", got, tt.ctype)
			}
			if got := w.Header().Get("Vary"); (got != "") != tt.vary {
				t.Errorf("Vary %q, want one: %v", got, tt.vary)
			}
			for _, want := range tt.want {
				if !strings.Contains(w.Body.String(), want) {
					t.Errorf("body lacks %q:\n%.2000s", want, w.Body)
				}
			}
		})
	}
}

// TestSearchJSON checks the JSON's shape: the codes in results, best first,
// as before guides were searched, and the guides beside them.
func TestSearchJSON(t *testing.T) {
	t.Parallel()
	h := newTestSite(t, "").handler()
	tests := []struct {
		q         string
		firstCode int
		guide     string // among the guides, if any
	}{
		{"409", 409, "/compare/409-vs-412-vs-428"},
		{"nginx 499", 499, "/compare/499-vs-504"},
		{"rate limit", 429, "/compare/429-vs-503"},
		{"zzzzqqq", 0, ""},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/search.json?q="+url.QueryEscape(tt.q), nil)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		var got struct {
			Query   string `json:"query"`
			Count   int    `json:"count"`
			Results []struct {
				Code int    `json:"code"`
				URL  string `json:"url"`
			} `json:"results"`
			Guides []struct {
				Title   string `json:"title"`
				Summary string `json:"summary"`
				URL     string `json:"url"`
			} `json:"guides"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
			t.Fatalf("%q: %v\n%s", tt.q, err, w.Body)
		}
		if got.Query != tt.q || got.Count != len(got.Results) || got.Results == nil || got.Guides == nil {
			t.Errorf("%q: query %q, count %d of %d results, guides %v", tt.q, got.Query, got.Count, len(got.Results), got.Guides)
		}
		if tt.firstCode == 0 {
			if len(got.Results)+len(got.Guides) > 0 {
				t.Errorf("%q: found %+v", tt.q, got)
			}
			continue
		}
		if len(got.Results) == 0 || got.Results[0].Code != tt.firstCode {
			t.Errorf("%q: results %+v, want %d first", tt.q, got.Results, tt.firstCode)
		}
		found := false
		for _, g := range got.Guides {
			if g.Title == "" || g.Summary == "" {
				t.Errorf("%q: guide %+v", tt.q, g)
			}
			found = found || g.URL == tt.guide
		}
		if !found {
			t.Errorf("%q: guides %+v, want %s among them", tt.q, got.Guides, tt.guide)
		}
	}
}
