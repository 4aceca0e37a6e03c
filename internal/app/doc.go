// Package app is teapot wired together: Config with its defaults and
// validation, and New, which builds every feature (site, live, lab, exam,
// ipinfo, urlcheck) on one server with the background jobs (the lab's and
// the exam's sweeps, the geo databases' reload) and what must be closed
// at exit; the lab and the exam share one database. It
// also assembles the OpenAPI document from the features' fragments and
// writes the static export. cmd/teapot turns flags into a Config and
// calls it; the root package teapot and the tests import it too.
//
// app may import every package of teapot; none of them may import app,
// so that a feature never reaches another through it.
package app
