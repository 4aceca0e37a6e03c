package exam

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/teapothq/teapot/internal/respond"
	"github.com/teapothq/teapot/internal/web"
)

// clientPages serve the published table: /exam/clients, and a page per
// cell at /exam/clients/{client}/{check}. Everything is built on first
// use, the table's page at once and each cell's when it is first asked
// for, then kept: most instances never serve them, and the timelines are
// most of the table.
type clientPages struct {
	shell       *web.Shell
	index, cell *template.Template

	once  sync.Once
	err   error
	table *ClientTable
	page  *web.Doc
	cells map[string]*lazyCell // by "client/check"
}

type lazyCell struct {
	once sync.Once
	doc  *web.Doc
	err  error
}

// clientsView is what the table's template sees.
type clientsView struct {
	web.Page
	*ClientTable
	Checks []Check
}

// cellView is what a cell's template sees.
type cellView struct {
	web.Page
	Generated, Platform string
	ToleranceMS         float64
	Client              *Client
	Check               *Check
	*ClientResult
	Others []otherClient // the other clients on this check
}

type otherClient struct {
	ID, Name string
	Verdict  Verdict
}

// verdictMarks are the signs that go with a verdict's word (never
// instead of it), and its class in the style sheet.
var verdictMarks = map[Verdict][2]string{
	Pass: {"✓", "pass"}, Fail: {"✗", "fail"}, Warn: {"!", "warn"}, Info: {"i", "info"},
	NotRun: {"–", "not-run"}, Skipped: {"–", "skipped"},
}

// clientFuncs are the templates' functions beside the layout's.
var clientFuncs = template.FuncMap{
	"mark":    func(v Verdict) string { return verdictMarks[v][0] },
	"vclass":  func(v Verdict) string { return verdictMarks[v][1] },
	"seconds": func(ms float64) float64 { return ms / 1000 },
}

func newClientPages(shell *web.Shell) (*clientPages, error) {
	index, err := shell.Template(files, clientFuncs, "templates/clients.html")
	if err != nil {
		return nil, err
	}
	cell, err := shell.Template(files, clientFuncs, "templates/client.html")
	if err != nil {
		return nil, err
	}
	return &clientPages{shell: shell, index: index, cell: cell}, nil
}

// load reads the table and renders its page, once.
func (p *clientPages) load() error {
	p.once.Do(func() {
		p.table, p.err = PublishedClients()
		if p.err != nil {
			return
		}
		p.cells = map[string]*lazyCell{}
		for _, c := range p.table.Clients {
			for _, r := range c.Results {
				p.cells[c.ID+"/"+r.Check] = &lazyCell{}
			}
		}
		p.page, p.err = p.renderIndex()
	})
	return p.err
}

func (p *clientPages) renderIndex() (*web.Doc, error) {
	base := p.shell.Base()
	html, err := p.shell.Render(p.index, clientsView{Page: web.Page{
		Title:       "HTTP clients in the client exam: curl, Go, Python requests and httpx, Node fetch",
		Description: "How real HTTP clients handle Retry-After, 429, backoff, POST retries, redirects, loops and caching, check by check, with the requests the server saw.",
		Alternates:  base + "/exam/clients"}, ClientTable: p.table, Checks: checks})
	if err != nil {
		return nil, err
	}
	js, err := json.MarshalIndent(p.table.summary(base), "", "  ")
	if err != nil {
		return nil, err
	}
	return web.NewDoc(html, append(js, '\n'), []byte(p.table.text(base))), nil
}

// cellDoc is the page of one cell, rendered when first asked for; nil
// when the table has no such cell.
func (p *clientPages) cellDoc(client, check string) (*web.Doc, error) {
	lc := p.cells[client+"/"+check]
	if lc == nil {
		return nil, nil
	}
	lc.once.Do(func() { lc.doc, lc.err = p.renderCell(p.table.Client(client), Lookup(check)) })
	return lc.doc, lc.err
}

func (p *clientPages) renderCell(c *Client, chk *Check) (*web.Doc, error) {
	res := c.Result(chk.Name)
	self := p.shell.Base() + "/exam/clients/" + c.ID + "/" + chk.Name
	v := cellView{Page: web.Page{Title: c.Name + " on " + chk.Name + ": " + string(res.Verdict) + " · client exam",
		Description: res.Reason, Alternates: self},
		Generated: p.table.Generated, Platform: p.table.Platform, ToleranceMS: p.table.ToleranceMS,
		Client: c, Check: chk, ClientResult: res}
	for _, o := range p.table.Clients {
		if o.ID != c.ID {
			v.Others = append(v.Others, otherClient{ID: o.ID, Name: o.Name, Verdict: o.Result(chk.Name).Verdict})
		}
	}
	html, err := p.shell.Render(p.cell, v)
	if err != nil {
		return nil, err
	}
	js, err := json.MarshalIndent(cellJSON{Client: clientInfo(c), Check: checkEntryOf(chk), Verdict: res.Verdict,
		Reason: res.Reason, Timeline: res.Timeline, Generated: p.table.Generated, Platform: p.table.Platform,
		ToleranceMS: p.table.ToleranceMS, Table: p.shell.Base() + "/exam/clients"}, "", "  ")
	if err != nil {
		return nil, err
	}
	return web.NewDoc(html, append(js, '\n'), []byte(cellText(c, chk, res, p.table))), nil
}

// serveClients answers /exam/clients, .json and .txt.
func (e *Exam) serveClients(w http.ResponseWriter, r *http.Request) {
	if err := e.clients.load(); err != nil {
		respond.Fail(w, r, e.opts.Log, &respond.Problem{Status: http.StatusInternalServerError,
			Title: "Internal Server Error", Detail: "The client table could not be read.", Cause: err})
		return
	}
	_, suffix := web.SplitSuffix(r.URL.Path)
	e.shell.Serve(w, r, e.clients.page, web.SuffixFormat(suffix))
}

// serveClientCell answers /exam/clients/{client}/{check}, .json and
// .txt; an address outside the table gets the site's not-found page, or
// for a script a problem that names the table's clients.
func (e *Exam) serveClientCell(w http.ResponseWriter, r *http.Request) {
	if err := e.clients.load(); err != nil {
		respond.Fail(w, r, e.opts.Log, &respond.Problem{Status: http.StatusInternalServerError,
			Title: "Internal Server Error", Detail: "The client table could not be read.", Cause: err})
		return
	}
	check, suffix := web.SplitSuffix(r.PathValue("check"))
	doc, err := e.clients.cellDoc(r.PathValue("client"), check)
	switch {
	case err != nil:
		respond.Fail(w, r, e.opts.Log, &respond.Problem{Status: http.StatusInternalServerError,
			Title: "Internal Server Error", Detail: "This cell of the client table could not be rendered.", Cause: err})
	case doc == nil:
		if f, _ := web.Format(r, suffix); f == web.HTML {
			e.shell.NotFound(w, r)
			return
		}
		respond.Fail(w, r, e.opts.Log, e.clients.noCell(r.PathValue("client"), check))
	default:
		e.shell.Serve(w, r, doc, web.SuffixFormat(suffix))
	}
}

// noCell is the problem of an address outside the table.
func (p *clientPages) noCell(client, check string) *respond.Problem {
	var ids []string
	for _, c := range p.table.Clients {
		ids = append(ids, c.ID)
	}
	what := "client " + strconv.Quote(respond.Truncate(client, 64))
	if p.table.Client(client) != nil {
		what = "check " + strconv.Quote(respond.Truncate(check, 64))
	}
	return &respond.Problem{Status: http.StatusNotFound, Title: "Not Found",
		Detail: "The client table has no " + what + ". Its clients are " + strings.Join(ids, ", ") +
			"; its checks are the exam's (/exam.json)."}
}

// tableJSON is /exam/clients.json: the verdicts and reasons, each cell
// with the address of its timeline.
type tableJSON struct {
	Generated   string            `json:"generated"`
	Platform    string            `json:"platform"`
	ToleranceMS float64           `json:"tolerance_ms"`
	Checks      []checkEntry      `json:"checks"`
	Clients     []clientSummaryJS `json:"clients"`
}

type clientJS struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Version string `json:"version"`
	Command string `json:"command"`
	Docs    string `json:"docs"`
}

type clientSummaryJS struct {
	clientJS
	Results []cellSummaryJS `json:"results"`
}

type cellSummaryJS struct {
	Check   string  `json:"check"`
	Verdict Verdict `json:"verdict"`
	Reason  string  `json:"reason"`
	URL     string  `json:"url"` // the cell's page, with its timeline
}

// cellJSON is /exam/clients/{client}/{check}.json.
type cellJSON struct {
	Client      clientJS      `json:"client"`
	Check       checkEntry    `json:"check"`
	Verdict     Verdict       `json:"verdict"`
	Reason      string        `json:"reason"`
	Timeline    []ClientEntry `json:"timeline"`
	Generated   string        `json:"generated"`
	Platform    string        `json:"platform"`
	ToleranceMS float64       `json:"tolerance_ms"`
	Table       string        `json:"table"` // the whole table's address
}

func clientInfo(c *Client) clientJS {
	return clientJS{ID: c.ID, Name: c.Name, Version: c.Version, Command: c.Command, Docs: c.Docs}
}

func checkEntryOf(c *Check) checkEntry {
	return checkEntry{Name: c.Name, Method: c.Method, Body: c.Body, Repeat: c.Repeat, Tests: c.Tests, RFC: c.RFC}
}

func (t *ClientTable) summary(base string) tableJSON {
	out := tableJSON{Generated: t.Generated, Platform: t.Platform, ToleranceMS: t.ToleranceMS}
	for i := range checks {
		out.Checks = append(out.Checks, checkEntryOf(&checks[i]))
	}
	for i := range t.Clients {
		c := &t.Clients[i]
		s := clientSummaryJS{clientJS: clientInfo(c)}
		for _, r := range c.Results {
			s.Results = append(s.Results, cellSummaryJS{Check: r.Check, Verdict: r.Verdict, Reason: r.Reason,
				URL: base + "/exam/clients/" + c.ID + "/" + r.Check})
		}
		out.Clients = append(out.Clients, s)
	}
	return out
}

// text is /exam/clients.txt: the checks numbered, then a line per client
// with its verdict on each.
func (t *ClientTable) text(base string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP clients in teapot's client exam, made %s on %s\n", t.Generated, t.Platform)
	fmt.Fprintf(&b, "(timing tolerance %g ms). Each cell, with its reason and timeline: %s/exam/clients/{client}/{check}.txt\n\n", t.ToleranceMS, base)
	for i, c := range checks {
		fmt.Fprintf(&b, "%2d  %-20s %s\n", i+1, c.Name, c.RFC)
	}
	b.WriteString("\n")
	width := len("client")
	for _, c := range t.Clients {
		width = max(width, len(c.ID))
	}
	fmt.Fprintf(&b, "%-*s", width, "client")
	row := func(cells []string) {
		line := fmt.Sprintf("%-*s", width, cells[0])
		for _, c := range cells[1:] {
			line += fmt.Sprintf(" %-7s", c)
		}
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	head := []string{"client"}
	for i := range checks {
		head = append(head, fmt.Sprint(i+1))
	}
	row(head)
	for _, c := range t.Clients {
		cells := []string{c.ID}
		for _, r := range c.Results {
			cells = append(cells, string(r.Verdict))
		}
		row(cells)
	}
	b.WriteString("\n")
	for _, c := range t.Clients {
		fmt.Fprintf(&b, "%s: %s, %s\n  sent with: %s\n  expected from: %s\n\n", c.ID, c.Name, c.Version,
			strings.ReplaceAll(c.Command, "\n", "\n    "), c.Docs)
	}
	return b.String()
}

// cellText is a cell as text: the verdict, why, and the timeline, a run
// of like requests (a redirect loop's) shortened to its first two and
// its last.
func cellText(c *Client, chk *Check, res *ClientResult, t *ClientTable) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s) on %s: %s\n%s\n\n", c.Name, c.Version, chk.Name, strings.ToUpper(string(res.Verdict)), res.Reason)
	fmt.Fprintf(&b, "The check: %s (%s)\nSent with: %s\nExpected from: %s\nMade %s on %s; timing tolerance %g ms.\n\n",
		chk.Tests, chk.RFC, strings.ReplaceAll(c.Command, "\n", "\n  "), c.Docs, t.Generated, t.Platform, t.ToleranceMS)
	fmt.Fprintf(&b, "Timeline (seconds from the first request):\n")
	tl := res.Timeline
	for i := 0; i < len(tl); i++ {
		j := i + 1
		for j < len(tl) && tl[j].like(tl[i]) {
			j++
		}
		if j-i > 4 {
			fmt.Fprintf(&b, "  %s\n  %s\n  ... %d more like these ...\n  %s\n", tl[i].line(chk.Name), tl[i+1].line(chk.Name), j-i-3, tl[j-1].line(chk.Name))
			i = j - 1
			continue
		}
		b.WriteString("  " + tl[i].line(chk.Name) + "\n")
	}
	return b.String()
}

// like: en repeats a's request on a's connection and got the same answer.
func (en ClientEntry) like(a ClientEntry) bool {
	return a.Method == en.Method && a.Step == en.Step && a.Status == en.Status && a.Conn == en.Conn && !en.NewConn &&
		a.Body == en.Body && a.SHA256 == en.SHA256
}

// line is the entry on one line of text, its path from the check's name.
func (en ClientEntry) line(check string) string {
	path := check
	if en.Step != "" {
		path += "/" + en.Step
	}
	conn := fmt.Sprintf("conn %d", en.Conn)
	if en.NewConn {
		conn += " (new)"
	}
	s := fmt.Sprintf("%+8.3f s  %-6s %s -> %d  %s  body %d B", en.AtMS/1000, en.Method, path, en.Status, conn, en.Body)
	for _, k := range recorded {
		if v, ok := en.Header[k]; ok && k != "Content-Length" {
			s += "  " + k + ": " + v
		}
	}
	return s
}
