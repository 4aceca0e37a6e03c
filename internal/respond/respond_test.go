package respond

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
)

func TestNegotiate(t *testing.T) {
	t.Parallel()
	offers := []string{"text/html", "application/json", "text/plain"}
	tests := []struct {
		accept string
		want   string
		ok     bool
	}{
		{"", "text/html", true},
		{"*/*", "text/html", true},
		{"application/json", "application/json", true},
		{"text/plain", "text/plain", true},
		{"text/*", "text/html", true},
		{"text/*;q=0.5, application/json", "application/json", true},
		{"text/html;q=0.1, text/plain;q=0.9", "text/plain", true},
		{"text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8", "text/html", true},
		{"application/json;q=0, */*", "text/html", true},
		{"image/png", "", false},
		{"*/*;q=0", "", false},
		{"text/html;q=0, application/json;q=0, text/plain;q=0", "", false},
		// Malformed ranges are ignored: with none left, anything goes.
		{"garbage", "text/html", true},
		{"text/html;q=2", "text/html", true},
		{"text/html;q=abc, application/json", "application/json", true},
		{"*/json", "text/html", true},
		{";;;,,,//", "text/html", true},
		{strings.Repeat("image/png,", 100) + "application/json", "", false},
	}
	for _, tt := range tests {
		got, ok := Negotiate(tt.accept, offers...)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Negotiate(%.40q) = %q, %v; want %q, %v", tt.accept, got, ok, tt.want, tt.ok)
		}
	}
}

func TestAcceptEncoding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		h    string
		want Encodings
	}{
		{"", Encodings{}},
		{"gzip", Encodings{Gzip: true}},
		{"gzip, deflate, br, zstd", Encodings{Brotli: true, Gzip: true}},
		{"br;q=0, gzip", Encodings{Gzip: true}},
		{"*", Encodings{Brotli: true, Gzip: true}},
		{"*, br;q=0", Encodings{Gzip: true}},
		{"identity", Encodings{}},
		{"GZIP", Encodings{Gzip: true}},
		{"x-gzip", Encodings{Gzip: true}},
		{"gzip;q=nonsense", Encodings{}},
	}
	for _, tt := range tests {
		if got := AcceptEncoding(tt.h); got != tt.want {
			t.Errorf("AcceptEncoding(%q) = %+v, want %+v", tt.h, got, tt.want)
		}
	}
}

func TestNoneMatch(t *testing.T) {
	t.Parallel()
	const etag = `"abc"`
	tests := []struct {
		h    string
		want bool
	}{
		{"", true},
		{`"abc"`, false},
		{`W/"abc"`, false},
		{`"x", "abc"`, false},
		{`"x","y"`, true},
		{`*`, false},
		{`"abd"`, true},
		{`abc`, true},          // malformed: ignored
		{`"abc`, true},         // unterminated
		{`"a b", "abc"`, true}, // a space is not an etagc
		{`"x" "abc"`, true},    // no comma
		{strings.Repeat(`"x", `, 100) + `"abc"`, true},
	}
	for _, tt := range tests {
		if got := NoneMatch(tt.h, etag); got != tt.want {
			t.Errorf("NoneMatch(%.40q) = %v, want %v", tt.h, got, tt.want)
		}
	}
}

func TestBodyServe(t *testing.T) {
	t.Parallel()
	data := []byte(strings.Repeat("teapot status codes ", 200))
	b := NewBody(TypeHTML, "public, max-age=60", data)
	serve := func(method string, h map[string]string) *http.Response {
		r := httptest.NewRequest(method, "/x", nil)
		for k, v := range h {
			r.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		b.Serve(w, r, http.StatusOK, []string{"Accept, Accept-Encoding"})
		return w.Result()
	}
	read := func(resp *http.Response) []byte {
		var rd io.Reader = resp.Body
		switch resp.Header.Get("Content-Encoding") {
		case "gzip":
			zr, err := gzip.NewReader(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			rd = zr
		case "br":
			rd = brotli.NewReader(resp.Body)
		}
		got, err := io.ReadAll(rd)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	etags := map[string]string{}
	for _, enc := range []string{"", "gzip", "br", "gzip, br"} {
		resp := serve("GET", map[string]string{"Accept-Encoding": enc})
		wantEnc := map[string]string{"": "", "gzip": "gzip", "br": "br", "gzip, br": "br"}[enc]
		if got := resp.Header.Get("Content-Encoding"); got != wantEnc {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, want %q", enc, got, wantEnc)
		}
		if got := read(resp); !bytes.Equal(got, data) {
			t.Errorf("Accept-Encoding %q: body differs after decoding", enc)
		}
		if v := resp.Header.Get("Vary"); v != "Accept, Accept-Encoding" {
			t.Errorf("Vary = %q", v)
		}
		etags[wantEnc] = resp.Header.Get("ETag")
		// The same ETag back gives 304 with no body.
		resp = serve("GET", map[string]string{"Accept-Encoding": enc, "If-None-Match": etags[wantEnc]})
		if resp.StatusCode != http.StatusNotModified || len(read(resp)) != 0 {
			t.Errorf("If-None-Match %s: status %d, want 304 without a body", etags[wantEnc], resp.StatusCode)
		}
		if resp.Header.Get("ETag") != etags[wantEnc] || resp.Header.Get("Cache-Control") == "" {
			t.Errorf("304 lacks ETag or Cache-Control: %v", resp.Header)
		}
	}
	if etags[""] == etags["gzip"] || etags["gzip"] == etags["br"] {
		t.Errorf("each coding needs its own strong ETag: %v", etags)
	}
	if resp := serve("HEAD", nil); resp.StatusCode != 200 || len(read(resp)) != 0 || resp.Header.Get("Content-Length") != "4000" {
		t.Errorf("HEAD: status %d, Content-Length %q", resp.StatusCode, resp.Header.Get("Content-Length"))
	}
	if resp := serve("GET", map[string]string{"If-None-Match": `"stale"`}); resp.StatusCode != 200 {
		t.Errorf("stale If-None-Match: status %d, want 200", resp.StatusCode)
	}
	if resp := serve("GET", map[string]string{"If-None-Match": `garbage`}); resp.StatusCode != 200 {
		t.Errorf("malformed If-None-Match: status %d, want 200 (ignored)", resp.StatusCode)
	}
}

func TestProblem(t *testing.T) {
	t.Parallel()
	w := httptest.NewRecorder()
	WriteProblem(w, Problem{Type: "/404", Title: "Not Found", Status: 404, Detail: "<none>", Extra: map[string]any{"suggestions": []int{409}}})
	if w.Code != 404 || w.Header().Get("Content-Type") != TypeProblem {
		t.Fatalf("got %d %q", w.Code, w.Header().Get("Content-Type"))
	}
	var m map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	if m["title"] != "Not Found" || m["status"] != 404.0 || m["detail"] != "<none>" || m["suggestions"] == nil {
		t.Errorf("problem = %v", m)
	}
	if strings.Contains(w.Body.String(), "<none>") {
		t.Errorf("< and > must be escaped in JSON served to browsers: %s", w.Body)
	}
}

func FuzzNegotiate(f *testing.F) {
	for _, s := range []string{"", "*/*", "text/html;q=0.5, application/json", "a/b;q=1.0;q=0", ",,,;", "text/*;level=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, accept string) {
		got, ok := Negotiate(accept, "text/html", "application/json")
		if ok != (got != "") {
			t.Fatalf("Negotiate(%q) = %q, %v", accept, got, ok)
		}
		AcceptEncoding(accept)
		NoneMatch(accept, `"x"`)
	})
}

func TestProblemMembers(t *testing.T) {
	b, err := json.Marshal(Problem{Type: "/412", Title: "Precondition Failed", Status: 412, Detail: "<stale>",
		Extra: map[string]any{"status": 200, "current_etag": `"v2"`, "allowed": []string{"a"}}})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"type":"/412","title":"Precondition Failed","status":412,"detail":"\u003cstale\u003e","allowed":["a"],"current_etag":"\"v2\""}`
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
}

// TestRetryAfter: whole seconds, rounded up, never 0.
func TestRetryAfter(t *testing.T) {
	t.Parallel()
	for wait, want := range map[time.Duration]int{0: 1, -time.Second: 1, time.Millisecond: 1, 1200 * time.Millisecond: 2, 3 * time.Second: 3} {
		w := httptest.NewRecorder()
		if got := RetryAfter(w, wait); got != want || w.Header().Get("Retry-After") != strconv.Itoa(want) {
			t.Errorf("RetryAfter(%v) = %d, Retry-After %q; want %d", wait, got, w.Header().Get("Retry-After"), want)
		}
	}
}
