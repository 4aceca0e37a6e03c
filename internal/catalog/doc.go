// Package catalog loads the status-code reference: one Markdown page per code
// with front matter, checked against the IANA registry and the table of
// common unofficial codes. Loading is strict: any problem is reported with
// the file and line, and a catalog with problems is never returned.
//
// The catalog also answers lookups by code and class and ranks search
// results; it knows nothing of HTTP or HTML, and imports the standard
// library and goldmark only, nothing of teapot: every feature may import it.
package catalog
