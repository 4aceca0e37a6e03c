package exam

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestFields: credentials are recorded as present only, values are made
// printable and cut, and fields the exam does not read are not kept.
func TestFields(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest("POST", "/", strings.NewReader("abc"))
	r.Header.Set("Authorization", "Bearer very-secret-token")
	r.Header.Add("Cookie", "session=secret")
	r.Header.Add("Cookie", "other=secret")
	r.Header.Set("User-Agent", "agent\x00with\x1bcontrols \xff and <script>"+strings.Repeat("x", 500))
	r.Header.Set("X-Forwarded-For", "203.0.113.9")
	r.Header.Add("If-None-Match", `"a"`)
	r.Header.Add("If-None-Match", `"b"`)
	f := fields(r)
	if f["Authorization"] != Redacted || f["Cookie"] != Redacted {
		t.Errorf("credentials recorded as %q and %q, want %q", f["Authorization"], f["Cookie"], Redacted)
	}
	for k, v := range f {
		if strings.Contains(v, "secret") {
			t.Errorf("%s: %q holds a secret", k, v)
		}
	}
	ua := f["User-Agent"]
	if len(ua) > maxFieldValue+len("…") || !utf8.ValidString(ua) || strings.ContainsAny(ua, "\x00\x1b") {
		t.Errorf("User-Agent recorded as %q: want printable UTF-8 of at most %d bytes", ua, maxFieldValue)
	}
	if _, ok := f["X-Forwarded-For"]; ok {
		t.Error("X-Forwarded-For was recorded: only the fields the exam reads are")
	}
	if f["If-None-Match"] != `"a", "b"` {
		t.Errorf("If-None-Match = %q, want both lines joined", f["If-None-Match"])
	}
	if f["Content-Length"] != "3" {
		t.Errorf("Content-Length = %q, want 3", f["Content-Length"])
	}
}

// TestRecordBound: however hostile the values, a record stays within
// RecordBytes, the room the SQLite file is sized by.
func TestRecordBound(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest("PATCH", "/", nil)
	for _, name := range recorded {
		r.Header.Set(name, strings.Repeat(`"<\`, 200)) // each escapes to two bytes or more
	}
	rec := record{At: 1 << 40, Method: strings.Repeat("M", maxMethod), Step: "target", Header: fields(r), Body: 1 << 20,
		SHA256: strings.Repeat("f", 64), Conn: connKey("run", "[2001:db8::1]:65535"), Status: 503, Wait: 1 << 40}
	b, err := rec.encode()
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > RecordBytes {
		t.Errorf("record of %d bytes, over RecordBytes (%d)", len(b), RecordBytes)
	}
	if _, err := decode(1, 1, b); err != nil {
		t.Errorf("the shortened record does not decode: %v", err)
	}
}

// TestHashBody: bodies are counted and hashed up to the limit, and a
// longer one is refused whole.
func TestHashBody(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		body    string
		n       int64
		sum     string
		tooLong bool
	}{
		{"", 0, "", false},
		{"abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", false},
		{strings.Repeat("x", 16), 16, "", false},
		{strings.Repeat("x", 17), 0, "", true},
	} {
		r := httptest.NewRequest("POST", "/", strings.NewReader(tc.body))
		n, sum, err := hashBody(r, 16)
		if tc.tooLong != errors.Is(err, errTooLarge) || n != tc.n || tc.sum != "" && sum != tc.sum {
			t.Errorf("a %d-byte body: %d, %s, %v", len(tc.body), n, sum, err)
		}
	}
	r := httptest.NewRequest("GET", "/", nil)
	if n, sum, err := hashBody(r, 16); n != 0 || sum != "" || err != nil {
		t.Errorf("no body: %d, %q, %v", n, sum, err)
	}
	// The server's own cap, met first, counts as too large too.
	w := httptest.NewRecorder()
	r = httptest.NewRequest("POST", "/", strings.NewReader(strings.Repeat("x", 100)))
	r.Body = http.MaxBytesReader(w, r.Body, 10)
	if _, _, err := hashBody(r, 64); !errors.Is(err, errTooLarge) {
		t.Errorf("past the server's cap: %v, want errTooLarge", err)
	}
}

// TestConnKey: the key is stable for one connection, differs between
// connections and runs, and does not hold the address.
func TestConnKey(t *testing.T) {
	t.Parallel()
	a := connKey("run", "192.0.2.7:40000")
	if a != connKey("run", "192.0.2.7:40000") || a == connKey("run", "192.0.2.7:40001") || a == connKey("other", "192.0.2.7:40000") {
		t.Error("connKey does not tell connections and runs apart")
	}
	if strings.Contains(a, "192") || len(a) != 12 {
		t.Errorf("connKey = %q", a)
	}
}
