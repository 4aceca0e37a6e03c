package site

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/teapothq/teapot/content"
	"github.com/teapothq/teapot/internal/catalog"
	"github.com/teapothq/teapot/internal/server"
	"github.com/teapothq/teapot/internal/web"
)

func newTestSite(t testing.TB, base string) *Site {
	t.Helper()
	cat, err := catalog.Load(content.FS)
	if err != nil {
		t.Fatal(err)
	}
	shell, err := web.New(web.Options{BasePath: base, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(cat, shell)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// handler serves s under its base path as the server does.
func (s *Site) handler() http.Handler {
	return server.New(server.Config{BasePath: s.shell.Base()}, slog.New(slog.DiscardHandler), s.Register).Handler()
}

func TestEveryCodeHasAllForms(t *testing.T) {
	t.Parallel()
	s := newTestSite(t, "")
	for _, e := range s.cat.Entries() {
		p := s.pages["/"+e.CodeString()]
		if p == nil || p.HTML() == nil || p.JSON() == nil || p.Text() == nil {
			t.Fatalf("%d: missing a representation", e.Code)
		}
		html := string(p.HTML().Data)
		for _, want := range []string{"<h1>", e.Title(), `<meta name="description"`} {
			if !strings.Contains(html, want) && !strings.Contains(html, strings.ReplaceAll(want, "'", "&#39;")) {
				t.Errorf("%d: HTML lacks %q", e.Code, want)
			}
		}
		if !e.Draft && !strings.Contains(html, `"@type":"FAQPage"`) {
			t.Errorf("%d: full page without FAQPage JSON-LD", e.Code)
		}
		if !strings.HasPrefix(string(p.Text().Data), e.CodeString()+" ") {
			t.Errorf("%d: text does not start with the code", e.Code)
		}
	}
}

func TestPlainText(t *testing.T) {
	t.Parallel()
	md := newMarkdown("")
	got := md.text("A [link](/412) and [RFC](https://example.com/x) and `code`.\n\n- one\n- two\n\n```http\nGET / HTTP/1.1\n```\n\n| a | b |\n|---|---|\n| 1 | 22 |\n", 40)
	for _, want := range []string{
		"A link and RFC <https://example.com/x>\nand `code`.",
		"- one\n- two",
		"    GET / HTTP/1.1",
		"a | b\n--+---\n1 | 22",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("text lacks %q:\n%s", want, got)
		}
	}
}

// FuzzRequest sends arbitrary paths and headers to the site: it must never
// panic or answer 5xx.
func FuzzRequest(f *testing.F) {
	s := newTestSite(f, "/teapot")
	h := s.handler()
	for _, seed := range [][3]string{
		{"/teapot/409", "text/html", "Mozilla"},
		{"/teapot/409.json", "*/*", "curl/8"},
		{"/teapot/4O9", "application/json;q=0.5", ""},
		{"/teapot/search?q=%3Cscript%3E", "text/plain", "HTTPie/3"},
		{"/teapot/api/codes/4xx", ";;", "Wget/1"},
		{"/teapot/assets/x.css", "image/*", ""},
	} {
		f.Add(seed[0], seed[1], seed[2])
	}
	f.Fuzz(func(t *testing.T, target, accept, ua string) {
		if !strings.HasPrefix(target, "/") || strings.ContainsAny(target, " \r\n\t#") {
			return
		}
		r, err := http.NewRequest("GET", "http://x"+target, nil)
		if err != nil {
			return
		}
		r.Header.Set("Accept", accept)
		r.Header.Set("User-Agent", ua)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("%s (Accept %q): status %d", target, accept, w.Code)
		}
	})
}
