// Package content holds teapot's reference pages and fact tables, embedded in
// the binary. The format is described in README.md beside this file; package
// catalog loads and validates it.
package content

import "embed"

// FS holds codes/*.md (one page per status code), compare/*.md and
// guides/*.md (comparisons and guides), and data/*.tsv (the
// registry tables the pages are checked against).
//
//go:embed codes/*.md data/*.tsv guides/*.md compare/*.md
var FS embed.FS
