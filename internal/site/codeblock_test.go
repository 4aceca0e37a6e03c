package site

import (
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestAccidentalLists(t *testing.T) {
	t.Parallel()
	md := newMarkdown("")
	for _, tc := range []struct {
		name, src     string
		html, notHTML []string
		text          string
	}{
		{"status code answer", "### 409 or 412?\n\n409. A 412 reports a [false](/412) condition.\n\nNext.\n",
			[]string{"<p>409. A 412 reports a <a href=\"/412\">false</a> condition.</p>\n<p>Next.</p>"}, []string{"<ol", "<li>"},
			"409. A 412 reports a false condition."},
		{"wrapped answer", "201. It tells clients\nwhere it lives.\n",
			[]string{"<p>201. It tells clients\nwhere it lives.</p>"}, []string{"<ol"}, "201. It tells clients where it lives."},
		{"two of them", "301) Moved.\n\n302) Found.\n",
			[]string{"<p>301) Moved.</p>", "<p>302) Found.</p>"}, []string{"<ol"}, "301) Moved.\n\n302) Found."},
		{"with a list inside", "404. Gone:\n     - here\n     - there\n",
			[]string{"<p>404. Gone:</p>\n<ul>\n<li>here</li>"}, []string{"<ol"}, "404. Gone:"},
		{"empty item", "500.\n", []string{"<p>500. </p>"}, []string{"<ol"}, "500."},
		{"a real list", "1. one\n2. two\n", []string{"<ol>\n<li>one</li>"}, nil, "1. one\n2. two"},
		{"a list continued", "3. three\n4. four\n", []string{`<ol start="3">`}, nil, "3. three"},
		{"in a quote", "> 429. Slow down.\n", []string{"<blockquote>\n<p>429. Slow down.</p>"}, []string{"<ol"}, "> 429. Slow down."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			html, text := md.render(tc.src, 80)
			for _, want := range tc.html {
				if !strings.Contains(string(html), want) {
					t.Errorf("HTML lacks %q:\n%s", want, html)
				}
			}
			for _, bad := range tc.notHTML {
				if strings.Contains(string(html), bad) {
					t.Errorf("HTML has %q:\n%s", bad, html)
				}
			}
			if !strings.Contains(text, tc.text) {
				t.Errorf("text lacks %q:\n%s", tc.text, text)
			}
		})
	}
}

func TestCodeBlockHTML(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, lang, code, want string
	}{
		{"request", "http", "GET / HTTP/1.1\n",
			`<figure class="codeblock"><figcaption>Request</figcaption><pre tabindex="0"><code class="language-http"><span class="hl-kw">GET</span> / <span class="hl-meta">HTTP/1.1</span>` + "\n</code></pre></figure>\n"},
		{"response", "http", "HTTP/1.1 204 No Content\n", `<figure class="codeblock"><figcaption>Response</figcaption><pre`},
		{"go", "go", "x()\n", `<div class="codeblock"><pre tabindex="0"><code class="language-go"><span class="hl-fn">x</span>()` + "\n</code></pre></div>\n"},
		{"no language", "", "a&b\n", `<div class="codeblock"><pre tabindex="0"><code>a&amp;b` + "\n</code></pre></div>\n"},
		{"odd language", `"><x`, "a\n", `<code class="language-&#34;&gt;&lt;x">a`},
	} {
		var b strings.Builder
		writeCodeBlock(&b, tc.lang, tc.code)
		if got := b.String(); !strings.Contains(got, tc.want) {
			t.Errorf("%s: got\n\t%s\nwant it to contain\n\t%s", tc.name, got, tc.want)
		}
	}
	md := newMarkdown("")
	html, text := md.render("- item\n\n      indented code\n\n```sh\ncurl -s x\n```\n\n```\nHTTP/1.1 200 OK\n```\n\n```\nGET it\n```\n", 80)
	if n := strings.Count(string(html), `class="codeblock"`); n != 4 {
		t.Errorf("%d code blocks in\n%s\nwant 4, the indented one too", n, html)
	}
	if want := `<figcaption>Response</figcaption><pre tabindex="0"><code class="language-http">`; !strings.Contains(string(html), want) {
		t.Errorf("a block with no language that holds an HTTP response is not shown as one:\n%s", html)
	}
	if want := "<code>GET it\n</code>"; !strings.Contains(string(html), want) {
		t.Errorf("a block with no language and no HTTP start line is not plain:\n%s", html)
	}
	if strings.Contains(text, "<") || !strings.Contains(text, "    curl -s x") {
		t.Errorf("the text form is not the plain code:\n%s", text)
	}
}

var olStart = regexp.MustCompile(`<ol start="(\d+)"`)

// TestBuiltPages checks every page of the site (codes, classes, guides,
// comparisons): no paragraph became a list numbered from a status code,
// every code block is wrapped and its page loads the copy script, http
// examples are captioned, and the text forms carry no markup.
func TestBuiltPages(t *testing.T) {
	t.Parallel()
	s := newTestSite(t, "")
	codes := 0
	for path, p := range s.pages {
		if p.HTML() == nil {
			continue
		}
		page := string(p.HTML().Data)
		for _, m := range olStart.FindAllStringSubmatch(page, -1) {
			if n, _ := strconv.Atoi(m[1]); n >= minAccidentalStart {
				t.Errorf("%s: a list numbered from %d, a paragraph that opens with a status code: %s", path, n, m[0])
			}
		}
		blocks := strings.Count(page, `class="codeblock"`)
		if pres := strings.Count(page, "<pre"); pres != blocks {
			t.Errorf("%s: %d <pre> but %d code blocks", path, pres, blocks)
		}
		if hasScript := strings.Contains(page, s.shell.Asset("codecopy.js")); hasScript != (blocks > 0) {
			t.Errorf("%s: %d code blocks, and codecopy.js loaded: %v", path, blocks, hasScript)
		}
		if p.Text() != nil {
			if txt := string(p.Text().Data); strings.Contains(txt, `<span class="hl-`) || strings.Contains(txt, `class="codeblock"`) {
				t.Errorf("%s: markup in the text form", path)
			}
		}
		codes += blocks
	}
	if codes < 100 {
		t.Errorf("%d code blocks on all pages; want many more", codes)
	}

	for _, e := range s.cat.Entries() {
		for _, sec := range e.Sections {
			if sec.ID != "example" || !strings.Contains(sec.Markdown, "```http") {
				continue
			}
			html := string(s.md.html(sec.Markdown))
			if http, captions := strings.Count(html, `class="language-http"`), strings.Count(html, "<figcaption>"); captions != http {
				t.Errorf("%d: %d http blocks in Example, %d captioned", e.Code, http, captions)
			}
		}
	}
	page := string(s.pages["/409"].HTML().Data)
	req := strings.Index(page, "<figcaption>Request</figcaption>")
	resp := strings.Index(page, "<figcaption>Response</figcaption>")
	if req < 0 || resp < req {
		t.Errorf("/409: want a Request caption, then a Response caption (at %d and %d)", req, resp)
	}
	if txt := string(s.pages["/409"].Text().Data); !strings.Contains(txt, "    PUT /api/articles/42 HTTP/1.1\n") {
		t.Errorf("/409.txt lacks the request line, indented and plain")
	}
}

// TestCodeColoursContrast reads the code colours from the style sheet and
// checks WCAG's 4.5:1 against the backgrounds code is shown on, in light
// and dark mode. axe-core cannot: the scroll shadows are background
// images, so it leaves code blocks unchecked.
func TestCodeColoursContrast(t *testing.T) {
	t.Parallel()
	css, err := os.ReadFile("../web/assets/style.css")
	if err != nil {
		t.Fatal(err)
	}
	light, dark := schemeColours(string(css))
	tokens := []string{"--hl-com", "--hl-kw", "--hl-str", "--hl-lit", "--hl-key", "--hl-fn", "--hl-var", "--hl-meta"}
	for _, sc := range []struct {
		name   string
		colour map[string]string
	}{{"light", light}, {"dark", dark}} {
		for _, tok := range tokens {
			for _, bg := range []string{"--card", "--bg"} {
				fg, back := sc.colour[tok], sc.colour[bg]
				if fg == "" || back == "" {
					t.Errorf("%s: no %s or %s in style.css", sc.name, tok, bg)
					continue
				}
				if r := contrast(fg, back); r < 4.5 {
					t.Errorf("%s: %s %s on %s %s has a contrast of %.2f:1, want at least 4.5:1", sc.name, tok, fg, bg, back, r)
				}
			}
		}
	}
}

var (
	customProperty = regexp.MustCompile(`(--[a-z0-9-]+):\s*(#[0-9a-fA-F]{6})\b`)
	darkScheme     = regexp.MustCompile(`@media \(prefers-color-scheme: dark\) \{\s*:root \{([^}]*)\}`)
	rootRule       = regexp.MustCompile(`(?m)^:root \{([^}]*)\}`)
)

// schemeColours are the hex custom properties of the style sheet's :root
// rules, for light mode, and with its dark-mode :root rules over them.
func schemeColours(css string) (light, dark map[string]string) {
	light, dark = map[string]string{}, map[string]string{}
	for _, rule := range rootRule.FindAllStringSubmatch(css, -1) {
		for _, m := range customProperty.FindAllStringSubmatch(rule[1], -1) {
			light[m[1]], dark[m[1]] = m[2], m[2]
		}
	}
	for _, rule := range darkScheme.FindAllStringSubmatch(css, -1) {
		for _, m := range customProperty.FindAllStringSubmatch(rule[1], -1) {
			dark[m[1]] = m[2]
		}
	}
	return light, dark
}

// contrast is WCAG 2's contrast ratio of two #rrggbb colours.
func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

func luminance(hex string) float64 {
	var l float64
	for i, weight := range []float64{0.2126, 0.7152, 0.0722} {
		v, _ := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		c := float64(v) / 255
		if c <= 0.03928 {
			c /= 12.92
		} else {
			c = math.Pow((c+0.055)/1.055, 2.4)
		}
		l += weight * c
	}
	return l
}
