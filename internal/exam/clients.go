package exam

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"sync"
)

// The published client table: real HTTP clients taken through the exam by
// the e2e suite (e2e/exam_clients_test.go), each cell a check's verdict
// with its reason and the requests the server saw. The suite writes
// clients.json when asked to (make exam-clients) and otherwise checks
// that the installed clients still earn the verdicts written there; the
// binary embeds it and serves it at /exam/clients.

//go:embed clients.json
var clientsJSON []byte

// ClientTable is the published table: every client's results in the
// exam's order of checks.
type ClientTable struct {
	Generated   string   `json:"generated"`    // the day it was made, 2006-01-02
	Platform    string   `json:"platform"`     // the system the clients ran on
	ToleranceMS float64  `json:"tolerance_ms"` // the exam's timing tolerance
	Clients     []Client `json:"clients"`
}

// Client is one client as it took the exam.
type Client struct {
	ID      string `json:"id"`      // its name in addresses: "curl-retry"
	Name    string `json:"name"`    // how people call it: "curl --retry 3"
	Version string `json:"version"` // as the client reports it
	// Command is what sent each check's request: a command template with
	// {method}, {body} and {url}, or the code that did.
	Command string `json:"command"`
	// Docs names the documentation its expected verdicts were read from,
	// and what it says.
	Docs    string         `json:"docs"`
	Results []ClientResult `json:"results"`
}

// ClientResult is one cell of the table: a client's verdict on a check.
type ClientResult struct {
	Check    string        `json:"check"`
	Verdict  Verdict       `json:"verdict"`
	Reason   string        `json:"reason"`
	Timeline []ClientEntry `json:"timeline"`
}

// ClientEntry is one request of a cell's timeline. Unlike a report's
// Entry it names no run (the run has long expired): times are from the
// check's first request, connections are numbered within the check, and
// the path is the step below the check's URL.
type ClientEntry struct {
	AtMS   float64 `json:"at_ms"` // since the check's first request
	Method string  `json:"method"`
	Step   string  `json:"step,omitempty"` // "" at the check's URL, else its sub-path ("target")
	Status int     `json:"status"`
	Conn   int     `json:"connection"` // numbered from 1 within the check
	// NewConn: the connection's first request in the run (a client that
	// keeps connections may bring one from another check).
	NewConn bool              `json:"new_connection"`
	Header  map[string]string `json:"header,omitempty"`
	Body    int64             `json:"body_bytes"`
	SHA256  string            `json:"body_sha256,omitempty"`
	WaitMS  float64           `json:"retry_after_ms,omitempty"`
}

// NewClientResult keeps what the table needs of one check of a report:
// the verdict, the reason and the timeline, without the run.
func NewClientResult(c CheckReport) ClientResult {
	res := ClientResult{Check: c.Name, Verdict: c.Verdict, Reason: c.Reason, Timeline: []ClientEntry{}}
	conns := map[int]int{}
	for _, en := range c.Timeline {
		num, ok := conns[en.Conn]
		if !ok {
			num = len(conns) + 1
			conns[en.Conn] = num
		}
		step := ""
		if rest, ok := strings.CutPrefix(en.Path, c.URL+"/"); ok {
			step = rest
		}
		res.Timeline = append(res.Timeline, ClientEntry{AtMS: micro(en.AtMS - c.Timeline[0].AtMS), Method: en.Method,
			Step: step, Status: en.Status, Conn: num, NewConn: en.NewConn, Header: en.Header, Body: en.Body,
			SHA256: en.SHA256, WaitMS: en.WaitMS})
	}
	return res
}

// micro rounds milliseconds to the microsecond the journal keeps, which
// a difference of two may have lost.
func micro(ms float64) float64 { return math.Round(ms*1000) / 1000 }

// PublishedClients is the table the binary embeds, read once.
func PublishedClients() (*ClientTable, error) {
	published.once.Do(func() {
		var t ClientTable
		if err := json.Unmarshal(clientsJSON, &t); err != nil {
			published.err = fmt.Errorf("exam: clients.json: %w", err)
			return
		}
		if err := t.Validate(); err != nil {
			published.err = fmt.Errorf("exam: clients.json: %w", err)
			return
		}
		published.table = &t
	})
	return published.table, published.err
}

var published struct {
	once  sync.Once
	table *ClientTable
	err   error
}

// Validate checks that the table fits the exam: ids fit for an address
// and each once, and every client with one result per check, in the
// exam's order, each with a known verdict.
func (t *ClientTable) Validate() error {
	if len(t.Clients) == 0 {
		return fmt.Errorf("no clients")
	}
	seen := map[string]bool{}
	for _, c := range t.Clients {
		if !validClientID(c.ID) {
			return fmt.Errorf("client id %q: want lower-case letters, digits and dashes", c.ID)
		}
		if seen[c.ID] {
			return fmt.Errorf("client id %q twice", c.ID)
		}
		seen[c.ID] = true
		if c.Name == "" || c.Version == "" || c.Command == "" || c.Docs == "" {
			return fmt.Errorf("client %s: name, version, command and docs are all needed", c.ID)
		}
		if len(c.Results) != len(checks) {
			return fmt.Errorf("client %s: %d results for %d checks: regenerate the table (make exam-clients)", c.ID, len(c.Results), len(checks))
		}
		for i, r := range c.Results {
			if r.Check != checks[i].Name {
				return fmt.Errorf("client %s: result %d is for %q, want %q: regenerate the table (make exam-clients)", c.ID, i+1, r.Check, checks[i].Name)
			}
			if !knownVerdict(r.Verdict) || r.Reason == "" {
				return fmt.Errorf("client %s, %s: verdict %q, reason %q", c.ID, r.Check, r.Verdict, r.Reason)
			}
		}
	}
	return nil
}

// Client is the client of the table with id, or nil.
func (t *ClientTable) Client(id string) *Client {
	for i := range t.Clients {
		if t.Clients[i].ID == id {
			return &t.Clients[i]
		}
	}
	return nil
}

// Result is the client's result on the check named name, or nil.
func (c *Client) Result(name string) *ClientResult {
	for i := range c.Results {
		if c.Results[i].Check == name {
			return &c.Results[i]
		}
	}
	return nil
}

func validClientID(s string) bool {
	if s == "" || len(s) > 64 || s[0] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func knownVerdict(v Verdict) bool {
	for _, k := range Verdicts {
		if v == k {
			return true
		}
	}
	return false
}
