package live

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/teapothq/teapot/internal/respond"
)

// demo is the representation behind 206, 304 and 416: 26 lines of 40
// bytes, so a Range has something real to cut.
var demo = func() []byte {
	var b strings.Builder
	for i := 0; i < 26; i++ {
		fmt.Fprintf(&b, "%02d %c teapot partial content demo line...\n", i, 'a'+i)
	}
	return []byte(b.String())
}()

const demoETag = `"teapot-demo-1"`

// exposed are, by code, the response fields respond may set that a script
// on another origin cannot read unless they are listed in
// Access-Control-Expose-Headers. Each response lists only its own, plus the
// custom headers asked for: the CORS-safelisted fields (Content-Type,
// Cache-Control, Content-Length, ...) need no listing.
var exposed = map[int]string{
	103: "Link",
	201: "Location",
	206: "ETag, Accept-Ranges, Content-Range",
	300: "Location", 301: "Location", 302: "Location", 303: "Location", 307: "Location", 308: "Location",
	304: "ETag",
	401: "WWW-Authenticate",
	405: "Allow",
	407: "Proxy-Authenticate",
	413: "Retry-After",
	415: "Accept, Accept-Encoding",
	416: "Content-Range",
	426: "Upgrade",
	429: "Retry-After, RateLimit, RateLimit-Policy",
	451: "Link",
	503: "Retry-After",
}

// exposedValues are the prebuilt values of exposed, by code.
var exposedValues = func() (v [600][]string) {
	for code, fields := range exposed {
		v[code] = []string{fields}
	}
	return v
}()

// hvExposeRetry exposes the Retry-After of the limits' own answers.
var hvExposeRetry = []string{"Retry-After"}

// exposeFor is the Access-Control-Expose-Headers value of a response with
// code and the custom headers hs, or nil when it needs none.
func exposeFor(code int, hs [][2]string) []string {
	v := exposedValues[code]
	if len(hs) == 0 {
		return v
	}
	var b strings.Builder
	if v != nil {
		b.WriteString(v[0])
	}
	for _, h := range hs {
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString(h[0])
	}
	return []string{b.String()}
}

// respond writes code with what the RFCs require or recommend for it.
func (l *Live) respond(w http.ResponseWriter, r *http.Request, code int, req *request) {
	h := w.Header()
	base := l.opts.BasePath
	location := func() string {
		if req.location != "" {
			return req.location
		}
		return base + "/" + strconv.Itoa(code)
	}
	retryAfter := func() string {
		if req.retryAfter < 0 {
			return "60"
		}
		return strconv.Itoa(req.retryAfter)
	}
	switch {
	case code == 101:
		l.switchProtocols(w, r, req)
		return
	case code < 200:
		l.interim(w, r, code, req)
		return
	}
	note := ""
	switch code {
	case 201:
		h.Set("Location", location())
	case 204, 205:
		w.WriteHeader(code)
		return
	case 206:
		l.partial(w, r)
		return
	case 300:
		h.Set("Location", base+"/300")
		note = fmt.Sprintf("Choices: %s/300 (HTML), %s/300.json (JSON), %s/300.txt (text).", base, base, base)
	case 301, 302, 303, 307, 308:
		h.Set("Location", location())
	case 304:
		h.Set("ETag", demoETag)
		if inm := r.Header.Get("If-None-Match"); inm != "" && respond.NoneMatch(inm, demoETag) {
			// The client's copy is stale: send the current one.
			h.Set("Content-Type", respond.TypeText)
			w.WriteHeader(http.StatusOK)
			w.Write(demo)
			return
		}
		w.WriteHeader(http.StatusNotModified)
		return
	case 401:
		h.Set("WWW-Authenticate", `Basic realm="teapot", charset="UTF-8"`)
		h.Add("WWW-Authenticate", `Bearer realm="teapot"`)
	case 405:
		h.Set("Allow", "GET, HEAD")
	case 406:
		note = "This endpoint can send application/json, text/plain and text/html."
	case 407:
		h.Set("Proxy-Authenticate", `Basic realm="teapot proxy"`)
	case 408:
		h.Set("Connection", "close")
	case 413:
		h.Set("Retry-After", retryAfter())
	case 415:
		h.Set("Accept", "application/json, text/plain")
		h.Set("Accept-Encoding", "identity")
	case 416:
		h.Set("Content-Range", "bytes */"+strconv.Itoa(len(demo)))
	case 426:
		h.Set("Upgrade", "TLS/1.3, HTTP/2.0")
		h.Set("Connection", "Upgrade")
	case 429:
		h.Set("Retry-After", retryAfter())
		h.Set("RateLimit-Policy", `"teapot";q=100;w=60`)
		h.Set("RateLimit", `"teapot";r=0;t=`+retryAfter())
	case 444:
		closeWithoutResponse(w)
		return
	case 451:
		h.Set("Link", fmt.Sprintf(`<%s/451>; rel="blocked-by"`, base))
	case 503:
		h.Set("Retry-After", retryAfter())
	case 511:
		note = fmt.Sprintf("Log in to the network first: %s/511 explains captive portals.", base)
	}
	l.writeBody(w, r, code, req, note)
}

// interim sends a real 1xx response, then a final 200 saying so. HTTP/1.0
// clients get no interim response: they cannot parse one.
func (l *Live) interim(w http.ResponseWriter, r *http.Request, code int, req *request) {
	h := w.Header()
	note := fmt.Sprintf("An interim %d response was sent before this final response.", code)
	switch {
	case !r.ProtoAtLeast(1, 1):
		note = fmt.Sprintf("HTTP/1.0 clients cannot receive interim responses, so no %d was sent.", code)
	case code == 100 && strings.EqualFold(r.Header.Get("Expect"), "100-continue") && r.ContentLength != 0:
		// Reading the body makes net/http send the 100 Continue the
		// client is waiting for.
		n := readAll(r)
		note = fmt.Sprintf("The server answered Expect: 100-continue with 100 Continue, then read %d bytes of content.", n)
	case code == 103:
		h.Add("Link", fmt.Sprintf("<%s/assets/>; rel=preconnect", l.opts.BasePath))
		h.Add("Link", fmt.Sprintf("<%s/%d>; rel=preload; as=fetch; crossorigin", l.opts.BasePath, code))
		w.WriteHeader(code)
	default:
		w.WriteHeader(code)
		if code == 102 {
			// A real 102 promises more time is needed.
			time.Sleep(50 * time.Millisecond)
		}
	}
	l.writeBody(w, r, http.StatusOK, req, note)
}

// switchProtocols answers 101 only to a request that asks to upgrade, and
// then speaks the protocol it switched to: a line echo, until the client
// closes or ten seconds pass.
func (l *Live) switchProtocols(w http.ResponseWriter, r *http.Request, req *request) {
	proto := strings.TrimSpace(strings.Split(r.Header.Get("Upgrade"), ",")[0])
	if proto == "" || !headerHasToken(r.Header, "Connection", "upgrade") || !r.ProtoAtLeast(1, 1) || r.ProtoMajor > 1 {
		l.problem(w, r, http.StatusBadRequest, "No upgrade asked for",
			"101 Switching Protocols answers a request that asks to change protocols: send HTTP/1.1 with "+
				"'Connection: Upgrade' and 'Upgrade: echo' (any protocol name) and teapot switches to a line echo.")
		return
	}
	conn, rw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		l.problem(w, r, http.StatusInternalServerError, "Cannot switch", "This connection cannot be taken over.")
		return
	}
	respond.NoteStatus(w, http.StatusSwitchingProtocols)
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(rw, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: %s\r\n\r\n", sanitizeToken(proto))
	rw.Flush()
	sc := bufio.NewScanner(rw)
	sc.Buffer(make([]byte, 1024), 1024)
	for i := 0; i < 100 && sc.Scan(); i++ {
		rw.WriteString(sc.Text() + "\n")
		rw.Flush()
	}
}

func sanitizeToken(s string) string {
	if !respond.IsToken(strings.ReplaceAll(s, "/", "")) || len(s) > 64 {
		return "echo"
	}
	return s
}

func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// partial answers 206 with the part of the demo representation that the
// Range header asks for (the first 100 bytes without one); an unsatisfiable
// range gets a real 416.
func (l *Live) partial(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	size := len(demo)
	start, end := 0, 99
	if rg := r.Header.Get("Range"); rg != "" {
		var ok bool
		start, end, ok = parseRange(rg, size)
		if !ok {
			h.Set("Content-Range", "bytes */"+strconv.Itoa(size))
			l.problem(w, r, http.StatusRequestedRangeNotSatisfiable, "Range Not Satisfiable",
				fmt.Sprintf("The representation has %d bytes; ask for one range inside it, such as Range: bytes=0-99.", size))
			return
		}
	}
	h.Set("Content-Type", respond.TypeText)
	h.Set("ETag", demoETag)
	h.Set("Accept-Ranges", "bytes")
	h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, end, size))
	h.Set("Content-Length", strconv.Itoa(end-start+1))
	w.WriteHeader(http.StatusPartialContent)
	w.Write(demo[start : end+1])
}

// parseRange reads one byte range: "bytes=a-b", "bytes=a-" or "bytes=-n".
func parseRange(s string, size int) (start, end int, ok bool) {
	spec, found := strings.CutPrefix(s, "bytes=")
	if !found || strings.Contains(spec, ",") || len(spec) > 40 {
		return 0, 0, false
	}
	a, b, found := strings.Cut(strings.TrimSpace(spec), "-")
	if !found {
		return 0, 0, false
	}
	if a == "" {
		n, err := strconv.Atoi(b)
		if err != nil || n <= 0 {
			return 0, 0, false
		}
		return max(size-n, 0), size - 1, true
	}
	start, err := strconv.Atoi(a)
	if err != nil || start < 0 || start >= size {
		return 0, 0, false
	}
	end = size - 1
	if b != "" {
		if end, err = strconv.Atoi(b); err != nil || end < start {
			return 0, 0, false
		}
		end = min(end, size-1)
	}
	return start, end, true
}

// closeWithoutResponse does what nginx's 444 does: close the connection
// and send nothing. On HTTP/2 the stream is reset instead.
func closeWithoutResponse(w http.ResponseWriter) {
	respond.NoteStatus(w, 444)
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		conn.Close()
		return
	}
	panic(http.ErrAbortHandler)
}

func mustJSON(v any) []byte {
	b, _ := json.MarshalIndent(v, "", "  ")
	return append(b, '\n')
}
