package site

import (
	"bytes"
	"html/template"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// markdown renders the catalog's Markdown to HTML and to plain text. Raw
// HTML in the source is not passed through; links from the site root
// ("/412") get the base path.
type markdown struct {
	md   goldmark.Markdown
	base string
}

func newMarkdown(base string) *markdown {
	m := &markdown{base: base}
	m.md = goldmark.New(
		goldmark.WithExtensions(extension.Table),
		goldmark.WithParserOptions(
			parser.WithAutoHeadingID(),
			parser.WithASTTransformers(util.Prioritized(m, 100)),
		),
		// Before goldmark's own renderers (1000), so in their place.
		goldmark.WithRendererOptions(renderer.WithNodeRenderers(util.Prioritized(codeBlocks{}, 100))),
	)
	return m
}

// Transform rewrites site-root links for the base path, and turns
// ordered lists that start at a status code back into paragraphs.
func (m *markdown) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	var accidental []*ast.List
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Link:
			if dest := string(n.Destination); strings.HasPrefix(dest, "/") && !strings.HasPrefix(dest, "//") {
				n.Destination = []byte(m.base + dest)
			}
		case *ast.List:
			if n.IsOrdered() && n.Start >= minAccidentalStart {
				accidental = append(accidental, n)
			}
		}
		return ast.WalkContinue, nil
	})
	for _, l := range accidental { // not while walking the tree
		unlist(l)
	}
}

func (m *markdown) html(src string) template.HTML {
	h, _ := m.render(src, 0)
	return h
}

// focusable lets keyboard users scroll code blocks and tables, which
// scroll sideways on narrow screens. Raw HTML is not rendered, so these
// tags can only come from Markdown.
func focusable(html string) string {
	html = strings.ReplaceAll(html, "<pre>", `<pre tabindex="0">`)
	return strings.ReplaceAll(html, "<table>", `<table tabindex="0">`)
}

// render parses src once and renders it as HTML and, when width > 0, as
// plain text wrapped at width.
func (m *markdown) render(src string, width int) (template.HTML, string) {
	source := []byte(src)
	doc := m.md.Parser().Parse(text.NewReader(source))
	var buf bytes.Buffer
	if err := m.md.Renderer().Render(&buf, source, doc); err != nil {
		return template.HTML(template.HTMLEscapeString(src)), src
	}
	html := template.HTML(focusable(buf.String()))
	if width <= 0 {
		return html, ""
	}
	return html, m.textOf(doc, source, width)
}

// text renders Markdown as plain text wrapped at width columns: what curl
// and the command line show.
func (m *markdown) text(src string, width int) string {
	source := []byte(src)
	return m.textOf(m.md.Parser().Parse(text.NewReader(source)), source, width)
}

func (m *markdown) textOf(doc ast.Node, source []byte, width int) string {
	t := &textWriter{src: source, width: width}
	t.blocks(doc, "")
	return strings.TrimRight(t.out.String(), "\n") + "\n"
}

type textWriter struct {
	src   []byte
	width int
	out   strings.Builder
}

// blocks writes the block children of n, each line prefixed by indent.
func (t *textWriter) blocks(n ast.Node, indent string) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		t.block(c, indent)
	}
}

func (t *textWriter) block(n ast.Node, indent string) {
	switch n := n.(type) {
	case *ast.Heading:
		title := t.inline(n)
		t.out.WriteString(indent + title + "\n" + indent + strings.Repeat("-", len([]rune(title))) + "\n\n")
	case *ast.Paragraph, *ast.TextBlock:
		t.wrap(t.inline(n), indent, indent)
		if _, tight := n.(*ast.TextBlock); !tight {
			t.out.WriteString("\n")
		}
	case *ast.List:
		num := n.Start
		for item := n.FirstChild(); item != nil; item = item.NextSibling() {
			marker := "- "
			if n.IsOrdered() {
				marker = strconv.Itoa(num) + ". "
				num++
			}
			t.listItem(item, indent, marker)
		}
		if !n.IsTight {
			return
		}
		t.out.WriteString("\n")
	case *ast.FencedCodeBlock, *ast.CodeBlock:
		lines := n.Lines()
		for i := 0; i < lines.Len(); i++ {
			seg := lines.At(i)
			t.out.WriteString(indent + "    " + strings.TrimRight(string(seg.Value(t.src)), "\n") + "\n")
		}
		t.out.WriteString("\n")
	case *ast.Blockquote:
		t.blocks(n, indent+"> ")
	case *extast.Table:
		t.table(n, indent)
	case *ast.ThematicBreak:
		t.out.WriteString(indent + "----\n\n")
	default:
		t.blocks(n, indent)
	}
}

func (t *textWriter) listItem(item ast.Node, indent, marker string) {
	pad := strings.Repeat(" ", len(marker))
	first := true
	for c := item.FirstChild(); c != nil; c = c.NextSibling() {
		switch c.(type) {
		case *ast.Paragraph, *ast.TextBlock:
			lead := indent + pad
			if first {
				lead = indent + marker
			}
			t.wrap(t.inline(c), lead, indent+pad)
		default:
			if first {
				t.out.WriteString(indent + marker + "\n")
			}
			t.block(c, indent+pad)
		}
		first = false
	}
}

// table writes a table with padded columns.
func (t *textWriter) table(n *extast.Table, indent string) {
	var rows [][]string
	for r := n.FirstChild(); r != nil; r = r.NextSibling() {
		var row []string
		for c := r.FirstChild(); c != nil; c = c.NextSibling() {
			row = append(row, t.inline(c))
		}
		rows = append(rows, row)
	}
	widths := map[int]int{}
	for _, row := range rows {
		for i, cell := range row {
			widths[i] = max(widths[i], len([]rune(cell)))
		}
	}
	for ri, row := range rows {
		var b strings.Builder
		for i, cell := range row {
			if i > 0 {
				b.WriteString(" | ")
			}
			b.WriteString(cell + strings.Repeat(" ", widths[i]-len([]rune(cell))))
		}
		t.out.WriteString(indent + strings.TrimRight(b.String(), " ") + "\n")
		if ri == 0 {
			var sep []string
			for i := range row {
				sep = append(sep, strings.Repeat("-", widths[i]))
			}
			t.out.WriteString(indent + strings.Join(sep, "-+-") + "\n")
		}
	}
	t.out.WriteString("\n")
}

// inline flattens the inline content of n: code spans keep their
// backticks, links to other sites keep their address.
func (t *textWriter) inline(n ast.Node) string {
	var b strings.Builder
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			b.Write(c.Segment.Value(t.src))
			if c.SoftLineBreak() || c.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(c.Value)
		case *ast.CodeSpan:
			b.WriteString("`" + t.inline(c) + "`")
		case *ast.Link:
			label := t.inline(c)
			b.WriteString(label)
			if dest := string(c.Destination); strings.HasPrefix(dest, "http") && dest != label {
				b.WriteString(" <" + dest + ">")
			}
		case *ast.AutoLink:
			b.Write(c.URL(t.src))
		default:
			b.WriteString(t.inline(c))
		}
	}
	return b.String()
}

// wrap writes s as words wrapped at t.width: the first line after first,
// the others after rest.
func (t *textWriter) wrap(s, first, rest string) {
	t.out.WriteString(first)
	col, empty := utf8.RuneCountInString(first), true
	for _, w := range strings.Fields(s) {
		n := utf8.RuneCountInString(w)
		if !empty && col+1+n > t.width {
			t.out.WriteString("\n" + rest)
			col, empty = utf8.RuneCountInString(rest), true
		}
		if !empty {
			t.out.WriteByte(' ')
			col++
		}
		t.out.WriteString(w)
		col += n
		empty = false
	}
	t.out.WriteByte('\n')
}
