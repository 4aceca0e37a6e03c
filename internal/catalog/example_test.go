package catalog

import (
	"bufio"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// requiredHeaders are the fields the RFCs require (or, for Retry-After,
// that a useful example carries) in a response with the code.
var requiredHeaders = map[int][]string{
	201: {"Location"}, 301: {"Location"}, 302: {"Location"}, 303: {"Location"}, 307: {"Location"}, 308: {"Location"},
	304: {"ETag"}, 401: {"WWW-Authenticate"}, 405: {"Allow"}, 407: {"Proxy-Authenticate"},
	206: {"Content-Range"}, 416: {"Content-Range"}, 426: {"Upgrade"}, 429: {"Retry-After"}, 503: {"Retry-After"},
}

// rawMessage turns an example as written (plain line ends) into the bytes
// on the wire: CRLF after the start line and each header, the body as is.
func rawMessage(s string) string {
	head, body, _ := strings.Cut(s, "\n\n")
	return strings.ReplaceAll(head, "\n", "\r\n") + "\r\n\r\n" + body
}

// TestExamples parses every page's example exchange as HTTP/1.1: the
// request must parse, the response must have the page's status, an exact
// Content-Length, no body where the code forbids one, and the header fields
// the code requires.
func TestExamples(t *testing.T) {
	t.Parallel()
	c := loadEmbedded(t)
	for _, e := range c.Entries() {
		if e.Example.Response == "" {
			continue
		}
		t.Run(e.CodeString(), func(t *testing.T) {
			req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(rawMessage(e.Example.Request))))
			if err != nil {
				t.Fatalf("%s: the example request does not parse: %v", e.File, err)
			}
			if req.Host == "" {
				t.Errorf("%s: the example request has no Host", e.File)
			}
			raw := rawMessage(e.Example.Response)
			resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(raw)), req)
			if err != nil {
				t.Fatalf("%s: the example response does not parse: %v", e.File, err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != e.Code {
				t.Errorf("%s: example status %d, want %d", e.File, resp.StatusCode, e.Code)
			}
			_, body, _ := strings.Cut(raw, "\r\n\r\n")
			noBody := e.Code < 200 || e.Code == 204 || e.Code == 304
			if noBody && body != "" {
				t.Errorf("%s: a %d response has no content, but the example has %d bytes", e.File, e.Code, len(body))
			}
			if cl := resp.Header.Get("Content-Length"); cl != "" && !noBody {
				if n, _ := strconv.Atoi(cl); n != len(body) {
					t.Errorf("%s: Content-Length is %s, the body has %d bytes", e.File, cl, len(body))
				}
				if got, _ := io.ReadAll(resp.Body); len(got) != len(body) {
					t.Errorf("%s: read %d body bytes, want %d", e.File, len(got), len(body))
				}
			}
			for _, h := range requiredHeaders[e.Code] {
				if resp.Header.Get(h) == "" {
					t.Errorf("%s: the example response lacks %s", e.File, h)
				}
			}
		})
	}
}

// rfcLink is a Markdown link to a section of an RFC on rfc-editor.org.
var rfcLink = regexp.MustCompile(`\[([^\]]*)\]\(https://www\.rfc-editor\.org/rfc/rfc(\d+)\.html(?:#section-([0-9A-Z.]+))?\)`)

// linkText finds "RFC 9110, Section 15.5.10", "RFC 6585" or "Section 13.1"
// in a link's text.
var linkText = regexp.MustCompile(`(?:RFC\s*(\d+))?(?:,?\s*(?:Section|§)\s*([0-9A-Z.]*[0-9A-Z]))?`)

// TestRFCLinks checks that every link to an RFC section points where its
// text says: "[RFC 9110, Section 15.5.13](...#section-15.5.13)".
func TestRFCLinks(t *testing.T) {
	t.Parallel()
	c := loadEmbedded(t)
	check := func(file string, secs []Section) {
		for _, s := range secs {
			for _, m := range rfcLink.FindAllStringSubmatch(s.Markdown, -1) {
				text, num, sec := m[1], m[2], m[3]
				for _, tm := range linkText.FindAllStringSubmatch(text, -1) {
					if tm[1] != "" && tm[1] != num || tm[2] != "" && tm[2] != sec {
						t.Errorf("%s (%s): link %q points to RFC %s section %q", file, s.Title, text, num, sec)
					}
				}
			}
		}
	}
	for _, e := range c.Entries() {
		check(e.File, e.Sections)
	}
	for _, g := range c.Guides() {
		check(g.File, g.Sections)
	}
}
