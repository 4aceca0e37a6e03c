package main

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// load is what one wrk run measured.
type load struct {
	rps      float64
	requests int
	non2xx   int    // wrk's "Non-2xx or 3xx responses": status 400 and up
	socket   string // wrk's "Socket errors" line, if any
}

var (
	rpsRE      = regexp.MustCompile(`(?m)^Requests/sec:\s+([0-9.]+)`)
	requestsRE = regexp.MustCompile(`(?m)^\s*([0-9]+) requests in `)
	non2xxRE   = regexp.MustCompile(`(?m)Non-2xx or 3xx responses:\s+([0-9]+)`)
	socketRE   = regexp.MustCompile(`(?m)Socket errors:.*$`)
)

// wrkArgs is the load of the rule: wrk -t1 -c32 -d4s by default.
func (o *options) wrkArgs(headers []string) []string {
	args := []string{"-t" + strconv.Itoa(o.threads), "-c" + strconv.Itoa(o.connections), "-d" + o.duration.String()}
	for _, h := range headers {
		args = append(args, "-H", h)
	}
	return args
}

// runWrk loads url once; status is the code every answer must have, so
// that a 2xx or 3xx must never count as an error and a 4xx or 5xx must
// always (wrk cannot tell two error codes apart: the servers' own
// counts are checked after the rounds).
func runWrk(ctx context.Context, o *options, url string, headers []string, status int) (load, error) {
	args := append(o.wrkArgs(headers), url)
	out, err := exec.CommandContext(ctx, o.wrk, args...).CombinedOutput()
	text := string(out)
	if err != nil {
		return load{}, fmt.Errorf("wrk %s: %v\n%s", strings.Join(args, " "), err, text)
	}
	var l load
	m := rpsRE.FindStringSubmatch(text)
	n := requestsRE.FindStringSubmatch(text)
	if m == nil || n == nil {
		return l, fmt.Errorf("no Requests/sec in wrk's output for %s:\n%s", url, text)
	}
	l.rps, _ = strconv.ParseFloat(m[1], 64)
	l.requests, _ = strconv.Atoi(n[1])
	if e := non2xxRE.FindStringSubmatch(text); e != nil {
		l.non2xx, _ = strconv.Atoi(e[1])
	}
	l.socket = socketRE.FindString(text)
	switch {
	case l.requests == 0 || l.rps == 0:
		return l, fmt.Errorf("%s served no request under load:\n%s", url, text)
	case status < 400 && l.non2xx > 0:
		return l, fmt.Errorf("%s answered %d of %d requests with an error status under load, not %d:\n%s", url, l.non2xx, l.requests, status, text)
	case status >= 400 && l.non2xx != l.requests:
		return l, fmt.Errorf("%s answered %d of %d requests with a 2xx or 3xx under load, not %d:\n%s", url, l.requests-l.non2xx, l.requests, status, text)
	}
	return l, nil
}

// target is one server of a round.
type target struct {
	name   string
	url    string
	status int
}

// rounds loads the targets one after the other, o.rounds times over
// (a, b, a, b, ...), printing each round as it ends, and returns every
// load by target and round.
func rounds(ctx context.Context, o *options, ts []target, headers []string) ([][]load, error) {
	res := make([][]load, len(ts))
	for r := range o.rounds {
		var line []string
		for i, t := range ts {
			l, err := runWrk(ctx, o, t.url, headers, t.status)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", t.name, err)
			}
			res[i] = append(res[i], l)
			s := fmt.Sprintf("%s %.0f req/s", t.name, l.rps)
			if l.socket != "" {
				s += " (" + l.socket + ")"
			}
			line = append(line, s)
		}
		for i := 1; i < len(ts); i++ {
			line = append(line, fmt.Sprintf("%s/%s %.2f", ts[0].name, ts[i].name, res[0][r].rps/res[i][r].rps))
		}
		fmt.Printf("  round %d: %s\n", r+1, strings.Join(line, ", "))
	}
	return res, nil
}

// ratios is a[r].rps / b[r].rps for each round r.
func ratios(a, b []load) []float64 {
	out := make([]float64, len(a))
	for r := range a {
		out[r] = a[r].rps / b[r].rps
	}
	return out
}

// median of xs (the mean of the middle two for an even count).
func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// perRound is the requests/s of every round, as "31234 30877 31502".
func perRound(ls []load) string {
	var s []string
	for _, l := range ls {
		s = append(s, strconv.FormatFloat(l.rps, 'f', 0, 64))
	}
	return strings.Join(s, " ")
}
