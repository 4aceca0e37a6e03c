package catalog

import (
	"bufio"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/teapothq/teapot/content"
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
	c, err := Load(content.FS)
	if err != nil {
		t.Fatal(err)
	}
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
