package live

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// required are the header fields each code's response must carry.
var required = map[int][]string{
	201: {"Location"}, 301: {"Location"}, 302: {"Location"}, 303: {"Location"}, 307: {"Location"}, 308: {"Location"},
	300: {"Location"}, 304: {"ETag"}, 401: {"WWW-Authenticate"}, 405: {"Allow"}, 407: {"Proxy-Authenticate"},
	206: {"Content-Range"}, 416: {"Content-Range"}, 415: {"Accept"}, 426: {"Upgrade"}, 429: {"Retry-After", "RateLimit"},
	451: {"Link"}, 503: {"Retry-After"},
}

// TestConformance asks for every code from 100 to 599 over HTTP/1.1 and
// HTTP/2, with GET and HEAD, and checks the status, the required header
// fields and the body rules.
func TestConformance(t *testing.T) {
	t.Parallel()
	for _, h2 := range []bool{false, true} {
		name := "HTTP/1.1"
		if h2 {
			name = "HTTP/2"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ts, c := newTestServer(t, Options{}, h2)
			for code := 100; code <= 599; code++ {
				for _, method := range []string{"GET", "HEAD"} {
					checkCode(t, c, ts.URL, method, code, h2)
				}
			}
		})
	}
}

func checkCode(t *testing.T, c *http.Client, base, method string, code int, h2 bool) {
	t.Helper()
	req, _ := http.NewRequest(method, base+"/status/"+strconv.Itoa(code), nil)
	resp, err := c.Do(req)
	if code == 444 {
		if err == nil {
			resp.Body.Close()
			t.Errorf("%s %d: got a %d response, want the connection closed", method, code, resp.StatusCode)
		}
		return
	}
	if err != nil {
		t.Errorf("%s %d: %v", method, code, err)
		return
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := wantStatus(code, h2); resp.StatusCode != want {
		t.Errorf("%s %d: status %d, want %d", method, code, resp.StatusCode, want)
	}
	for _, f := range required[code] {
		if resp.Header.Get(f) == "" {
			t.Errorf("%s %d: no %s", method, code, f)
		}
	}
	noBody := method == "HEAD" || code == 204 || code == 205 || code == 304
	if noBody && len(body) > 0 {
		t.Errorf("%s %d: %d bytes of body, want none", method, code, len(body))
	}
	if !noBody && len(body) == 0 {
		t.Errorf("%s %d: no body", method, code)
	}
	if resp.Header.Get("Access-Control-Allow-Origin") != "*" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("%s %d: CORS or Cache-Control missing", method, code)
	}
	checkExposed(t, method, code, resp.Header)
}

// readable are the response fields a script on another origin may need
// and can read only when Access-Control-Expose-Headers lists them.
var readable = []string{"Retry-After", "Location", "ETag", "Content-Range", "WWW-Authenticate", "Proxy-Authenticate",
	"Allow", "Accept", "Accept-Encoding", "Accept-Ranges", "Link", "Upgrade", "RateLimit", "RateLimit-Policy", "Content-Location"}

// checkExposed checks that a response exposes each of those fields it
// carries, and lists no field it does not carry.
func checkExposed(t *testing.T, method string, code int, h http.Header) {
	t.Helper()
	listed := map[string]bool{}
	for _, f := range strings.Split(h.Get("Access-Control-Expose-Headers"), ",") {
		if f = strings.TrimSpace(f); f != "" {
			listed[strings.ToLower(f)] = true
			if h.Get(f) == "" {
				t.Errorf("%s %d: Access-Control-Expose-Headers lists %s, which the response lacks", method, code, f)
			}
		}
	}
	for _, f := range readable {
		if h.Get(f) != "" && !listed[strings.ToLower(f)] {
			t.Errorf("%s %d: %s is sent but not in Access-Control-Expose-Headers %q", method, code, f, h.Get("Access-Control-Expose-Headers"))
		}
	}
}

// wantStatus is the final status /status/code answers: 1xx are interim
// and followed by 200; 101 needs an upgrade request.
func wantStatus(code int, h2 bool) int {
	switch {
	case code == 101:
		return 400
	case code < 200:
		return 200
	}
	return code
}

// TestInterim observes real 1xx responses with httptrace.
func TestInterim(t *testing.T) {
	t.Parallel()
	ts, c := newTestServer(t, Options{}, false)
	tests := []struct {
		path   string
		expect bool
		want   int
		header string
	}{
		{"/status/103", false, 103, "Link"},
		{"/status/102", false, 102, ""},
		{"/status/100", true, 100, ""},
		{"/status/100", false, 100, ""},
	}
	for _, tt := range tests {
		var got []int
		var hdr textproto.MIMEHeader
		trace := &httptrace.ClientTrace{Got1xxResponse: func(code int, h textproto.MIMEHeader) error {
			got = append(got, code)
			hdr = h
			return nil
		}}
		var body io.Reader
		if tt.expect {
			body = strings.NewReader(strings.Repeat("x", 2000))
		}
		req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), "POST", ts.URL+tt.path, body)
		if tt.expect {
			req.Header.Set("Expect", "100-continue")
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", tt.path, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if len(got) != 1 || got[0] != tt.want || resp.StatusCode != 200 {
			t.Errorf("%s (Expect %v): interim %v then %d, want [%d] then 200", tt.path, tt.expect, got, resp.StatusCode, tt.want)
		}
		if tt.header != "" && hdr.Get(tt.header) == "" {
			t.Errorf("%s: the interim response has no %s", tt.path, tt.header)
		}
		if tt.expect && !strings.Contains(string(b), "read 2000 bytes") {
			t.Errorf("%s: the final response does not count the content: %s", tt.path, b)
		}
	}
}

// TestSwitchProtocols upgrades to the line echo and talks to it.
func TestSwitchProtocols(t *testing.T) {
	t.Parallel()
	ts, _ := newTestServer(t, Options{}, false)
	req, _ := http.NewRequest("GET", ts.URL+"/status/101", nil)
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "echo")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 101 || resp.Header.Get("Upgrade") != "echo" {
		t.Fatalf("status %d Upgrade %q, want 101 echo", resp.StatusCode, resp.Header.Get("Upgrade"))
	}
	rwc := resp.Body.(io.ReadWriteCloser)
	defer rwc.Close()
	io.WriteString(rwc, "hello teapot\n")
	buf := make([]byte, 13)
	if _, err := io.ReadFull(rwc, buf); err != nil || string(buf) != "hello teapot\n" {
		t.Errorf("echo = %q, %v", buf, err)
	}
}

func TestRangeAndConditional(t *testing.T) {
	t.Parallel()
	ts, c := newTestServer(t, Options{}, false)
	get := func(path string, h map[string]string) (*http.Response, string) {
		req, _ := http.NewRequest("GET", ts.URL+path, nil)
		for k, v := range h {
			req.Header.Set(k, v)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}
	resp, body := get("/status/206", map[string]string{"Range": "bytes=41-80"})
	if resp.StatusCode != 206 || resp.Header.Get("Content-Range") != "bytes 41-80/1066" || body != string(demo[41:81]) {
		t.Errorf("Range 41-80: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Range"), body)
	}
	resp, body = get("/status/206", map[string]string{"Range": "bytes=-10"})
	if resp.StatusCode != 206 || body != string(demo[len(demo)-10:]) {
		t.Errorf("suffix range: %q", body)
	}
	for _, rg := range []string{"bytes=5000-", "bytes=9-3", "items=0-1", "bytes=0-1,5-6"} {
		if resp, _ := get("/status/206", map[string]string{"Range": rg}); resp.StatusCode != 416 || resp.Header.Get("Content-Range") != "bytes */1066" {
			t.Errorf("Range %q: %d %q, want 416 bytes */1066", rg, resp.StatusCode, resp.Header.Get("Content-Range"))
		}
	}
	if resp, _ := get("/status/304", map[string]string{"If-None-Match": demoETag}); resp.StatusCode != 304 {
		t.Errorf("matching If-None-Match: %d", resp.StatusCode)
	}
	if resp, body := get("/status/304", map[string]string{"If-None-Match": `"old"`}); resp.StatusCode != 200 || body != string(demo) {
		t.Errorf("stale If-None-Match: %d, want 200 with the representation", resp.StatusCode)
	}
}

// TestHTTP2Abort checks that 444 resets the stream on HTTP/2 too.
func TestHTTP2Abort(t *testing.T) {
	t.Parallel()
	ts, c := newTestServer(t, Options{}, true)
	_, err := c.Get(ts.URL + "/status/444")
	var ue *url.Error
	if err == nil || !errors.As(err, &ue) {
		t.Errorf("444 over HTTP/2: err %v, want a failed request", err)
	}
	_ = tls.VersionTLS13
}

// TestSpecialsTable checks the rows of specials for mistakes the
// conformance test would not name: a misspelt placeholder, a second value
// of a field that would replace the first, data that a serve row ignores.
func TestSpecialsTable(t *testing.T) {
	t.Parallel()
	l := New(testCatalog(t), Options{})
	req := &request{retryAfter: -1, base: "/tp"}
	for code, s := range specials {
		texts := []string{s.note}
		seen := map[string]bool{}
		for i, f := range s.fields {
			texts = append(texts, f.value)
			if seen[f.name] && s.fields[i-1].name != f.name {
				t.Errorf("%d: the second %s is not next to the first, so it replaces it", code, f.name)
			}
			seen[f.name] = true
		}
		for _, text := range texts {
			if got := l.expand(text, code, req); strings.Contains(got, "{") {
				t.Errorf("%d: %q expands to %q: an unknown placeholder", code, text, got)
			}
		}
		if s.serve != nil && (s.note != "" || s.noBody) {
			t.Errorf("%d: a row with serve ignores its note and noBody", code)
		}
	}
	if got := l.expand("{location}", 302, &request{location: "/a{base}"}); got != "/a{base}" {
		t.Errorf("a location option is read as a placeholder: %q", got)
	}
	if got := l.expand(`"teapot";r=0;t={retry_after}`, 429, &request{retryAfter: 7}); got != `"teapot";r=0;t=7` {
		t.Errorf("retry_after expands to %q", got)
	}
}
