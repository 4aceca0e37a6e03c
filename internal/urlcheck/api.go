package urlcheck

import (
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/teapothq/teapot/internal/respond"
	"github.com/teapothq/teapot/internal/web"
)

// Content types of the check API.
const (
	TypeNDJSON = "application/x-ndjson"
	TypeCSV    = "text/csv; charset=utf-8"
)

// writeGrace is how long one write to a slow reader may take.
const writeGrace = 15 * time.Second

// Register adds POST /api/check, and the /check page when the checker
// has one, to mux.
func (c *Checker) Register(mux *web.Mux) {
	mux.HandleFunc("POST /api/check", c.serveCheck)
	mux.Refuse("GET /api/check", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", "POST")
		c.problem(w, r, http.StatusMethodNotAllowed, "Method Not Allowed",
			"POST a JSON body such as {\"urls\": [\"https://example.org/\"]}; /check is the form.")
	})
	if c.page != nil {
		mux.HandleFunc("GET /check", c.servePage)
	}
}

// Progress is one line of the NDJSON stream: first {done: 0, total}, then
// one line with each result as it finishes, then a last line with
// finished set.
type Progress struct {
	Done     int     `json:"done"`
	Total    int     `json:"total"`
	Result   *Result `json:"result,omitempty"`
	Finished bool    `json:"finished,omitempty"`
	TimeMS   float64 `json:"time_ms,omitempty"`
}

// Report is the ?format=json document: every result in request order.
type Report struct {
	Total   int      `json:"total"`
	TimeMS  float64  `json:"time_ms"`
	Results []Result `json:"results"`
}

func (c *Checker) serveCheck(w http.ResponseWriter, r *http.Request) {
	// The API takes forms and JSON sent as a form (curl -d), which a page
	// on any site can post, spending its visitors' check budgets and
	// making the checker their proxy: browsers' requests from other
	// origins are refused, while scripts and the command line, which
	// send no Origin, go on working.
	if err := c.sameSite.Check(r); err != nil {
		c.problem(w, r, http.StatusForbidden, "Cross-origin request refused", crossOriginDetail(r))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	var mbe *http.MaxBytesError
	if len(body) > MaxBody || errors.As(err, &mbe) {
		c.problem(w, r, http.StatusBadRequest, "Request too large", fmt.Sprintf("The body may be at most %d bytes.", MaxBody))
		return
	}
	if err != nil {
		c.problem(w, r, http.StatusBadRequest, "Bad request", "The body could not be read.")
		return
	}
	ctype := r.Header.Get("Content-Type")
	format, download := r.URL.Query().Get("format"), r.URL.Query().Has("download")
	if mt, _, _ := mime.ParseMediaType(ctype); mt == "application/x-www-form-urlencoded" && !strings.HasPrefix(strings.TrimSpace(string(body)), "{") {
		if v, err := url.ParseQuery(string(body)); err == nil {
			format = cmp.Or(format, v.Get("format"))
			download = download || v.Get("download") != ""
		}
	}
	if !slices.Contains([]string{"", "ndjson", "json", "csv"}, format) {
		c.problem(w, r, http.StatusBadRequest, "Bad format", fmt.Sprintf("format %q must be ndjson (the default), json or csv.", respond.Truncate(format, 20)))
		return
	}
	spec, urls, err := ParseRequest(ctype, body, c.Limits())
	if err != nil {
		var ie *InputError
		if errors.As(err, &ie) {
			c.problem(w, r, http.StatusBadRequest, "Bad check request", ie.Msg+".")
			return
		}
		c.problem(w, r, http.StatusBadRequest, "Bad check request", "The request could not be read.")
		return
	}
	key := c.opts.ClientAddr(r)
	cl, leave, ok := c.clients.enter(key)
	if !ok {
		w.Header().Set("Retry-After", "10")
		c.problem(w, r, http.StatusTooManyRequests, "Too many checks",
			fmt.Sprintf("At most %d check requests from one address may run at once; wait for one to finish.", maxRequestsPerClient))
		return
	}
	defer leave()
	ctx, cancel := context.WithTimeout(r.Context(), c.budget(len(urls), spec))
	defer cancel()
	rc := http.NewResponseController(w)
	// The checks may outlast the server's read and write timeouts; each
	// write below gets its own deadline instead.
	rc.SetReadDeadline(time.Time{})
	rc.SetWriteDeadline(time.Time{})
	w.Header().Set("Cache-Control", "no-store")
	switch format {
	case "json", "csv":
		c.writeReport(ctx, w, rc, cl, urls, spec, format, download)
	default:
		c.stream(ctx, w, rc, cl, urls, spec)
	}
}

// budget is the longest a request of n URLs may take: its rounds of
// checks at the client's concurrency, and one more.
func (c *Checker) budget(n int, spec Spec) time.Duration {
	rounds := (n + c.opts.PerClient - 1) / c.opts.PerClient
	return min(time.Duration(rounds+1)*spec.Timeout, 15*time.Minute)
}

// stream writes NDJSON: a line when the checks start, one per result as
// it finishes, and one at the end.
func (c *Checker) stream(ctx context.Context, w http.ResponseWriter, rc *http.ResponseController, cl *client, urls []*url.URL, spec Spec) {
	start := time.Now()
	w.Header().Set("Content-Type", TypeNDJSON)
	w.Header().Set("X-Accel-Buffering", "no") // nginx: pass lines on at once
	w.WriteHeader(http.StatusOK)
	enc := json.NewEncoder(w)
	line := func(p Progress) {
		rc.SetWriteDeadline(time.Now().Add(writeGrace))
		if enc.Encode(p) == nil {
			rc.Flush()
		}
	}
	total, done := len(urls), 0
	line(Progress{Total: total})
	c.Run(ctx, cl, urls, spec, func(r Result) {
		done++
		line(Progress{Done: done, Total: total, Result: &r})
	})
	line(Progress{Done: done, Total: total, Finished: true, TimeMS: ms(time.Since(start))})
}

// writeReport runs every check, then writes them in request order as one
// JSON document or as CSV.
func (c *Checker) writeReport(ctx context.Context, w http.ResponseWriter, rc *http.ResponseController, cl *client, urls []*url.URL, spec Spec, format string, download bool) {
	start := time.Now()
	results := make([]Result, len(urls))
	c.Run(ctx, cl, urls, spec, func(r Result) { results[r.Index] = r })
	rc.SetWriteDeadline(time.Now().Add(writeGrace))
	if format == "csv" {
		w.Header().Set("Content-Type", TypeCSV)
		w.Header().Set("Content-Disposition", `attachment; filename="teapot-check.csv"`)
		WriteCSV(w, results)
		return
	}
	if download {
		w.Header().Set("Content-Disposition", `attachment; filename="teapot-check.json"`)
	}
	respond.JSON(w, http.StatusOK, Report{Total: len(urls), TimeMS: ms(time.Since(start)), Results: results})
}

// CSVHeader are the columns of the CSV export.
var CSVHeader = []string{"url", "status", "reason", "final_url", "redirects", "chain", "time_ms", "http_version",
	"tls_version", "cert_days_left", "cert_verified", "error", "refused_rule"}

// WriteCSV writes results as CSV with CSVHeader.
func WriteCSV(w io.Writer, results []Result) error {
	cw := csv.NewWriter(w)
	cw.Write(CSVHeader)
	for _, r := range results {
		var chain []string
		for _, h := range r.Hops {
			chain = append(chain, strconv.Itoa(h.Status))
		}
		tlsVersion, days, verified := "", "", ""
		if r.TLS != nil {
			tlsVersion, days, verified = r.TLS.Version, strconv.Itoa(r.TLS.DaysLeft), strconv.FormatBool(r.TLS.Verified)
		}
		rule := ""
		if r.Refused != nil {
			rule = r.Refused.Rule
		}
		cw.Write([]string{csvSafe(r.URL), strconv.Itoa(r.Status), csvSafe(r.Reason), csvSafe(r.FinalURL), strconv.Itoa(r.Redirects),
			strings.Join(chain, " > "), strconv.FormatFloat(r.TimeMS, 'f', 1, 64), r.Proto, tlsVersion, days, verified,
			csvSafe(r.Error), rule})
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a spreadsheet from reading a cell as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// crossOriginDetail says why a browser's request from another origin was
// refused, naming the header that told.
func crossOriginDetail(r *http.Request) string {
	why := fmt.Sprintf("its Origin %q is not this server's (%s)", respond.Truncate(r.Header.Get("Origin"), 100), respond.Truncate(r.Host, 100))
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" {
		why = fmt.Sprintf("the browser says it comes from a page of another origin (Sec-Fetch-Site: %s)", respond.Truncate(site, 20))
	}
	return "POST /api/check takes requests from this server's own pages and from clients that send no Origin (scripts, curl); " +
		"this one is refused because " + why + ", so that a page elsewhere cannot run checks with its visitors' budgets."
}

func (c *Checker) problem(w http.ResponseWriter, r *http.Request, status int, title, detail string) {
	respond.Fail(w, r, nil, &respond.Problem{Title: title, Status: status, Detail: detail})
}
