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

// interim is the answer of a 1xx code: a real interim response carrying
// hints, held for pause, then a final 200 saying so. HTTP/1.0 clients get
// no interim response: they cannot parse one.
func interim(hints []field, pause time.Duration) answer {
	return func(l *Live, w http.ResponseWriter, r *http.Request, code int, req *request) {
		if !r.ProtoAtLeast(1, 1) {
			l.writeBody(w, r, http.StatusOK, req,
				fmt.Sprintf("HTTP/1.0 clients cannot receive interim responses, so no %d was sent.", code))
			return
		}
		l.setFields(w.Header(), hints, code, req)
		w.WriteHeader(code)
		if pause > 0 {
			time.Sleep(pause)
		}
		l.writeBody(w, r, http.StatusOK, req, fmt.Sprintf("An interim %d response was sent before this final response.", code))
	}
}

// plainInterim is the interim answer with nothing added.
var plainInterim = interim(nil, 0)

// continue100 answers Expect: 100-continue as a server does, by reading
// the content; any other request gets a plain interim 100.
func (l *Live) continue100(w http.ResponseWriter, r *http.Request, code int, req *request) {
	if !r.ProtoAtLeast(1, 1) || !strings.EqualFold(r.Header.Get("Expect"), "100-continue") || r.ContentLength == 0 {
		plainInterim(l, w, r, code, req)
		return
	}
	// Reading the body makes net/http send the 100 Continue the client is
	// waiting for.
	n := readAll(r)
	l.writeBody(w, r, http.StatusOK, req,
		fmt.Sprintf("The server answered Expect: 100-continue with 100 Continue, then read %d bytes of content.", n))
}

// conditional answers 304 to a request whose If-None-Match matches the
// demo representation (or that has none), and the representation itself
// with 200 when the client's copy is stale. The ETag is already set.
func (l *Live) conditional(w http.ResponseWriter, r *http.Request, _ int, _ *request) {
	if inm := r.Header.Get("If-None-Match"); inm != "" && respond.NoneMatch(inm, demoETag) {
		w.Header().Set("Content-Type", respond.TypeText)
		w.WriteHeader(http.StatusOK)
		w.Write(demo)
		return
	}
	w.WriteHeader(http.StatusNotModified)
}

// switchProtocols answers 101 only to a request that asks to upgrade, and
// then speaks the protocol it switched to: a line echo, until the client
// closes or ten seconds pass.
func (l *Live) switchProtocols(w http.ResponseWriter, r *http.Request, _ int, _ *request) {
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
func (l *Live) partial(w http.ResponseWriter, r *http.Request, _ int, _ *request) {
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
func closeWithoutResponse(_ *Live, w http.ResponseWriter, _ *http.Request, _ int, _ *request) {
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
