package exam_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestBadAddresses: a malformed or unknown run id is a 404 that says no
// more than "no such run" (never a 400, which would tell a guesser the
// shape of ids); an unknown check or sub-path is a 404; nothing of them
// is journaled, and nothing of them reaches a response's header.
func TestBadAddresses(t *testing.T) {
	t.Parallel()
	base := serve(t, nil)
	run := start(t, base)
	other := strings.Repeat("0", 32)
	for _, path := range []string{
		"/exam/short/backoff",
		"/exam/" + strings.ToUpper(run.ID) + "/backoff",
		"/exam/" + strings.Repeat("g", 32) + "/backoff",
		"/exam/" + run.ID + "0/backoff",
		"/exam/" + run.ID[:31] + "%00/backoff",
		"/exam/" + other + "/backoff", // well-formed, but no run
		"/exam/" + other,
		"/exam/" + other + ".json",
		"/exam/" + strings.Repeat("a", 900),
		"/exam/%2e%2e%2fetc%2fpasswd/backoff",
		"/exam/" + run.ID + "/nope",
		"/exam/" + run.ID + "/redirect-307%0d%0aSet-Cookie:%20stolen=1",
		"/exam/" + run.ID + "/" + strings.Repeat("x", 900),
		"/exam/" + run.ID + "/redirect-307/nope",
		"/exam/" + run.ID + "/retry-after-seconds/target",
		"/exam/" + run.ID + "/cross-origin-auth", // no --exam-alt-origin here
	} {
		for _, m := range []string{"GET", "POST"} {
			if m == "POST" && !strings.Contains(path, "/"+run.ID+"/") && strings.Count(path, "/") < 3 {
				continue // POST /exam/{id} is a 405: the report is read-only
			}
			a := send(t, m, base+path, "body")
			isProblem(t, m+" "+path, a, 404, 0)
			if a.Header.Get("Set-Cookie") != "" {
				t.Errorf("%s %s: a Set-Cookie came back", m, path)
			}
		}
	}
	if a := send(t, "GET", base+"/exam/"+run.ID+"/cross-origin-auth", ""); !strings.Contains(a.Body, "--exam-alt-origin") {
		t.Errorf("cross-origin-auth unconfigured: %s, want it to name --exam-alt-origin", a.Body)
	}
	if a := send(t, "TRACE", base+"/exam/"+run.ID+"/backoff", ""); a.Status != 405 {
		t.Errorf("TRACE: %d, want 405", a.Status)
	}
	if a := send(t, "PUT", base+"/exam/"+run.ID, ""); a.Status != 405 || a.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("PUT on a report: %d, Allow %q", a.Status, a.Header.Get("Allow"))
	}
	if rep := report(t, base, run); rep.Requests != 0 {
		t.Errorf("%d requests journaled from refused ones", rep.Requests)
	}
}

// TestBodies: a body is read up to --exam-max-body (64 KiB) and hashed,
// never stored; past it, 413 naming the limit, and nothing journaled; a
// body that ends before its declared length is a 400.
func TestBodies(t *testing.T) {
	t.Parallel()
	base := serve(t, nil)
	run := start(t, base)
	u := base + infoOf(t, run, "post-not-replayed").URL
	if a := send(t, "POST", u, strings.Repeat("x", 64<<10)); a.Status != 503 {
		t.Errorf("a 64 KiB body: %d, want the script's 503", a.Status)
	}
	isProblem(t, "64 KiB and a byte", send(t, "POST", u, strings.Repeat("x", 64<<10+1)), 413, 64<<10)
	isProblem(t, "2 MiB", send(t, "POST", u, strings.Repeat("x", 2<<20)), 413, 0)

	addr := strings.TrimPrefix(base, "http://")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Length: 100\r\n\r\nonly ten..", infoOf(t, run, "post-not-replayed").URL, addr)
	conn.(*net.TCPConn).CloseWrite()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("a body shorter than its Content-Length: %d, want 400", resp.StatusCode)
	}
	rep := report(t, base, run)
	if rep.Requests != 1 || reportOf(t, rep, "post-not-replayed").Timeline[0].Body != 64<<10 {
		t.Errorf("journaled %d requests, want only the one within the limit", rep.Requests)
	}
}

// TestReflection: what a client sends comes back in the report escaped
// for each format (control characters and broken UTF-8 replaced, markup
// escaped, values cut), and never in an answer's header.
func TestReflection(t *testing.T) {
	t.Parallel()
	base := serve(t, nil)
	run := start(t, base)
	addr := strings.TrimPrefix(base, "http://")
	const evil = `<script>alert(1)</script>"'&`
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Raw bytes, which Go's client would refuse to send: invalid UTF-8 and
	// an attempt at a second header line inside a value (a bare LF is read
	// as a line end by no one here: net/http refuses it).
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\xff\xfe%s\r\nIf-None-Match: %s\r\nIdempotency-Key: k\r\nX-Echo: injected\r\nConnection: close\r\n\r\n",
		infoOf(t, run, "fresh-cache").URL, addr, evil, strings.Repeat("A", 400), evil)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	for k, vs := range resp.Header {
		for _, v := range vs {
			if strings.Contains(v, "injected") || strings.Contains(v, "script") || strings.Contains(k, "Echo") {
				t.Errorf("the answer reflects the request in %s: %s", k, v)
			}
		}
	}
	html := send(t, "GET", base+run.Report, "", "Accept", "text/html").Body
	if strings.Contains(html, "<script>alert") || !strings.Contains(html, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the report's page does not escape the User-Agent")
	}
	text := send(t, "GET", base+run.Report+".txt", "").Body
	if !utf8.ValidString(text) || strings.Contains(text, "\xff") || strings.Contains(text, strings.Repeat("A", 200)) {
		t.Error("the text report carries invalid UTF-8 or an uncut value")
	}
	raw := send(t, "GET", base+run.Report+".json", "").Body
	var rep struct {
		Checks []struct {
			Name     string
			Timeline []struct{ Header map[string]string }
		}
	}
	if !utf8.ValidString(raw) || json.Unmarshal([]byte(raw), &rep) != nil {
		t.Fatal("the JSON report is not valid UTF-8 JSON")
	}
	for _, c := range rep.Checks {
		if c.Name != "fresh-cache" {
			continue
		}
		h := c.Timeline[0].Header
		if ua := h["User-Agent"]; !strings.HasPrefix(ua, evil+"\uFFFDA") || len(ua) > 140 {
			t.Errorf("User-Agent recorded as %q: want it as sent, broken bytes replaced, cut at 128 bytes", ua)
		}
		if _, ok := h["X-Echo"]; ok {
			t.Error("a field the exam does not read was recorded")
		}
	}
}

// TestMethods: a check takes every common method, and records it.
func TestMethods(t *testing.T) {
	t.Parallel()
	base := serve(t, nil)
	run := start(t, base)
	u := base + infoOf(t, run, "fresh-cache").URL
	methods := []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
	for _, m := range methods {
		if a := send(t, m, u, ""); a.Status != 200 {
			t.Errorf("%s: %d", m, a.Status)
		}
	}
	var got []string
	for _, en := range reportOf(t, report(t, base, run), "fresh-cache").Timeline {
		got = append(got, en.Method)
	}
	if strings.Join(got, " ") != strings.Join(methods, " ") {
		t.Errorf("journaled %v, want %v", got, methods)
	}
}
