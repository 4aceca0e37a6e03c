package exam

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/teapothq/teapot/internal/respond"
)

// record is what the journal keeps of one request, as JSON in the store:
// never the body, never a credential, and every value cut to
// maxFieldValue bytes of printable text.
type record struct {
	At     int64             `json:"at_us"` // since the run started
	Method string            `json:"method"`
	Step   string            `json:"step,omitempty"`
	Header map[string]string `json:"header,omitempty"`
	Body   int64             `json:"body,omitempty"`
	SHA256 string            `json:"sha256,omitempty"`
	Conn   string            `json:"conn"`
	Status int               `json:"status"`
	Wait   int64             `json:"wait_us,omitempty"`
}

// recorded are the request header fields the journal keeps: those the
// checks grade (conditional requests, idempotency keys, credentials) and
// those that say what the client is and sent.
var recorded = []string{"Authorization", "Cookie", "Idempotency-Key", "If-None-Match", "If-Modified-Since",
	"If-Match", "Cache-Control", "Content-Type", "Content-Length", "User-Agent"}

// redacted are kept as present only.
var redacted = map[string]bool{"Authorization": true, "Cookie": true}

// Redacted stands for the value of a credential.
const Redacted = "[redacted]"

// maxFieldValue bounds each recorded value; maxMethod the method.
const (
	maxFieldValue = 128
	maxMethod     = 32
)

// encode writes the record as JSON of at most RecordBytes: should
// escaping swell its values past that, they are cut shorter.
func (rec record) encode() ([]byte, error) {
	for _, n := range []int{maxFieldValue, 16} {
		for k, v := range rec.Header {
			rec.Header[k] = respond.Truncate(v, n)
		}
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false) // stored, not served: "<" need not cost six bytes
		if err := enc.Encode(rec); err != nil {
			return nil, err
		}
		if b.Len() <= RecordBytes || n == 16 {
			return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
		}
	}
	panic("unreachable")
}

// fields picks the recorded fields of h: several lines of one field are
// joined with ", ", credentials become Redacted, and the rest are made
// printable and cut to maxFieldValue bytes.
func fields(r *http.Request) map[string]string {
	out := map[string]string{}
	for _, name := range recorded {
		vs := r.Header.Values(name)
		if len(vs) == 0 {
			continue
		}
		if redacted[name] {
			out[name] = Redacted
			continue
		}
		out[name] = printable(strings.Join(vs, ", "), maxFieldValue)
	}
	if _, ok := out["Content-Length"]; !ok && r.ContentLength > 0 {
		out["Content-Length"] = strconv.FormatInt(r.ContentLength, 10)
	}
	return out
}

// printable makes s safe to show anywhere: invalid UTF-8 and control
// characters become U+FFFD, and it is cut to n bytes.
func printable(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && r != '\t' {
			return unicode.ReplacementChar
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
	return respond.Truncate(s, n)
}

// errTooLarge: the body is longer than the exam reads.
var errTooLarge = errors.New("exam: request body too large")

// hashBody reads at most max bytes of the body and returns their count and
// SHA-256 ("" for an empty body); a longer body is errTooLarge.
func hashBody(r *http.Request, max int64) (int64, string, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return 0, "", nil
	}
	h := sha256.New()
	n, err := io.Copy(h, io.LimitReader(r.Body, max+1))
	var mbe *http.MaxBytesError
	switch {
	case n > max || errors.As(err, &mbe):
		return 0, "", errTooLarge
	case err != nil:
		return 0, "", err
	case n == 0:
		return 0, "", nil
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// connKey names the connection a request came on without recording the
// client's address: a short hash of the run and the peer's address and
// port. A connection keeps its port, so requests with the same key came
// on one connection (or, rarely, on a later one that reused the port).
func connKey(run, remoteAddr string) string {
	sum := sha256.Sum256([]byte(run + "\x00" + remoteAddr))
	return hex.EncodeToString(sum[:6])
}

// decode turns a stored entry's record back into a Request.
func decode(seq, n int, raw []byte) (Request, error) {
	var rec record
	if err := json.Unmarshal(raw, &rec); err != nil {
		return Request{}, err
	}
	return Request{Seq: seq, N: n, At: time.Duration(rec.At) * time.Microsecond, Method: rec.Method, Step: rec.Step,
		Header: rec.Header, Body: rec.Body, SHA256: rec.SHA256, Conn: rec.Conn, Status: rec.Status,
		Wait: time.Duration(rec.Wait) * time.Microsecond}, nil
}
