package respond

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
)

// minCompress is the size below which compressing is not worth a header.
const minCompress = 512

// Body is a response body built once and served many times: its strong
// ETag is computed up front and its gzip and brotli variants on first use.
type Body struct {
	ContentType  string
	CacheControl string
	Data         []byte

	identity       *Variant
	gzOnce, brOnce sync.Once
	gz, br         *Variant // nil when compressing does not make it smaller

	// Header values prebuilt so that serving allocates nothing.
	hType, hCache []string
}

// Variant is one coding of a body, with its header values ready to use.
type Variant struct {
	Encoding string // "", "gzip" or "br"
	ETag     string
	Data     []byte

	hETag, hLen, hEnc []string
}

func newVariant(enc, etag string, data []byte) *Variant {
	v := &Variant{Encoding: enc, ETag: etag, Data: data,
		hETag: []string{etag}, hLen: []string{strconv.Itoa(len(data))}}
	if enc != "" {
		v.hEnc = []string{enc}
	}
	return v
}

// NewBody prepares data for serving with the given content type and
// Cache-Control.
func NewBody(contentType, cacheControl string, data []byte) *Body {
	sum := sha256.Sum256(data)
	return &Body{
		ContentType:  contentType,
		CacheControl: cacheControl,
		Data:         data,
		identity:     newVariant("", `"`+base64.RawURLEncoding.EncodeToString(sum[:12])+`"`, data),
		hType:        []string{contentType},
		hCache:       []string{cacheControl},
	}
}

// ETag is the strong entity tag of the uncompressed body. Each coding has
// its own ("...-gz", "...-br"), since they are different representations.
func (b *Body) ETag() string { return b.identity.ETag }

// coded is the variant of the body in a content coding, or nil when it
// would not be smaller than the identity.
func (b *Body) coded(enc, suffix string, compressed []byte) *Variant {
	if len(b.Data) < minCompress || len(compressed) >= len(b.Data) {
		return nil
	}
	etag := b.identity.ETag
	return newVariant(enc, etag[:len(etag)-1]+suffix+`"`, compressed)
}

// Compression levels for variants made on first use: fast enough that the
// first request for a page does not stall, within a few percent of the
// best size. Export uses the best levels, once.
const (
	lazyGzip   = 6
	lazyBrotli = 6
)

// Gzip returns the gzip variant, or nil when it would not be smaller.
func (b *Body) Gzip() *Variant {
	b.gzOnce.Do(func() { b.gz = b.coded("gzip", "-gz", GzipBytes(b.Data, lazyGzip)) })
	return b.gz
}

// Brotli returns the brotli variant, or nil when it would not be smaller.
func (b *Body) Brotli() *Variant {
	b.brOnce.Do(func() { b.br = b.coded("br", "-br", BrotliBytes(b.Data, lazyBrotli)) })
	return b.br
}

// GzipBytes compresses data with gzip at level (1 to 9).
func GzipBytes(data []byte, level int) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, level)
	zw.Write(data)
	zw.Close()
	return buf.Bytes()
}

// BrotliBytes compresses data with brotli at quality (0 to 11).
func BrotliBytes(data []byte, quality int) []byte {
	var buf bytes.Buffer
	bw := brotli.NewWriterLevel(&buf, quality)
	bw.Write(data)
	bw.Close()
	return buf.Bytes()
}

// Select picks the variant an Accept-Encoding header prefers: brotli, then
// gzip, then the identity.
func (b *Body) Select(acceptEncoding string) *Variant {
	enc := AcceptEncoding(acceptEncoding)
	if enc.Brotli {
		if br := b.Brotli(); br != nil {
			return br
		}
	}
	if enc.Gzip {
		if gz := b.Gzip(); gz != nil {
			return gz
		}
	}
	return b.identity
}

// VaryEncoding is the Vary of a body chosen by Accept-Encoding alone.
var VaryEncoding = []string{"Accept-Encoding"}

// Serve writes the body with status, honouring Accept-Encoding and
// If-None-Match (RFC 9110 Section 13.1.2: a match gives 304 Not Modified for
// GET and HEAD). vary is the whole Vary value, which must name
// Accept-Encoding; nil means VaryEncoding.
func (b *Body) Serve(w http.ResponseWriter, r *http.Request, status int, vary []string) {
	v := b.Select(r.Header.Get("Accept-Encoding"))
	h := w.Header()
	if vary == nil {
		vary = VaryEncoding
	}
	h["Vary"] = vary
	h["Etag"] = v.hETag
	h["Cache-Control"] = b.hCache
	if status == http.StatusOK && !NoneMatch(r.Header.Get("If-None-Match"), v.ETag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h["Content-Type"] = b.hType
	h["Content-Length"] = v.hLen
	if v.hEnc != nil {
		h["Content-Encoding"] = v.hEnc
	}
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(v.Data)
	}
}

// NoneMatch evaluates an If-None-Match header against the current ETag with
// the weak comparison RFC 9110 Section 13.1.2 requires. It returns true
// (the condition holds: send the full response) when the header is absent,
// lists no matching tag, or is malformed: a malformed header is ignored
// rather than trusted.
func NoneMatch(header, etag string) bool {
	header = strings.TrimSpace(header)
	if header == "" {
		return true
	}
	if header == "*" {
		return false
	}
	want := strings.TrimPrefix(etag, "W/")
	for i := 0; header != ""; i++ {
		if i == maxAcceptParts {
			return true
		}
		tag, rest, ok := nextETag(header)
		if !ok {
			return true
		}
		if strings.TrimPrefix(tag, "W/") == want {
			return false
		}
		header = rest
	}
	return true
}

// nextETag reads one entity-tag and the comma after it from s.
func nextETag(s string) (tag, rest string, ok bool) {
	s = strings.TrimLeft(s, " \t")
	start := 0
	if strings.HasPrefix(s, "W/") {
		start = 2
	}
	if len(s) < start+2 || s[start] != '"' {
		return "", "", false
	}
	end := strings.IndexByte(s[start+1:], '"')
	if end < 0 {
		return "", "", false
	}
	end += start + 2
	for i := start + 1; i < end-1; i++ {
		if c := s[i]; c < 0x21 || c == 0x7f {
			return "", "", false
		}
	}
	tag, rest = s[:end], strings.TrimLeft(s[end:], " \t")
	if rest != "" {
		if rest[0] != ',' {
			return "", "", false
		}
		rest = strings.TrimLeft(rest[1:], " \t")
	}
	return tag, rest, true
}

// ETags parses a list of entity-tags, as in If-Match (RFC 9110 Section
// 13.1.1): "*" gives star; otherwise every tag, weak ones with their W/
// prefix. ok is false when the header is malformed or lists more than a
// handful of tags.
func ETags(header string) (tags []string, star, ok bool) {
	header = strings.TrimSpace(header)
	if header == "*" {
		return nil, true, true
	}
	for header != "" {
		if len(tags) == maxAcceptParts {
			return nil, false, false
		}
		tag, rest, ok := nextETag(header)
		if !ok {
			return nil, false, false
		}
		tags = append(tags, tag)
		header = rest
	}
	return tags, false, len(tags) > 0
}
