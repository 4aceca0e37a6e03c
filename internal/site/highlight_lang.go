package site

import (
	"strings"
)

// lang describes a language of the C family (Go, JavaScript, Java) or
// Python for one lexer: comments, strings, words.
type lang struct {
	comment   string // opens a line comment: "//" or "#"
	block     bool   // /* block comments */
	quotes    string // open strings
	raw       string // of quotes, those with no escapes: Go's `
	multiline string // of quotes, those whose strings may span lines
	triple    bool   // """ and ''' strings: Python; Java's text blocks
	prefixes  string // letters that may stand before a quote: Python's f, r, b
	at        bool   // @Name is an annotation or a decorator
	keywords  map[string]bool
	literals  map[string]bool
}

func words(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

var (
	goLang = &lang{comment: "//", block: true, quotes: "\"'`", raw: "`", multiline: "`",
		keywords: words(`break case chan const continue default defer else fallthrough for func go goto
			if import interface map package range return select struct switch type var`),
		literals: words("true false nil iota"),
	}
	jsLang = &lang{comment: "//", block: true, quotes: "\"'`", multiline: "`",
		keywords: words(`as async await break case catch class const continue debugger default delete do
			else export extends finally for from function if import in instanceof let new of return
			static super switch this throw try typeof var void while with yield`),
		literals: words("true false null undefined NaN Infinity"),
	}
	pythonLang = &lang{comment: "#", quotes: `"'`, triple: true, prefixes: "rbfuRBFU", at: true,
		keywords: words(`and as assert async await break class continue def del elif else except finally
			for from global if import in is lambda nonlocal not or pass raise return try while with yield`),
		literals: words("True False None"),
	}
	javaLang = &lang{comment: "//", block: true, quotes: `"'`, triple: true, at: true,
		keywords: words(`abstract assert boolean break byte case catch char class continue default do
			double else enum extends final finally float for if implements import instanceof int
			interface long native new package permits private protected public record return sealed
			short static super switch synchronized this throw throws transient try var void volatile
			while yield`),
		literals: words("true false null"),
	}
)

func (l *lang) lex(t *tokens, s string) {
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case l.comment != "" && strings.HasPrefix(s[i:], l.comment):
			end := lineEnd(s, i)
			t.emit(tokComment, s[i:end])
			i = end
		case l.block && strings.HasPrefix(s[i:], "/*"):
			end := len(s)
			if n := strings.Index(s[i+2:], "*/"); n >= 0 {
				end = i + 2 + n + 2
			}
			t.emit(tokComment, s[i:end])
			i = end
		case strings.IndexByte(l.quotes, c) >= 0:
			end := l.stringEnd(s, i)
			t.emit(tokString, s[i:end])
			i = end
		case isIdentStart(c):
			end := identEnd(s, i)
			word := s[i:end]
			if l.prefixes != "" && end < len(s) && strings.IndexByte(l.quotes, s[end]) >= 0 &&
				len(word) <= 2 && strings.Trim(word, l.prefixes) == "" {
				end = l.stringEnd(s, end)
				t.emit(tokString, s[i:end])
				i = end
				continue
			}
			t.emit(l.wordClass(word, nextNonSpace(s, end)), word)
			i = end
		case isDigit(c):
			end := numberEnd(s, i)
			t.emit(tokLiteral, s[i:end])
			i = end
		case c == '@' && l.at && i+1 < len(s) && isIdentStart(s[i+1]):
			end := i + 1
			for end < len(s) && (isIdent(s[end]) || s[end] == '.') {
				end++
			}
			t.emit(tokMeta, s[i:end])
			i = end
		default:
			t.emit(tokPlain, s[i:i+1])
			i++
		}
	}
}

func (l *lang) wordClass(word string, next byte) string {
	switch {
	case l.keywords[word]:
		return tokKeyword
	case l.literals[word]:
		return tokLiteral
	case next == '(':
		return tokFunc
	}
	return tokPlain
}

// stringEnd is the end of the string opened at s[i].
func (l *lang) stringEnd(s string, i int) int {
	q := s[i]
	if l.triple && strings.HasPrefix(s[i:], strings.Repeat(string(q), 3)) {
		end := strings.Index(s[i+3:], strings.Repeat(string(q), 3))
		if end < 0 {
			return len(s)
		}
		return i + 3 + end + 3
	}
	return quoted(s, i, strings.IndexByte(l.raw, q) >= 0, strings.IndexByte(l.multiline, q) >= 0)
}

// shellWordStart reports whether s[i] starts a word of the shell or of
// nginx: a # there opens a comment.
func shellWordStart(s string, i int) bool {
	return i == 0 || strings.IndexByte(" \t\n;|&(){}", s[i-1]) >= 0
}

// shellSpecial are the bytes that end a plain word of the shell.
const shellSpecial = " \t\n;|&()<>'\"$`\\"

var shellKeywords = words("if then else elif fi for while until do done case esac in function select export local return")

// lexShell colours shell commands: commands, options, strings, variables.
func lexShell(t *tokens, s string) {
	command := true // the next word names a command
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '#' && shellWordStart(s, i):
			end := lineEnd(s, i)
			t.emit(tokComment, s[i:end])
			i = end
		case c == '\\' && i+1 < len(s):
			t.emit(tokPlain, s[i:i+2]) // an escape, or a line continued
			i += 2
		case c == '>' || c == '<': // a redirection: >, >>, 2>&1
			end := i + 1
			for end < len(s) && (s[end] == '>' || s[end] == '&') {
				end++
			}
			t.emit(tokPlain, s[i:end])
			i = end
		case c == '\n' || c == ';' || c == '|' || c == '&' || c == '(':
			t.emit(tokPlain, s[i:i+1])
			i, command = i+1, true
		case c == '\'':
			end := quoted(s, i, true, true)
			t.emit(tokString, s[i:end])
			i, command = end, false
		case c == '"':
			end := quoted(s, i, false, true)
			lexInterpolated(t, s[i:end])
			i, command = end, false
		case c == '$':
			end := variableEnd(s, i)
			t.emit(tokVar, s[i:end])
			i = end
			if s[end-1] == '(' {
				command = true
			}
		case isSpace(c):
			t.emit(tokPlain, s[i:i+1])
			i++
		default:
			end := i + 1
			for end < len(s) && strings.IndexByte(shellSpecial, s[end]) < 0 {
				end++
			}
			word := s[i:end]
			switch {
			case command && isAssignment(word):
				eq := strings.IndexByte(word, '=')
				t.emit(tokVar, word[:eq])
				t.emit(tokPlain, word[eq:])
			case command && shellKeywords[word]:
				t.emit(tokKeyword, word)
			case command:
				t.emit(tokFunc, word)
				command = false
			case c == '-' && len(word) > 1 && (isIdentStart(word[1]) || word[1] == '-' && len(word) > 2):
				name, _, _ := strings.Cut(word, "=")
				t.emit(tokKey, name)
				t.emit(tokPlain, word[len(name):])
			default:
				t.emit(tokPlain, word)
			}
			i = end
		}
	}
}

// isAssignment reports whether word sets a variable: NAME=value.
func isAssignment(word string) bool {
	eq := strings.IndexByte(word, '=')
	return eq > 0 && isIdentStart(word[0]) && identEnd(word, 0) == eq
}

// variableEnd is the end of the variable at s[i] == '$': $NAME, ${…},
// $? and the like, or just "$(" opening a command substitution.
func variableEnd(s string, i int) int {
	switch {
	case i+1 >= len(s):
		return i + 1
	case s[i+1] == '{':
		if n := strings.IndexByte(s[i:], '}'); n >= 0 {
			return i + n + 1
		}
		return len(s)
	case s[i+1] == '(':
		return i + 2
	case isIdentStart(s[i+1]):
		return identEnd(s, i+1)
	case isDigit(s[i+1]) || strings.IndexByte("?!#@*$-", s[i+1]) >= 0:
		return i + 2
	}
	return i + 1
}

// lexInterpolated writes a quoted string with the variables in it apart.
func lexInterpolated(t *tokens, s string) {
	start := 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\':
			i++
		case s[i] == '$' && i+1 < len(s) && (isIdentStart(s[i+1]) || s[i+1] == '{'):
			t.emit(tokString, s[start:i])
			end := min(variableEnd(s, i), len(s))
			t.emit(tokVar, s[i:end])
			start, i = end, end-1
		}
	}
	t.emit(tokString, s[start:])
}

// lexNginx colours nginx configuration: directives, strings, variables.
func lexNginx(t *tokens, s string) {
	directive := true // the next word names a directive
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '#' && shellWordStart(s, i):
			end := lineEnd(s, i)
			t.emit(tokComment, s[i:end])
			i = end
		case c == '\'' || c == '"':
			end := quoted(s, i, false, true)
			lexInterpolated(t, s[i:end])
			i, directive = end, false
		case c == '$':
			end := variableEnd(s, i)
			t.emit(tokVar, s[i:end])
			i, directive = end, false
		case c == ';' || c == '{' || c == '}':
			t.emit(tokPlain, s[i:i+1])
			i, directive = i+1, true
		case isSpace(c):
			t.emit(tokPlain, s[i:i+1])
			i++
		default:
			end := i + 1
			for end < len(s) && strings.IndexByte(" \t\n;{}'\"$", s[end]) < 0 {
				end++
			}
			class := tokPlain
			switch {
			case directive:
				class = tokKeyword
			case isDigit(c):
				class = tokLiteral
			}
			t.emit(class, s[i:end])
			i, directive = end, false
		}
	}
}
