package clientip

import "strings"

// splitForwarded reads an RFC 7239 Forwarded value into the for= node of
// each element, left to right; an element without one gets "" (unknown).
// ok is false when the value does not parse: then none of it is trusted.
func splitForwarded(v string) ([]string, bool) {
	var nodes []string
	for {
		node, rest, ok := forwardedElement(v)
		if !ok {
			return nil, false
		}
		nodes = append(nodes, node)
		if rest == "" {
			return nodes, true
		}
		v = rest[1:] // the comma
	}
}

// forwardedElement reads one element (pairs separated by ';') up to a
// comma outside quotes; rest starts at that comma, or is "".
func forwardedElement(v string) (node, rest string, ok bool) {
	seen := false
	for {
		v = strings.TrimLeft(v, " \t")
		if v == "" || v[0] == ',' {
			return node, v, true // empty elements are allowed (RFC 9110 lists)
		}
		eq := strings.IndexByte(v, '=')
		if eq <= 0 {
			return "", "", false
		}
		name := strings.TrimRight(v[:eq], " \t")
		if !validToken(name) {
			return "", "", false
		}
		var val string
		val, v, ok = forwardedValue(v[eq+1:])
		if !ok {
			return "", "", false
		}
		if strings.EqualFold(name, "for") {
			if seen {
				return "", "", false // two for= in one element: ambiguous
			}
			node, seen = val, true
		}
		v = strings.TrimLeft(v, " \t")
		switch {
		case v == "" || v[0] == ',':
			return node, v, true
		case v[0] == ';':
			v = v[1:]
		default:
			return "", "", false
		}
	}
}

// forwardedValue reads a token or a quoted-string.
func forwardedValue(v string) (val, rest string, ok bool) {
	if v == "" {
		return "", "", false
	}
	if v[0] != '"' {
		end := strings.IndexAny(v, ";, \t")
		if end < 0 {
			end = len(v)
		}
		if !validToken(v[:end]) {
			return "", "", false
		}
		return v[:end], v[end:], true
	}
	var b strings.Builder
	for i := 1; i < len(v); i++ {
		switch c := v[i]; c {
		case '"':
			return b.String(), v[i+1:], true
		case '\\':
			if i+1 == len(v) {
				return "", "", false
			}
			i++
			b.WriteByte(v[i])
		default:
			if c < ' ' && c != '\t' || c == 0x7f {
				return "", "", false
			}
			b.WriteByte(c)
		}
	}
	return "", "", false // unterminated
}
