package catalog

import (
	"strings"
	"testing"
)

const goodGuide = `---
slug: 409-vs-412
title: 409 vs 412
summary: Which one.
codes: [409, 412]
---

## In short

Different.

## Decision table

| Situation | Use |
|---|---|
| If-Match failed | 412 |

## FAQ

### Which one?

It depends on [409](/409).
`

func TestGuideParse(t *testing.T) {
	t.Parallel()
	fsys := testFS(map[string]string{"compare/409-vs-412.md": goodGuide})
	c, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	g := c.GuideAt("/compare/409-vs-412")
	if g == nil || g.Title != "409 vs 412" || len(g.FAQ) != 1 || g.Sections[1].ID != "decision-table" {
		t.Fatalf("guide = %+v", g)
	}
	if c.GuideAt("/compare/412-vs-409") != g {
		t.Errorf("the reversed pair does not lead to the guide")
	}
	if got := c.GuidesFor(412); len(got) != 1 || got[0] != g {
		t.Errorf("GuidesFor(412) = %v", got)
	}
	if !c.Exists("/compare/409-vs-412") || c.Exists("/compare/nope") {
		t.Errorf("Exists is wrong about guides")
	}
}

func TestGuideRejects(t *testing.T) {
	t.Parallel()
	swap := func(old, new string) map[string]string {
		return map[string]string{"compare/409-vs-412.md": strings.Replace(goodGuide, old, new, 1)}
	}
	tests := []struct {
		name  string
		pages map[string]string
		want  string
	}{
		{"slug not file", swap("slug: 409-vs-412", "slug: 409-vs-413"), "does not match the file name"},
		{"slug not codes", swap("codes: [409, 412]", "codes: [412, 409]"), `want "412-vs-409"`},
		{"bad slug", swap("slug: 409-vs-412", "slug: 409 vs 412"), "use lower-case letters"},
		{"missing title", swap("title: 409 vs 412\n", ""), "front matter has no title"},
		{"unknown code", map[string]string{"guides/x.md": "---\nslug: x\ntitle: X\nsummary: S.\ncodes: [410]\n---\n\n## In short\n\nx\n"}, "code 410 has no page"},
		{"one code", map[string]string{"compare/409.md": strings.NewReplacer("slug: 409-vs-412", "slug: 409", "codes: [409, 412]", "codes: [409]").Replace(goodGuide)}, "at least two codes"},
		{"no in short", swap("## In short", "## Summary"), `starts with the section "## In short"`},
		{"no decision table", swap("## Decision table", "## Choices"), `needs a section "## Decision table"`},
		{"table without table", swap("| Situation | Use |\n|---|---|\n| If-Match failed | 412 |", "text"), "has no Markdown table"},
		{"faq not question", swap("### Which one?", "### Which one"), "must be a question"},
		{"broken link", swap("[409](/409)", "[409](/compare/nope)"), "link to /compare/nope, which has no page"},
		{"repeated section", swap("## FAQ", "## In short\n\nx\n\n## FAQ"), `section "In short" is repeated`},
		{"bad alias", swap("codes:", "aliases: [000]\ncodes:"), "is not a path"},
		{"alias clash", map[string]string{"compare/409-vs-412.md": goodGuide, "guides/x.md": "---\nslug: x\ntitle: X\nsummary: S.\ncodes: [409]\naliases: [/compare/412-vs-409]\n---\n\n## In short\n\nx\n"}, "is also claimed by"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(testFS(tt.pages))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestGuidesRequired checks the comparisons and guides the reference
// promises exist.
func TestGuidesRequired(t *testing.T) {
	t.Parallel()
	c := loadEmbedded(t)
	have := map[string]bool{}
	for _, g := range c.Guides() {
		have[g.Path()] = true
	}
	for _, p := range []string{
		"/compare/301-vs-302-vs-307-vs-308", "/compare/401-vs-403", "/compare/400-vs-422",
		"/compare/409-vs-412-vs-428", "/compare/404-vs-410", "/compare/500-vs-502-vs-503-vs-504",
		"/compare/429-vs-503", "/compare/200-vs-201-vs-204", "/compare/499-vs-504", "/guides/000",
	} {
		if !have[p] {
			t.Errorf("no page at %s", p)
		}
	}
}
