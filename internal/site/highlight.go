package site

import (
	"html/template"
	"io"
	"strings"
)

// Syntax highlighting, done once when the site is built: code becomes
// escaped text with <span class="hl-…"> around its tokens, and the style
// sheet colours the classes. The lexers are small and forgiving: they know
// the languages the pages use well enough to colour them, and whatever
// they do not recognise stays plain text. They never change the text: the
// spans stripped and the entities unescaped give back the code.
//
// The classes:
//
//	hl-com   comments
//	hl-kw    keywords; HTTP methods; nginx directives; tag names
//	hl-str   strings; attribute values
//	hl-lit   numbers and constants (true, nil, None); status codes
//	hl-key   JSON keys, header names, command-line options, attribute names
//	hl-fn    functions called or defined; commands
//	hl-var   variables of the shell and nginx
//	hl-meta  HTTP versions, annotations and decorators, XML declarations
const (
	tokPlain   = ""
	tokComment = "com"
	tokKeyword = "kw"
	tokString  = "str"
	tokLiteral = "lit"
	tokKey     = "key"
	tokFunc    = "fn"
	tokVar     = "var"
	tokMeta    = "meta"
)

// A lexer writes src to t as tokens.
type lexer func(t *tokens, src string)

// lexers by the info string of a fenced code block.
var lexers = map[string]lexer{
	"http":       lexHTTP,
	"json":       lexJSON,
	"go":         goLang.lex,
	"golang":     goLang.lex,
	"js":         jsLang.lex,
	"javascript": jsLang.lex,
	"node":       jsLang.lex,
	"ts":         jsLang.lex,
	"typescript": jsLang.lex,
	"python":     pythonLang.lex,
	"py":         pythonLang.lex,
	"java":       javaLang.lex,
	"sh":         lexShell,
	"shell":      lexShell,
	"bash":       lexShell,
	"console":    lexShell,
	"curl":       lexShell,
	"nginx":      lexNginx,
	"html":       lexMarkup,
	"xml":        lexMarkup,
}

// highlight returns code as HTML with its tokens in spans, or escaped
// without spans when lang has no lexer.
func highlight(lang, code string) template.HTML {
	var b strings.Builder
	writeHighlighted(&b, lang, code)
	return template.HTML(b.String())
}

// writeHighlighted writes what highlight returns to w.
func writeHighlighted(w io.StringWriter, lang, code string) {
	t := &tokens{out: w}
	if lex := lexers[strings.ToLower(lang)]; lex != nil {
		lex(t, code)
	} else {
		t.emit(tokPlain, code)
	}
	t.flush()
}

// tokens writes tokens as HTML, one span for a run of tokens of one class.
type tokens struct {
	out   io.StringWriter
	class string // of the open span; "" for none
}

func (t *tokens) emit(class, text string) {
	if text == "" {
		return
	}
	if class != t.class {
		t.flush()
		if class != "" {
			_, _ = t.out.WriteString(`<span class="hl-`)
			_, _ = t.out.WriteString(class)
			_, _ = t.out.WriteString(`">`)
		}
		t.class = class
	}
	_, _ = t.out.WriteString(template.HTMLEscapeString(text))
}

// flush closes the open span.
func (t *tokens) flush() {
	if t.class != "" {
		_, _ = t.out.WriteString("</span>")
		t.class = ""
	}
}

func isDigit(c byte) bool      { return '0' <= c && c <= '9' }
func isIdentStart(c byte) bool { return c == '_' || 'a' <= c|0x20 && c|0x20 <= 'z' || c >= 0x80 }
func isIdent(c byte) bool      { return isIdentStart(c) || isDigit(c) }
func isSpace(c byte) bool      { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// identEnd is the end of the identifier that starts at i.
func identEnd(s string, i int) int {
	for i < len(s) && isIdent(s[i]) {
		i++
	}
	return i
}

// lineEnd is the index of the newline that ends the line holding i, or
// len(s).
func lineEnd(s string, i int) int {
	if n := strings.IndexByte(s[i:], '\n'); n >= 0 {
		return i + n
	}
	return len(s)
}

// quoted is the end of the string opened by the quote at s[i]: after the
// closing quote, or at the end of the line when there is none (of s, when
// multiline). Backslashes escape unless raw.
func quoted(s string, i int, raw, multiline bool) int {
	q := s[i]
	for j := i + 1; j < len(s); j++ {
		switch {
		case s[j] == q:
			return j + 1
		case s[j] == '\\' && !raw:
			j++
		case s[j] == '\n' && !multiline:
			return j
		}
	}
	return len(s)
}

// numberEnd is the end of the number that starts at i: digits, and the
// letters, dots and underscores of 0x1F, 1e9, 2.5, 1_000 and 10L.
func numberEnd(s string, i int) int {
	for i < len(s) && (isIdent(s[i]) || s[i] == '.' && i+1 < len(s) && isDigit(s[i+1])) {
		i++
	}
	return i
}

// nextNonSpace is the first byte from i on that is not a space or a tab,
// or 0.
func nextNonSpace(s string, i int) byte {
	for ; i < len(s); i++ {
		if s[i] != ' ' && s[i] != '\t' {
			return s[i]
		}
	}
	return 0
}

// lexJSON colours JSON: keys apart from the other strings.
func lexJSON(t *tokens, s string) {
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"':
			end := quoted(s, i, false, false)
			class := tokString
			if nextNonSpace(s, end) == ':' {
				class = tokKey
			}
			t.emit(class, s[i:end])
			i = end
		case isDigit(c) || c == '-' && i+1 < len(s) && isDigit(s[i+1]):
			end := numberEnd(s, i+1)
			t.emit(tokLiteral, s[i:end])
			i = end
		case isIdentStart(c):
			end := identEnd(s, i)
			class := tokPlain
			if w := s[i:end]; w == "true" || w == "false" || w == "null" {
				class = tokLiteral
			}
			t.emit(class, s[i:end])
			i = end
		default:
			t.emit(tokPlain, s[i:i+1])
			i++
		}
	}
}

// lexMarkup colours HTML and XML: tags, their attributes, comments.
func lexMarkup(t *tokens, s string) {
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], "<!--"):
			end := len(s)
			if n := strings.Index(s[i+4:], "-->"); n >= 0 {
				end = i + 4 + n + 3
			}
			t.emit(tokComment, s[i:end])
			i = end
		case strings.HasPrefix(s[i:], "<?") || strings.HasPrefix(s[i:], "<!"):
			end := strings.IndexByte(s[i:], '>')
			if end < 0 {
				end = len(s) - i - 1
			}
			t.emit(tokMeta, s[i:i+end+1])
			i += end + 1
		case s[i] == '<' && i+1 < len(s) && (isIdentStart(s[i+1]) || s[i+1] == '/'):
			i = lexTag(t, s, i)
		default:
			t.emit(tokPlain, s[i:i+1])
			i++
		}
	}
}

// lexTag writes the tag that starts at s[i] == '<' and returns its end.
func lexTag(t *tokens, s string, i int) int {
	j := i + 1
	if s[j] == '/' {
		j++
	}
	t.emit(tokPlain, s[i:j])
	end := j
	for end < len(s) && (isIdent(s[end]) || strings.IndexByte(":-.", s[end]) >= 0) {
		end++
	}
	t.emit(tokKeyword, s[j:end])
	for i = end; i < len(s) && s[i] != '>'; {
		c := s[i]
		switch {
		case c == '"' || c == '\'':
			end := quoted(s, i, true, true)
			t.emit(tokString, s[i:end])
			i = end
		case isIdentStart(c):
			end := i
			for end < len(s) && (isIdent(s[end]) || strings.IndexByte(":-.", s[end]) >= 0) {
				end++
			}
			t.emit(tokKey, s[i:end])
			i = end
		case c == '<': // not a tag after all
			return i
		default:
			t.emit(tokPlain, s[i:i+1])
			i++
		}
	}
	if i < len(s) {
		t.emit(tokPlain, ">")
		i++
	}
	return i
}
