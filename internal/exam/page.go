package exam

import (
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"github.com/teapothq/teapot/internal/respond"
	"github.com/teapothq/teapot/internal/web"
)

//go:embed templates/*.html
var files embed.FS

// pageView is what the /exam page's template sees.
type pageView struct {
	web.Page
	Checks                                                     []Check
	Alt                                                        bool // the cross-origin check can run
	TTL, RunsPerHour, MaxRuns, MaxRequests, MaxBody, Tolerance string
}

// reportView is what a report's template sees.
type reportView struct {
	web.Page
	*Report
	Self   string // the report's address
	Origin string // this server's origin, for the requests to copy
}

// checkList is the /exam page's JSON form: the checks, without a run.
type checkList struct {
	Checks []checkEntry `json:"checks"`
}

type checkEntry struct {
	Name   string `json:"name"`
	Method string `json:"method"`
	Body   string `json:"body"`
	Repeat int    `json:"repeat"`
	Tests  string `json:"tests"`
	RFC    string `json:"rfc"`
}

// AddPage renders the /exam page in shell's layout and prepares the
// templates of the reports and of the client table's pages, so that
// Register serves the pages.
func (e *Exam) AddPage(shell *web.Shell) error {
	t, err := shell.Template(files, nil, "templates/exam.html")
	if err != nil {
		return err
	}
	o := e.opts
	html, err := shell.Render(t, pageView{Page: web.Page{Title: "Client exam: does your HTTP client handle status codes right?",
		Description: "Test how your HTTP client really handles 503 with Retry-After, 429, redirects of POST, redirect loops and caching, graded against the RFCs.",
		Alternates:  shell.Base() + "/exam"},
		Checks: checks, Alt: o.AltOrigin != "", TTL: human(o.TTL), RunsPerHour: fmt.Sprint(o.RunsPerHour),
		MaxRuns: fmt.Sprint(o.MaxRuns), MaxRequests: fmt.Sprint(o.MaxRequests), MaxBody: web.ByteSize(o.MaxBody),
		Tolerance: fmt.Sprintf("%g ms", ms(o.Tolerance))})
	if err != nil {
		return err
	}
	list := checkList{}
	var txt strings.Builder
	txt.WriteString("The client exam: POST /exam starts a run, whose answer lists each check's URL and the request to send there.\nThe report is /exam/{id} (.json, .txt). The checks:\n\n")
	for _, c := range checks {
		list.Checks = append(list.Checks, checkEntry{Name: c.Name, Method: c.Method, Body: c.Body, Repeat: c.Repeat, Tests: c.Tests, RFC: c.RFC})
		fmt.Fprintf(&txt, "%-20s %-4s %s (%s)\n", c.Name, c.Method, c.Tests, c.RFC)
	}
	js, err := json.MarshalIndent(list, "", "  ")
	if err != nil {
		return err
	}
	e.page = web.NewDoc(html, append(js, '\n'), []byte(txt.String()))
	e.report, err = shell.Template(files, template.FuncMap{"seconds": func(ms float64) float64 { return ms / 1000 }},
		"templates/report.html")
	if err != nil {
		return err
	}
	if e.clients, err = newClientPages(shell); err != nil {
		return err
	}
	e.shell = shell
	return nil
}

// servePage answers /exam, /exam.json and /exam.txt.
func (e *Exam) servePage(w http.ResponseWriter, r *http.Request) {
	_, suffix := web.SplitSuffix(r.URL.Path)
	e.shell.Serve(w, r, e.page, web.SuffixFormat(suffix))
}

// writeReport renders a report as a page.
func (e *Exam) writeReport(w http.ResponseWriter, r *http.Request, rep *Report) error {
	if e.report == nil { // no page: the text instead
		respond.Text(w, http.StatusOK, rep.Text())
		return nil
	}
	self := respond.Link(r, "/exam/"+rep.ID)
	b, err := e.shell.Render(e.report, reportView{Page: web.Page{Title: "Client exam run " + rep.ID[:8],
		Description: "The verdicts and timeline of a client exam run.", Alternates: self},
		Report: rep, Self: self, Origin: e.origin(r)})
	if err != nil {
		return err
	}
	respond.Bytes(w, http.StatusOK, respond.TypeHTML, b)
	return nil
}

// origin is the origin a client reaches this server at: the public URL,
// else the request's own when its Host is plain, else the shell's guess.
func (e *Exam) origin(r *http.Request) string {
	switch {
	case e.opts.PublicURL != "":
		return e.opts.PublicURL
	case web.PlainHost(r.Host) && r.TLS != nil:
		return "https://" + r.Host
	case web.PlainHost(r.Host):
		return "http://" + r.Host
	}
	return e.shell.Origin()
}
