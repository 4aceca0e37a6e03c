package catalog

import (
	"strconv"
	"strings"
)

// splitSections splits the body at "##" headings outside fenced code
// blocks.
func splitSections(p *problems, lines []string, start int) []Section {
	var secs []Section
	var cur *Section
	var buf []string
	flush := func() {
		if cur != nil {
			cur.bodyLine = cur.Line + 1
			for _, l := range buf {
				if strings.TrimSpace(l) != "" {
					break
				}
				cur.bodyLine++
			}
			cur.Markdown = strings.TrimSpace(strings.Join(buf, "\n"))
			secs = append(secs, *cur)
		}
		buf = nil
	}
	fence := ""
	for i := start; i < len(lines); i++ {
		line := lines[i]
		if fence == "" && (strings.HasPrefix(line, "```") || strings.HasPrefix(line, "~~~")) {
			fence = line[:3]
		} else if fence != "" && strings.HasPrefix(strings.TrimSpace(line), fence) {
			fence = ""
		}
		if fence == "" && strings.HasPrefix(line, "## ") {
			flush()
			cur = &Section{Title: strings.Clone(strings.TrimSpace(line[3:])), Line: i + 1}
			continue
		}
		if fence == "" && strings.HasPrefix(line, "# ") {
			p.add(i+1, "no level-1 headings: the page title comes from the front matter")
		}
		if cur == nil && strings.TrimSpace(line) != "" {
			p.add(i+1, `text before the first "##" section`)
			cur = &Section{} // report once; the text is dropped below
			continue
		}
		buf = append(buf, line)
	}
	flush()
	if fence != "" {
		p.add(len(lines), "a fenced code block is not closed")
	}
	return secs
}

// checkOrder gives each section its ID and reports unknown, repeated,
// misplaced and missing sections.
func checkOrder(p *problems, e *Entry, secs []Section) []Section {
	var out []Section
	next := 0
	for _, s := range secs {
		if s.Title == "" && s.Line == 0 {
			continue
		}
		idx := -1
		for j, want := range sectionOrder {
			if want.Title == s.Title {
				idx = j
			}
		}
		switch {
		case idx < 0:
			p.add(s.Line, "unknown section %q (sections are: %s)", clip(s.Title), sectionTitles())
			continue
		case idx < next:
			p.add(s.Line, "section %q is repeated or out of order (order: %s)", s.Title, sectionTitles())
			continue
		}
		for ; next < idx; next++ {
			if !sectionOrder[next].Optional && !e.Draft {
				p.add(s.Line, "missing section %q before %q", sectionOrder[next].Title, s.Title)
			}
		}
		next = idx + 1
		s.ID = sectionOrder[idx].ID
		if s.Markdown == "" {
			p.add(s.Line, "section %q is empty", s.Title)
		}
		out = append(out, s)
	}
	if !e.Draft {
		for ; next < len(sectionOrder); next++ {
			if !sectionOrder[next].Optional {
				p.add(0, "missing section %q", sectionOrder[next].Title)
			}
		}
	}
	return out
}

func sectionTitles() string {
	var t []string
	for _, s := range sectionOrder {
		t = append(t, s.Title)
	}
	return strings.Join(t, ", ")
}

// checkSection checks the inner structure the site relies on.
func checkSection(p *problems, e *Entry, s Section) {
	switch s.ID {
	case SecShort:
		e.Short = checkShort(p, s)
	case SecFix:
		subs := subheadings(s.Markdown)
		if len(subs) != 2 || subs[0].title != subVisitors || subs[1].title != subDevelopers {
			p.add(s.Line, "section %q must have exactly the subsections %q and %q", s.Title, "### "+subVisitors, "### "+subDevelopers)
		}
	case SecExample:
		blocks := fencedBlocks(s.Markdown, "http")
		if len(blocks) != 2 {
			p.add(s.Line, "section Example must have two ```http blocks (request, then response), found %d", len(blocks))
			return
		}
		e.Example = Example{Request: blocks[0], Response: blocks[1]}
		if want := "HTTP/1.1 " + strconv.Itoa(e.Code); !strings.HasPrefix(blocks[1], want) {
			status, _, _ := strings.Cut(blocks[1], "\n")
			p.add(s.Line, "the example response must start with %q, got %q", want, clip(status))
		}
	case SecInCode:
		var got []string
		for _, sub := range subheadings(s.Markdown) {
			got = append(got, sub.title)
		}
		if strings.Join(got, "|") != strings.Join(inCodeLanguages, "|") {
			p.add(s.Line, "section In code must have exactly the subsections %s, in that order; it has %q", strings.Join(inCodeLanguages, ", "), got)
		}
	case SecFAQ:
		for _, sub := range subheadings(s.Markdown) {
			if !strings.HasSuffix(sub.title, "?") {
				p.add(s.Line+sub.line, "FAQ heading %q is not a question", clip(sub.title))
			}
			if sub.body == "" {
				p.add(s.Line+sub.line, "FAQ question %q has no answer", clip(sub.title))
			}
			e.FAQ = append(e.FAQ, QA{Question: sub.title, Answer: sub.body})
		}
		if len(e.FAQ) < 3 {
			p.add(s.Line, "FAQ has %d questions, want at least 3", len(e.FAQ))
		}
	case SecRelated:
		for _, code := range e.Related {
			if !strings.Contains(s.Markdown, "](/"+strconv.Itoa(code)+")") {
				p.add(s.Line, "related code %d has no link [%d ...](/%d) in this section", code, code, code)
			}
		}
	}
}

// inCodeLanguages are the subsections of "In code".
var inCodeLanguages = []string{"Go", "Node.js", "Python", "Java", "curl"}

type subheading struct {
	title string
	body  string
	line  int // relative to the section heading
}

// subheadings splits a section body at "###" headings outside code blocks.
func subheadings(md string) []subheading {
	var out []subheading
	fence := false
	for i, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "```") || strings.HasPrefix(line, "~~~") {
			fence = !fence
		}
		if !fence && strings.HasPrefix(line, "### ") {
			out = append(out, subheading{title: strings.TrimSpace(line[4:]), line: i + 2})
			continue
		}
		if len(out) > 0 {
			out[len(out)-1].body += line + "\n"
		}
	}
	for i := range out {
		out[i].body = strings.TrimSpace(out[i].body)
	}
	return out
}

// fencedBlocks returns the contents of the fenced code blocks whose info
// string is info.
func fencedBlocks(md, info string) []string {
	var out []string
	var cur []string
	in, want := false, false
	for _, line := range strings.Split(md, "\n") {
		switch {
		case !in && strings.HasPrefix(line, "```"):
			in, want = true, strings.TrimSpace(line[3:]) == info
			cur = nil
		case in && strings.TrimSpace(line) == "```":
			in = false
			if want {
				out = append(out, strings.Join(cur, "\n"))
			}
		case in:
			cur = append(cur, line)
		}
	}
	return out
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}

// shortCause opens an "In short" section.
const shortCause = "**Most likely cause:** "

// checkShort reads an "In short" section: a paragraph that starts with
// "**Most likely cause:**", then "### For visitors" and "### For
// developers", each a list of at least one bullet, at most four in all,
// every line short.
func checkShort(p *problems, s Section) *Short {
	first, _, _ := strings.Cut(s.Markdown, "\n### ")
	first = strings.TrimSpace(first)
	sh := &Short{Cause: strings.TrimPrefix(first, shortCause)}
	if !strings.HasPrefix(first, shortCause) || strings.Contains(first, "\n") {
		p.add(s.Line, "section In short must open with one line %q and the cause", shortCause)
	}
	subs := subheadings(s.Markdown)
	if len(subs) != 2 || subs[0].title != subVisitors || subs[1].title != subDevelopers {
		p.add(s.Line, "section In short must have exactly the subsections %q and %q", "### "+subVisitors, "### "+subDevelopers)
		return nil
	}
	bullets := func(sub subheading) []string {
		var out []string
		for _, line := range strings.Split(strings.TrimSpace(sub.body), "\n") {
			item, ok := strings.CutPrefix(line, "- ")
			if !ok {
				p.add(s.Line+sub.line, "In short, %s: every line must be a bullet \"- ...\", got %q", sub.title, clip(line))
				continue
			}
			out = append(out, item)
		}
		if len(out) == 0 {
			p.add(s.Line+sub.line, "In short, %s: give at least one bullet", sub.title)
		}
		return out
	}
	sh.Visitors, sh.Developers = bullets(subs[0]), bullets(subs[1])
	if n := len(sh.Visitors) + len(sh.Developers); n > shortMaxBullets {
		p.add(s.Line, "section In short has %d bullets, want at most %d", n, shortMaxBullets)
	}
	for _, line := range append(append([]string{sh.Cause}, sh.Visitors...), sh.Developers...) {
		if len(line) > shortMaxLen {
			p.add(s.Line, "In short: %q is %d bytes, want at most %d", clip(line), len(line), shortMaxLen)
		}
	}
	return sh
}
