package site

import (
	"html"
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"

	"github.com/teapothq/teapot/content"
)

func TestHighlight(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, lang, code string
		want             []string // fragments of the HTML
	}{
		{"request line", "http", "PUT /api/articles/42 HTTP/1.1\nHost: cms.example.com\n",
			[]string{`<span class="hl-kw">PUT</span> /api/articles/42 <span class="hl-meta">HTTP/1.1</span>`,
				`<span class="hl-key">Host</span>: cms.example.com`}},
		{"status line", "http", "HTTP/1.1 409 Conflict\nLink: </api/articles/42>; rel=\"latest-version\"\n",
			[]string{`<span class="hl-meta">HTTP/1.1</span> <span class="hl-lit">409</span> Conflict`,
				`<span class="hl-key">Link</span>: &lt;/api/articles/42&gt;; rel=&#34;latest-version&#34;`}},
		{"JSON body", "http", "HTTP/1.1 200 OK\nContent-Type: application/problem+json\n\n{\"status\": 409, \"ok\": true}\n",
			[]string{`<span class="hl-key">&#34;status&#34;</span>: <span class="hl-lit">409</span>`, `<span class="hl-lit">true</span>`}},
		{"JSON body without a type", "http", "POST / HTTP/1.1\n\n[\"a\"]\n", []string{`[<span class="hl-str">&#34;a&#34;</span>]`}},
		{"HTML body", "http", "HTTP/1.1 404 Not Found\nContent-Type: text/html\n\n<p class=\"x\">gone</p>\n",
			[]string{`&lt;<span class="hl-kw">p</span> <span class="hl-key">class</span>=<span class="hl-str">&#34;x&#34;</span>&gt;gone&lt;/<span class="hl-kw">p</span>&gt;`}},
		{"text body stays plain", "http", "HTTP/1.1 200 OK\nContent-Type: text/plain\n\nKey: value\n",
			[]string{"\n\nKey: value\n"}},
		{"interim response", "http", "HTTP/1.1 103 Early Hints\nLink: </a.css>\n\nHTTP/1.1 200 OK\n",
			[]string{`<span class="hl-lit">103</span>`, `<span class="hl-lit">200</span>`}},
		{"go", "go", "if err != nil {\n\treturn fmt.Errorf(\"x: %w\", err) // wrap\n}\ns := `raw\n\\`\n",
			[]string{`<span class="hl-kw">if</span> err != <span class="hl-lit">nil</span>`, `fmt.<span class="hl-fn">Errorf</span>(<span class="hl-str">&#34;x: %w&#34;</span>`,
				`<span class="hl-com">// wrap</span>`, "<span class=\"hl-str\">`raw\n\\`</span>"}},
		{"js", "js", "const r = await fetch(`/x/${id}`); /* note */",
			[]string{`<span class="hl-kw">const</span>`, `<span class="hl-fn">fetch</span>`, "<span class=\"hl-str\">`/x/${id}`</span>", `<span class="hl-com">/* note */</span>`}},
		{"python", "python", "@app.get(\"/\")\ndef f():\n    return f\"{x}\", None  # done\n",
			[]string{`<span class="hl-meta">@app.get</span>`, `<span class="hl-kw">def</span> <span class="hl-fn">f</span>`,
				`<span class="hl-str">f&#34;{x}&#34;</span>`, `<span class="hl-lit">None</span>`, `<span class="hl-com"># done</span>`}},
		{"java", "java", "@GetMapping\npublic String s() { return \"\"\"\n  a\"b\n  \"\"\"; }",
			[]string{`<span class="hl-meta">@GetMapping</span>`, `<span class="hl-kw">public</span> String <span class="hl-fn">s</span>`,
				"<span class=\"hl-str\">&#34;&#34;&#34;\n  a&#34;b\n  &#34;&#34;&#34;</span>"}},
		{"shell", "sh", "# status\nTOKEN=abc curl -s -H \"Authorization: Bearer $TOKEN\" \\\n  https://x.example/ 2>&1 | grep -i '^< HTTP'\n",
			[]string{`<span class="hl-com"># status</span>`, `<span class="hl-var">TOKEN</span>=abc <span class="hl-fn">curl</span> <span class="hl-key">-s</span>`,
				`<span class="hl-str">&#34;Authorization: Bearer </span><span class="hl-var">$TOKEN</span><span class="hl-str">&#34;</span>`,
				"\\\n  https://x.example/ 2&gt;&amp;1 | <span class=\"hl-fn\">grep</span>", `<span class="hl-str">&#39;^&lt; HTTP&#39;</span>`}},
		{"shell option with a value", "curl", "curl --max-time=3 url#frag", []string{`<span class="hl-key">--max-time</span>=3 url#frag`}},
		{"nginx", "nginx", "location / {\n    return 301 https://$host$request_uri;  # away\n}\n",
			[]string{`<span class="hl-kw">location</span> / {`, `<span class="hl-kw">return</span> <span class="hl-lit">301</span> https://<span class="hl-var">$host$request_uri</span>;`,
				`<span class="hl-com"># away</span>`}},
		{"unknown language", "cobol", "<a> & b", []string{"&lt;a&gt; &amp; b"}},
		{"no language", "", "x < y", []string{"x &lt; y"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := string(highlight(tc.lang, tc.code))
			for _, want := range tc.want {
				if !strings.Contains(got, want) {
					t.Errorf("highlight(%q) lacks\n\t%s\nin\n\t%s", tc.lang, want, got)
				}
			}
			checkHighlighted(t, tc.lang, tc.code, got)
		})
	}
}

func TestHighlightPlainWithoutLexer(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{"", "text", "txt", "cobol"} {
		if got := string(highlight(lang, "a <b>\n")); got != "a &lt;b&gt;\n" {
			t.Errorf("highlight(%q) = %q, want the code escaped and nothing else", lang, got)
		}
	}
}

var spanTag = regexp.MustCompile(`<span class="hl-(com|kw|str|lit|key|fn|var|meta)">|</span>`)

// checkHighlighted checks that the HTML is the code: only the known spans,
// never nested, and the text unchanged.
func checkHighlighted(t *testing.T, lang, code, got string) {
	t.Helper()
	depth := 0
	for _, tag := range spanTag.FindAllString(got, -1) {
		if tag == "</span>" {
			depth--
		} else {
			depth++
		}
		if depth < 0 || depth > 1 {
			t.Fatalf("highlight(%q, %q): spans nested or unbalanced:\n%s", lang, code, got)
		}
	}
	if depth != 0 {
		t.Fatalf("highlight(%q, %q): a span is left open:\n%s", lang, code, got)
	}
	plain := spanTag.ReplaceAllString(got, "")
	if strings.ContainsAny(plain, "<>") {
		t.Fatalf("highlight(%q, %q): markup other than the spans:\n%s", lang, code, got)
	}
	// html/template writes NUL as U+FFFD.
	if back, want := html.UnescapeString(plain), strings.ReplaceAll(code, "\x00", "\uFFFD"); back != want {
		t.Fatalf("highlight(%q) changed the text:\n got %q\nwant %q", lang, back, want)
	}
}

// TestHighlightContent highlights every code block of the catalog: none
// loses or changes a character, and every block in a language with a
// lexer gets colours.
func TestHighlightContent(t *testing.T) {
	t.Parallel()
	md := goldmark.New()
	blocks := 0
	err := fs.WalkDir(content.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".md") {
			return err
		}
		src, err := fs.ReadFile(content.FS, path)
		if err != nil {
			return err
		}
		doc := md.Parser().Parse(text.NewReader(src))
		return ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
			f, ok := n.(*ast.FencedCodeBlock)
			if !ok || !entering {
				return ast.WalkContinue, nil
			}
			var code strings.Builder
			for i := range f.Lines().Len() {
				seg := f.Lines().At(i)
				code.Write(seg.Value(src))
			}
			lang := string(f.Language(src))
			got := string(highlight(lang, code.String()))
			checkHighlighted(t, lang, code.String(), got)
			if lexers[lang] != nil && strings.TrimSpace(code.String()) != "" && !strings.Contains(got, `<span class="hl-`) {
				t.Errorf("%s: a %s block got no colours:\n%s", path, lang, code.String())
			}
			if lang == "http" && httpCaption(code.String()) == "" {
				t.Errorf("%s: an http block with neither a request nor a status line:\n%s", path, code.String())
			}
			blocks++
			return ast.WalkContinue, nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if blocks < 100 {
		t.Errorf("found %d code blocks in the content, want many more: is the walk broken?", blocks)
	}
}

func TestHTTPCaption(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ code, want string }{
		{"GET / HTTP/1.1\nHost: x\n", "Request"},
		{"M-SEARCH * HTTP/1.1\n", "Request"},
		{"HTTP/1.1 409 Conflict\nContent-Type: application/json\n\n{}\n", "Response"},
		{"HTTP/2 204\n", "Response"},
		{"HTTP/1.1 100 Continue\n\nHTTP/1.1 201 Created\n", "Responses"},
		{"PUT /x HTTP/1.1\n\nbody\n\nHTTP/1.1 200 OK\n", "Request and response"},
		{"GET / HTTP/1.1\n\nGET /a HTTP/1.1\n", "Requests"},
		{"Host: x\n", ""},
		{"get / http/1.1\n", ""},
		{"HTTP/1.1 40 Short\n", ""},
		{"HTTP/1.1 200 OK\n\nHTTP/1.1 in the body\n", "Response"},
	} {
		if got := httpCaption(tc.code); got != tc.want {
			t.Errorf("httpCaption(%q) = %q, want %q", tc.code, got, tc.want)
		}
	}
}

// FuzzHighlight: whatever the code, every lexer ends, keeps the text and
// writes only its spans.
func FuzzHighlight(f *testing.F) {
	for _, seed := range []string{
		"PUT /a HTTP/1.1\nContent-Type: application/json\n\n{\"a\": [1, -2.5e3, null]}\n",
		"HTTP/1.1 200 OK\n\n<a href='x'>y</a><!-- c --><?xml ?>",
		"func f() { s := `x` + \"\\\"\" + 'r' /* c */ }",
		"def f(): return rb'''x''' # c",
		"curl -s \"$X ${Y}\" 'z' $(date) 2>&1 | grep x # c \\\n",
		"location / { return 301 \"$host\"; } # c",
		"\"unterminated", "'", "`", "/*", "<", "<a b='", "$", "${", "@", "\\", "\r\n\r\n",
	} {
		f.Add(seed)
	}
	langs := []string{""}
	for lang := range lexers {
		langs = append(langs, lang)
	}
	f.Fuzz(func(t *testing.T, code string) {
		for _, lang := range langs {
			checkHighlighted(t, lang, code, string(highlight(lang, code)))
		}
	})
}
