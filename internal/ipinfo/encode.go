package ipinfo

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/teapothq/teapot/internal/respond"
)

// The JSON of Info is written by hand: with reflection and indenting,
// encoding/json took more than half of the time of a request to
// /ip/{address}.json. The output is byte for byte what
// json.MarshalIndent(in, "", "  ") writes (the tests compare the two),
// HTML-sensitive characters escaped included.

var infoBufs = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

// writeInfo writes in as the JSON answer, with status 200.
func writeInfo(w http.ResponseWriter, in *Info) {
	bp := infoBufs.Get().(*[]byte)
	b := in.appendJSON((*bp)[:0])
	respond.Bytes(w, http.StatusOK, respond.TypeJSON, b)
	*bp = b
	infoBufs.Put(bp)
}

// jsonObject writes the members of one object, indented as
// MarshalIndent does.
type jsonObject struct {
	b      []byte
	indent string // the members' indent
	n      int
}

func (o *jsonObject) key(k string) {
	if o.n > 0 {
		o.b = append(o.b, ',')
	}
	o.n++
	o.b = append(o.b, '\n')
	o.b = append(o.b, o.indent...)
	// Keys are ours, and none needs escaping.
	o.b = append(o.b, '"')
	o.b = append(o.b, k...)
	o.b = append(o.b, '"', ':', ' ')
}

func (o *jsonObject) str(k, v string) {
	o.key(k)
	o.b = appendString(o.b, v)
}

func (o *jsonObject) strOmit(k, v string) {
	if v != "" {
		o.str(k, v)
	}
}

// close ends the object; outer is the indent of its braces.
func (o *jsonObject) close(outer string) []byte {
	if o.n > 0 {
		o.b = append(o.b, '\n')
		o.b = append(o.b, outer...)
	}
	return append(o.b, '}')
}

func (in *Info) appendJSON(b []byte) []byte {
	o := jsonObject{b: append(b, '{'), indent: "  "}
	o.str("ip", in.IP)
	o.key("version")
	o.b = strconv.AppendInt(o.b, int64(in.Version), 10)
	o.str("decimal", in.Decimal)
	o.strOmit("ipv4_mapped", in.IPv4Mapped)
	o.strOmit("hostname", in.Hostname)
	o.strOmit("reverse_dns", in.ReverseDNS)
	o.strOmit("country", in.Country)
	o.strOmit("country_code", in.CountryCode)
	o.strOmit("region", in.Region)
	o.strOmit("city", in.City)
	o.strOmit("postal_code", in.PostalCode)
	if in.Latitude != nil {
		o.key("latitude")
		o.b = appendFloat(o.b, *in.Latitude)
	}
	if in.Longitude != nil {
		o.key("longitude")
		o.b = appendFloat(o.b, *in.Longitude)
	}
	if in.AccuracyRadius != 0 {
		o.key("accuracy_radius")
		o.b = strconv.AppendInt(o.b, int64(in.AccuracyRadius), 10)
	}
	o.strOmit("timezone", in.TimeZone)
	if in.ASN != 0 {
		o.key("asn")
		o.b = strconv.AppendUint(o.b, uint64(in.ASN), 10)
	}
	o.strOmit("org", in.Org)
	o.strOmit("network", in.Network)
	if sp := in.Special; sp != nil {
		o.key("special")
		s := jsonObject{b: append(o.b, '{'), indent: "    "}
		s.str("kind", sp.Kind)
		s.str("name", sp.Name)
		s.strOmit("network", sp.Network)
		s.str("rfc", sp.RFC)
		s.key("global")
		s.b = strconv.AppendBool(s.b, sp.Global)
		s.str("description", sp.Description)
		o.b = s.close("  ")
	}
	o.strOmit("user_agent", in.UserAgent)
	o.key("sources")
	if in.sourcesJSON != nil {
		o.b = append(o.b, in.sourcesJSON...)
	} else {
		o.b = appendSources(o.b, in.Sources)
	}
	return append(o.close(""), '\n')
}

// appendSources writes the value of an answer's "sources" member.
func appendSources(b []byte, sources []Source) []byte {
	switch {
	case sources == nil:
		return append(b, "null"...)
	case len(sources) == 0:
		return append(b, "[]"...)
	}
	b = append(b, '[')
	for i, src := range sources {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n    "...)
		s := jsonObject{b: append(b, '{'), indent: "      "}
		s.str("name", src.Name)
		s.str("url", src.URL)
		s.strOmit("attribution", src.Attribution)
		b = s.close("    ")
	}
	return append(b, "\n  ]"...)
}

// appendFloat writes f as encoding/json does.
func appendFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// e-09 is e-9, as JavaScript writes it.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

const hexDigits = "0123456789abcdef"

// plain marks the ASCII bytes a JSON string carries as they are.
var plain = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// appendString writes s as a JSON string the way encoding/json does:
// <, > and & escaped for HTML, U+2028 and U+2029 escaped for
// JavaScript, invalid UTF-8 replaced by U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if plain[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
