package site

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"slices"
	"strings"
)

// relink rewrites the addresses of the site in page, a file named from,
// into links to the exported files: relative, or from the base path when
// from is "" (the not-found page).
func (x *exporter) relink(from string, page []byte) ([]byte, error) {
	var out bytes.Buffer
	var errs []error
	last := 0
	for _, m := range linkAttr.FindAllSubmatchIndex(page, -1) {
		v := html.UnescapeString(string(page[m[2]:m[3]]))
		to, err := x.link(from, v)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if to == v {
			continue // not the site's: left as it was
		}
		out.Write(page[last:m[2]])
		out.WriteString(html.EscapeString(to))
		last = m[3]
	}
	out.Write(page[last:])
	return out.Bytes(), errors.Join(errs...)
}

// link is where an address v of a page in file from leads in the
// export. Addresses that are not the site's (another origin, a fragment,
// a relative one) are left as they are.
func (x *exporter) link(from, v string) (string, error) {
	p, rest := v, ""
	if i := strings.IndexAny(v, "?#"); i >= 0 {
		p, rest = v[:i], v[i:]
	}
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") {
		return v, nil
	}
	where := from
	if where == "" {
		where = NotFoundFile
	}
	if p != x.base && !strings.HasPrefix(p, x.base+"/") {
		return "", fmt.Errorf("export: %s links to %s, outside the base path %s", where, v, x.base)
	}
	p = strings.TrimPrefix(p, x.base)
	if p == "" {
		p = "/"
	}
	if name, ok := x.byURL[p]; ok && !x.isServer(p) {
		return x.ref(from, name) + rest, nil
	}
	for _, sp := range x.server {
		if p == sp.Path || strings.HasPrefix(p, sp.Path+"/") || strings.HasPrefix(p, sp.Path+".") {
			if x.live != "" {
				return x.live + p + rest, nil
			}
			return x.ref(from, x.byURL[sp.Path]), nil // the query and fragment are the server's
		}
	}
	return "", fmt.Errorf("export: %s links to %s, which the export has no file for and no server page covers", where, v)
}

// isServer is true for a server page's own address, which leads to the
// live site when there is one, not to its note.
func (x *exporter) isServer(p string) bool {
	return x.live != "" && slices.ContainsFunc(x.server, func(sp ServerPage) bool { return sp.Path == p })
}

// ref is the link from file from to file name: relative, or from the
// base path when from is "".
func (x *exporter) ref(from, name string) string {
	if from == "" {
		return x.base + "/" + name
	}
	return strings.Repeat("../", strings.Count(from, "/")) + name
}
