package site

import (
	"strings"
)

// HTTP messages as the pages show them: a request or status line, header
// fields, a blank line and a body. A block may hold several messages (a
// 1xx interim response before the final one); a start line right after a
// blank line begins the next.

// requestLine splits "PUT /api/articles/42 HTTP/1.1".
func requestLine(line string) (method, target, version string, ok bool) {
	method, rest, ok1 := strings.Cut(line, " ")
	target, version, ok2 := strings.Cut(rest, " ")
	if !ok1 || !ok2 || method == "" || target == "" || !isVersion(version) {
		return "", "", "", false
	}
	for i := 0; i < len(method); i++ {
		if c := method[i]; !('A' <= c && c <= 'Z' || c == '-' || c == '_') {
			return "", "", "", false
		}
	}
	return method, target, version, true
}

// statusLine splits "HTTP/1.1 409 Conflict"; the reason may be empty.
func statusLine(line string) (version, code, reason string, ok bool) {
	version, rest, _ := strings.Cut(line, " ")
	code, reason, _ = strings.Cut(rest, " ")
	if !isVersion(version) || len(code) != 3 || !isDigit(code[0]) || !isDigit(code[1]) || !isDigit(code[2]) {
		return "", "", "", false
	}
	return version, code, reason, true
}

// isVersion reports whether v is HTTP/1.1, HTTP/2 and the like.
func isVersion(v string) bool {
	n, ok := strings.CutPrefix(v, "HTTP/")
	return ok && n != "" && strings.Trim(n, "0123456789.") == "" && isDigit(n[0])
}

func isStartLine(line string) bool {
	_, _, _, req := requestLine(line)
	_, _, _, resp := statusLine(line)
	return req || resp
}

// httpCaption names what an http block shows: "Request", "Response",
// "Responses" (an interim one and the final one), "Request and response";
// "" when it has no start line.
func httpCaption(code string) string {
	var requests, responses int
	blank := true
	for line := range strings.Lines(code) {
		line = strings.TrimRight(line, "\r\n")
		if blank {
			if _, _, _, ok := requestLine(line); ok {
				requests++
			} else if _, _, _, ok := statusLine(line); ok {
				responses++
			}
		}
		blank = strings.TrimSpace(line) == ""
	}
	switch {
	case requests > 0 && responses > 0:
		return "Request and response"
	case requests == 1:
		return "Request"
	case requests > 1:
		return "Requests"
	case responses == 1:
		return "Response"
	case responses > 1:
		return "Responses"
	}
	return ""
}

// lexHTTP colours HTTP messages: the start line, the header field names,
// and a JSON, HTML or XML body.
func lexHTTP(t *tokens, s string) {
	for i := 0; i < len(s); {
		i = lexHTTPMessage(t, s, i)
	}
}

// lexHTTPMessage writes the message that starts at s[i], and returns
// where the next one starts.
func lexHTTPMessage(t *tokens, s string, i int) int {
	first, contentType := true, ""
	for i < len(s) {
		end := lineEnd(s, i)
		line := s[i:end]
		if first {
			first = false
			if lexStartLine(t, line) {
				t.emit(tokPlain, s[end:min(end+1, len(s))])
				i = end + 1
				continue
			}
		}
		if strings.TrimSpace(line) == "" {
			t.emit(tokPlain, s[i:min(end+1, len(s))])
			return lexHTTPBody(t, s, end+1, contentType)
		}
		name, value, ok := strings.Cut(line, ":")
		if ok && isToken(name) {
			t.emit(tokKey, name)
			t.emit(tokPlain, ":"+value)
			if strings.EqualFold(name, "Content-Type") {
				contentType = strings.ToLower(value)
			}
		} else {
			t.emit(tokPlain, line)
		}
		t.emit(tokPlain, s[end:min(end+1, len(s))])
		i = end + 1
	}
	return len(s)
}

// lexStartLine writes a request or status line, and reports whether line
// was one.
func lexStartLine(t *tokens, line string) bool {
	if method, target, version, ok := requestLine(line); ok {
		t.emit(tokKeyword, method)
		t.emit(tokPlain, " "+target+" ")
		t.emit(tokMeta, version)
		return true
	}
	if version, code, reason, ok := statusLine(line); ok {
		t.emit(tokMeta, version)
		t.emit(tokPlain, " ")
		t.emit(tokLiteral, code)
		if len(line) > len(version)+4 {
			t.emit(tokPlain, " "+reason)
		}
		return true
	}
	return false
}

// lexHTTPBody writes the body that starts at s[i], up to a blank line
// followed by a start line, and returns where the body ended.
func lexHTTPBody(t *tokens, s string, i int, contentType string) int {
	end := len(s)
	for j := i; j < len(s); {
		next := lineEnd(s, j) + 1
		if j == i || s[j-1] == '\n' && j >= 2 && s[j-2] == '\n' {
			if isStartLine(s[j : next-1]) {
				end = j
				break
			}
		}
		j = next
	}
	if i >= end {
		return end
	}
	body := s[i:end]
	lead := strings.TrimLeft(body, " \t\r\n")
	switch {
	case strings.Contains(contentType, "json"),
		contentType == "" && (strings.HasPrefix(lead, "{") || strings.HasPrefix(lead, "[")):
		lexJSON(t, body)
	case strings.Contains(contentType, "html"), strings.Contains(contentType, "xml"),
		contentType == "" && strings.HasPrefix(lead, "<"):
		lexMarkup(t, body)
	default:
		t.emit(tokPlain, body)
	}
	return end
}

// isToken reports whether s is a header field name (RFC 9110's token).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isDigit(c) || 'a' <= c|0x20 && c|0x20 <= 'z' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}
