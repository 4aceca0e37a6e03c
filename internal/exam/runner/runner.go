// Package runner is the client side of the client exam, behind "teapot
// exam run": it starts a run on a teapot server, has the client under test
// send each check's request (a command per check, or a function in
// tests), and fetches the report. It talks to the server over HTTP only,
// as any client of the exam would; it imports package exam for the JSON
// the server sends, nothing else of teapot.
package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/teapothq/teapot/internal/exam"
)

// Send makes a check's request once, with the client under test, at url
// (absolute; with userinfo when the check gives credentials). An error is
// reported, not fatal: a client that gives up on a 503 often exits
// non-zero, and the report says what it did.
type Send func(ctx context.Context, c exam.CheckInfo, url string) error

// Options configure a run.
type Options struct {
	// Server is the teapot to take the exam on, with its base path, such
	// as http://localhost:8080 or https://example.org/teapot.
	Server string
	Checks []string      // the checks to take, by name; none: every one
	Send   Send          // the client under test
	Jobs   int           // checks taken at once (1 when 0)
	Wait   time.Duration // the longest one Send may take (a minute when 0)
	// Client talks to the exam's API (a default client with a timeout
	// when nil); never the client under test.
	Client *http.Client
	Log    io.Writer // a line per request sent; nil for none
}

// Result is a run's outcome.
type Result struct {
	Run    exam.RunInfo
	Report exam.Report
	Text   string // the report as the server writes it in text
}

// UnknownCheckError: a check named in Options.Checks does not exist.
type UnknownCheckError struct{ Name string }

func (e *UnknownCheckError) Error() string {
	var names []string
	for _, c := range exam.Checks() {
		names = append(names, c.Name)
	}
	return fmt.Sprintf("no check named %q; the checks are %s", e.Name, strings.Join(names, ", "))
}

// Run takes the exam: starts a run, sends every chosen check's request as
// often as the check asks, then reads the report.
func Run(ctx context.Context, o Options) (*Result, error) {
	for _, name := range o.Checks {
		if exam.Lookup(name) == nil {
			return nil, &UnknownCheckError{name}
		}
	}
	if o.Jobs < 1 {
		o.Jobs = 1
	}
	if o.Wait <= 0 {
		o.Wait = time.Minute
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 30 * time.Second}
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	base, err := url.Parse(strings.TrimRight(o.Server, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("the server %q must be an http or https URL, such as http://localhost:8080", o.Server)
	}
	res := &Result{}
	if err := o.call(ctx, "POST", base.String()+"/exam", "application/json", http.StatusCreated, &res.Run); err != nil {
		return nil, fmt.Errorf("start a run: %w", err)
	}
	fmt.Fprintf(o.Log, "run %s on %s\n", res.Run.ID, base.Redacted())
	o.sendAll(ctx, base, res.Run.Checks)
	report := origin(base) + res.Run.Report
	if err := o.call(ctx, "GET", report+".json", "application/json", http.StatusOK, &res.Report); err != nil {
		return nil, fmt.Errorf("read the report: %w", err)
	}
	if err := o.call(ctx, "GET", report+".txt", "text/plain", http.StatusOK, &res.Text); err != nil {
		return nil, fmt.Errorf("read the report: %w", err)
	}
	return res, nil
}

// sendAll sends the chosen checks' requests, Jobs checks at a time; each
// check's repeats go one after another.
func (o Options) sendAll(ctx context.Context, base *url.URL, checks []exam.CheckInfo) {
	sem := make(chan struct{}, o.Jobs)
	var wg sync.WaitGroup
	var mu sync.Mutex // one log line at a time
	for _, c := range checks {
		if c.Skipped != "" || len(o.Checks) > 0 && !slices.Contains(o.Checks, c.Name) {
			continue
		}
		u := checkURL(base, c)
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			for i := range max(1, c.Repeat) {
				cctx, cancel := context.WithTimeout(ctx, o.Wait)
				t := time.Now()
				err := o.Send(cctx, c, u)
				cancel()
				mu.Lock()
				line := fmt.Sprintf("%s: %s %d of %d, %.2f s", c.Name, c.Method, i+1, max(1, c.Repeat), time.Since(t).Seconds())
				if err != nil {
					line += ": " + err.Error()
				}
				fmt.Fprintln(o.Log, line)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
}

// origin is the scheme and host of base: the run's paths are absolute and
// carry the base path already.
func origin(base *url.URL) string { return base.Scheme + "://" + base.Host }

// checkURL is the absolute URL of a check, with its credentials as
// userinfo when it has some.
func checkURL(base *url.URL, c exam.CheckInfo) string {
	u := &url.URL{Scheme: base.Scheme, Host: base.Host}
	if p, err := url.Parse(c.URL); err == nil {
		u.Path, u.RawPath = p.Path, p.RawPath
	}
	if name, pass, ok := strings.Cut(c.Credentials, ":"); ok {
		u.User = url.UserPassword(name, pass)
	}
	return u.String()
}

// call sends one request to the exam's API and decodes the answer, JSON
// into out or text into a *string.
func (o Options) call(ctx context.Context, method, u, accept string, want int, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", accept)
	req.Header.Set("User-Agent", "teapot-exam-runner")
	resp, err := o.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		return &StatusError{Method: method, URL: u, Status: resp.StatusCode, Detail: problemDetail(body)}
	}
	if s, ok := out.(*string); ok {
		*s = string(body)
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("%s %s: the answer is not the exam's JSON: %w", method, u, err)
	}
	return nil
}

// StatusError: the exam's API answered with an unexpected status.
type StatusError struct {
	Method, URL string
	Status      int
	Detail      string // the problem's detail, if it sent one
}

func (e *StatusError) Error() string {
	s := fmt.Sprintf("%s %s: %d %s", e.Method, e.URL, e.Status, http.StatusText(e.Status))
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// problemDetail is the detail of an RFC 9457 problem, or "".
func problemDetail(body []byte) string {
	var p struct{ Detail string }
	if json.Unmarshal(body, &p) != nil {
		return ""
	}
	return p.Detail
}

// Failed names the checks that failed, and with strict those that warned
// too.
func (r *Result) Failed(strict bool) []string {
	var out []string
	for _, c := range r.Report.Checks {
		if c.Verdict == exam.Fail || strict && c.Verdict == exam.Warn {
			out = append(out, c.Name)
		}
	}
	return out
}
