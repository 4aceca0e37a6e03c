package site

import (
	"html/template"
	"strings"
)

// inline renders one line of Markdown (a bullet, a cause) without the
// paragraph it would be wrapped in, for boxes that set their own layout.
func (m *markdown) inline(src string) template.HTML {
	h := strings.TrimSpace(string(m.html(src)))
	h = strings.TrimPrefix(h, "<p>")
	h = strings.TrimSuffix(h, "</p>")
	return template.HTML(h)
}
