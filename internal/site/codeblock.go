package site

import (
	"html/template"
	"io"
	"strconv"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"
)

// codeBlocks renders Markdown code blocks highlighted, each in a
// .codeblock wrapper. An http block (or one with no language that opens
// with a request or status line) is a figure captioned "Request" or
// "Response". codecopy.js adds a copy button to each wrapper; without
// JavaScript there is none. The text forms do not use this renderer:
// they stay plain.
type codeBlocks struct{}

// RegisterFuncs replaces goldmark's renderers of code blocks.
func (codeBlocks) RegisterFuncs(r renderer.NodeRendererFuncRegisterer) {
	r.Register(ast.KindFencedCodeBlock, renderCodeBlock)
	r.Register(ast.KindCodeBlock, renderCodeBlock)
}

func renderCodeBlock(w util.BufWriter, source []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	var lang string
	if f, ok := n.(*ast.FencedCodeBlock); ok {
		lang = string(f.Language(source))
	}
	lines := n.Lines()
	var code []byte
	for i := range lines.Len() {
		seg := lines.At(i)
		code = append(code, seg.Value(source)...)
	}
	src := string(code)
	if first, _, _ := strings.Cut(src, "\n"); lang == "" && isStartLine(strings.TrimSuffix(first, "\r")) {
		// An HTTP message with no language: an Example section's
		// blocks after its two ```http ones (the catalog wants exactly
		// two) are captioned and coloured all the same.
		lang = "http"
	}
	writeCodeBlock(w, lang, src)
	return ast.WalkSkipChildren, nil
}

// writeCodeBlock writes a code block's HTML: the wrapper, the caption and
// the highlighted code.
func writeCodeBlock(w io.StringWriter, lang, code string) {
	caption := ""
	if strings.EqualFold(lang, "http") {
		caption = httpCaption(code)
	}
	if caption != "" {
		_, _ = w.WriteString(`<figure class="codeblock"><figcaption>` + template.HTMLEscapeString(caption) + "</figcaption>")
	} else {
		_, _ = w.WriteString(`<div class="codeblock">`)
	}
	_, _ = w.WriteString(`<pre tabindex="0"><code`)
	if lang != "" {
		_, _ = w.WriteString(` class="language-` + template.HTMLEscapeString(lang) + `"`)
	}
	_, _ = w.WriteString(">")
	writeHighlighted(w, lang, code)
	if caption != "" {
		_, _ = w.WriteString("</code></pre></figure>\n")
	} else {
		_, _ = w.WriteString("</code></pre></div>\n")
	}
}

// minAccidentalStart is the lowest number that starts an ordered list
// by accident: nobody numbers a list from 100, but a paragraph that
// opens with a status code ("409. A 412 reports …") parses as one.
const minAccidentalStart = 100

// unlist puts the items of an accidental ordered list back as the
// paragraphs they were written as, each opening with its number.
func unlist(l *ast.List) {
	parent := l.Parent()
	num := l.Start
	for item := l.FirstChild(); item != nil; item = l.FirstChild() {
		var lead ast.Node = ast.NewParagraph()
		switch c := item.FirstChild().(type) {
		case *ast.Paragraph:
			lead = c
		case *ast.TextBlock: // a tight list's; outside a list it would lose its <p>
			lead.SetLines(c.Lines())
			for gc := c.FirstChild(); gc != nil; gc = c.FirstChild() {
				lead.AppendChild(lead, gc)
			}
			item.RemoveChild(item, c)
		}
		marker := ast.NewString([]byte(strconv.Itoa(num) + string(l.Marker) + " "))
		if lead.FirstChild() == nil {
			lead.AppendChild(lead, marker)
		} else {
			lead.InsertBefore(lead, lead.FirstChild(), marker)
		}
		parent.InsertBefore(parent, l, lead)
		for c := item.FirstChild(); c != nil; c = item.FirstChild() {
			parent.InsertBefore(parent, l, c)
		}
		l.RemoveChild(l, item)
		num++
	}
	parent.RemoveChild(parent, l)
}

// codeScripts are the scripts of a page made of secs: the copy buttons'
// when it shows code.
func codeScripts(secs []sectionView) []string {
	for _, sec := range secs {
		if strings.Contains(string(sec.HTML), `class="codeblock"`) {
			return []string{"codecopy.js"}
		}
	}
	return nil
}
