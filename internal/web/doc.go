// Package web is what every teapot page shares: the page shell (the layout
// template with its header and footer, and the functions templates call),
// the static assets served under /assets/ with content-hashed names, the
// one rule that picks a page's format (HTML for browsers, text for curl,
// JSON when asked), and the prebuilt documents a feature serves and the
// export writes. It knows the base path, so that rendered pages link
// correctly; features render through it and never handle the base path
// themselves.
//
// web imports respond and the standard library only: it must not import
// any feature (site, live, lab, ipinfo, urlcheck), which all import it.
package web
