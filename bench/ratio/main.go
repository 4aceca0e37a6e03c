// Command ratio is teapot's load benchmark. For one path, or for each
// known path with -path all, it asks teapot once for the page, serves
// the very same status, headers and body from bench/bare (a bare net/http
// handler, the yardstick), checks that the two answer alike, and then
// loads them with wrk -t1 -c32 -d4s on loopback in three alternating
// rounds (teapot, bare, teapot, bare, ...). It prints the ratio
// teapot/bare of each round and their median, both servers' requests/s
// in every round, and the load average before and after. For
// /ip/{address} a third server joins the rounds: bare that also makes
// the geo lookups teapot makes (bare -lookup), so that the table shows
// too how teapot compares once the work any such server must do is in
// the yardstick.
//
// teapot runs as in production, access log on (to a file), with
// --lab-memory and --reverse-dns-timeout 0, so that nothing leaves
// loopback. With -peers, paths that have one are also loaded against a
// peer (nginx serving teapot export for /409, go-httpbin for /status);
// with -footprint it measures startup time, memory and page sizes.
//
//	go run ./bench/ratio -path /status/200
//	go run ./bench/ratio -path all -peers -footprint
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
)

const (
	browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
	browserUA     = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
)

// spec is how one path is asked for and served.
type spec struct {
	path     string
	note     string   // what the request is, for the output
	headers  []string // request headers, "Name: value", as wrk -H takes them
	status   int      // the status teapot must answer (0: any, the same each time)
	encoding string   // the Content-Encoding teapot must send ("" for any)
	contains []string // what the body must hold
	peer     string   // "nginx", "go-httpbin" or ""
	target   float64  // lowest acceptable median teapot/bare (0: none)
	// lookup is the address of /ip/{address}: bare also runs with
	// -lookup, making the geo lookups teapot makes, as a second yardstick.
	lookup string
}

// limiterFlags keep /status's rate limiter on, at a rate no load here reaches.
var limiterFlags = []string{"--status-rate", "1000000", "--status-burst", "1000000"}

var known = []spec{
	{path: "/409", note: "as a browser asks: its Accept and User-Agent, Accept-Encoding: gzip",
		headers: []string{"Accept: " + browserAccept, "Accept-Encoding: gzip", "User-Agent: " + browserUA},
		status:  200, encoding: "gzip", peer: "nginx", target: 0.9},
	{path: "/status/200", note: "Accept: application/json; limiter on at an unreachable rate",
		headers: []string{"Accept: application/json"}, status: 200, peer: "go-httpbin"},
	{path: "/status/418", note: "Accept: application/json; limiter on at an unreachable rate",
		headers: []string{"Accept: application/json"}, status: 418, peer: "go-httpbin"},
	{path: "/api/codes/409", note: "no request header but Host", status: 200},
	{path: "/ip/81.2.69.160.json", note: "the city and ASN test databases of bench/geofixture, no reverse DNS",
		status: 200, contains: []string{`"city": "London"`, `"asn": 64496`}, target: 0.7, lookup: "81.2.69.160"},
}

// serveFlags are the flags of teapot serve for a path, after --addr.
func serveFlags(path string, geo []string) []string {
	f := []string{"--access-log=true", "--lab-memory", "--reverse-dns-timeout", "0"}
	if strings.HasPrefix(path, "/status/") {
		f = append(f, limiterFlags...)
	}
	if strings.HasPrefix(path, "/ip") {
		f = append(f, geo...)
	}
	return f
}

type options struct {
	path        string
	headers     headerList
	duration    time.Duration
	rounds      int
	threads     int
	connections int
	teapot      string // a prebuilt binary instead of building ./cmd/teapot
	httpbin     string // a go-httpbin binary instead of installing one
	peers       bool
	footprint   bool
	scaleout    bool
	strict      bool
	install     bool
	geoCity     string
	geoASN      string
	wrk         string // wrk's path
}

type headerList []string

func (h *headerList) String() string     { return strings.Join(*h, "; ") }
func (h *headerList) Set(v string) error { *h = append(*h, v); return nil }

func main() {
	var o options
	flag.StringVar(&o.path, "path", "all", "the path to measure, such as /status/200, or all: "+knownPaths())
	flag.Var(&o.headers, "H", "one more request header, \"Name: value\" (repeatable)")
	flag.DurationVar(&o.duration, "d", 4*time.Second, "each load (wrk -d)")
	flag.IntVar(&o.rounds, "rounds", 3, "loads of each server, alternating")
	flag.IntVar(&o.threads, "t", 1, "wrk -t")
	flag.IntVar(&o.connections, "c", 32, "wrk -c")
	flag.StringVar(&o.teapot, "teapot", "", "use this teapot binary instead of building ./cmd/teapot")
	flag.StringVar(&o.httpbin, "httpbin", "", "with -peers, use this go-httpbin binary instead of installing one")
	flag.BoolVar(&o.peers, "peers", false, "also load the path's peer, if it has one: nginx for /409, go-httpbin for /status")
	flag.BoolVar(&o.footprint, "footprint", false, "also measure startup time, memory and /409's compressed sizes")
	flag.BoolVar(&o.scaleout, "scaleout", false, "also load nginx in front of one teapot and of two, for /409 and /status/200")
	flag.BoolVar(&o.strict, "strict", false, "exit 3 when a target is missed")
	flag.BoolVar(&o.install, "install", false, "install a missing wrk (and nginx, with -peers) with apt-get")
	flag.StringVar(&o.geoCity, "geo-city", os.Getenv("BENCH_GEO_CITY"), "real location databases for -footprint (default: those of make geodata in data/)")
	flag.StringVar(&o.geoASN, "geo-asn", os.Getenv("BENCH_GEO_ASN"), "real network database for -footprint (default: data/asn.mmdb)")
	flag.Parse()
	if flag.NArg() > 0 || o.rounds < 1 || !strings.HasPrefix(o.path, "/") && o.path != "all" {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := runAll(ctx, &o)
	interrupted := ctx.Err() != nil
	stop()
	stopAll()
	if tmp != "" {
		os.RemoveAll(tmp)
	}
	switch {
	case errors.Is(err, errTarget):
		fmt.Println("a target was missed (-strict)")
		os.Exit(3)
	case interrupted:
		fmt.Fprintln(os.Stderr, "ratio: interrupted")
		os.Exit(130)
	case err != nil:
		fmt.Fprintln(os.Stderr, "ratio:", err)
		os.Exit(1)
	}
}

func knownPaths() string {
	var p []string
	for _, s := range known {
		p = append(p, s.path)
	}
	return strings.Join(p, ", ")
}

// tmp is the folder of everything this run makes, removed at the end.
var tmp string

// result is one path's core measurement.
type result struct {
	spec
	teapot, bare   []load
	ratio          float64
	lookup         []load  // bare with -lookup, for a path with one
	lookupRatio    float64 // median teapot/(bare with -lookup)
	before, after  string  // load averages
	rssStart, rssA int
}

func runAll(ctx context.Context, o *options) error {
	specs := known
	if o.path != "all" {
		specs = []spec{{path: o.path, note: "no request header but Host"}}
		for _, s := range known {
			if s.path == o.path {
				specs = []spec{s}
			}
		}
	}
	for i := range specs {
		specs[i].headers = append(specs[i].headers[:len(specs[i].headers):len(specs[i].headers)], o.headers...)
	}
	var err error
	if tmp, err = os.MkdirTemp("", "teapot-bench."); err != nil {
		return err
	}
	b, err := setup(ctx, o, specs)
	if err != nil {
		return err
	}
	var results []result
	var peers []peerResult
	for _, s := range specs {
		r, pr, err := measure(ctx, o, b, s)
		if err != nil {
			return fmt.Errorf("%s: %v", s.path, err)
		}
		results = append(results, r)
		peers = append(peers, pr...)
	}
	if o.scaleout {
		if err := scaleOut(ctx, o, b); err != nil {
			return err
		}
	}
	var verdicts []verdict
	if o.footprint {
		if verdicts, err = footprint(ctx, o, b); err != nil {
			return err
		}
	}
	return summary(o, results, peers, verdicts)
}

// measure is the rule, for one path: teapot's answer served again by
// bare, then alternating rounds of both.
func measure(ctx context.Context, o *options, b *binaries, s spec) (result, []peerResult, error) {
	r := result{spec: s}
	fmt.Printf("\n== %s: %s\n", s.path, s.note)
	tp, teapotURL, err := b.startTeapot(ctx, "teapot"+strings.ReplaceAll(s.path, "/", "_"), serveFlags(s.path, b.geo)...)
	if err != nil {
		return r, nil, err
	}
	defer tp.stop()
	r.rssStart = rssKB(tp)
	want, err := fetch(ctx, teapotURL+s.path, s.headers)
	if err != nil {
		return r, nil, err
	}
	if err := s.check(want); err != nil {
		return r, nil, fmt.Errorf("teapot %v", err)
	}
	if again, err := fetch(ctx, teapotURL+s.path, s.headers); err != nil || diff(want, again) != "" {
		return r, nil, fmt.Errorf("teapot's second answer differs from its first (%v%s): no fixed bytes to serve from bare", err, diff(want, again))
	}
	base := filepath.Join(tmp, "teapot"+strings.ReplaceAll(s.path, "/", "_"))
	if err := os.WriteFile(base+".body", want.body, 0o644); err != nil {
		return r, nil, err
	}
	if err := os.WriteFile(base+".headers", want.headerBlock(), 0o644); err != nil {
		return r, nil, err
	}
	bareURL, stopBare, err := startBare(ctx, b, s, base, want)
	if err != nil {
		return r, nil, err
	}
	defer stopBare()
	fmt.Printf("  answer: %d, %s, %s%d header fields, %d bytes of body; bare sends the same (Date aside)\n",
		want.status, want.header.Get("Content-Type"), encodingNote(want), len(want.header), len(want.body))
	fmt.Printf("  teapot serve %s (log to a file)\n", strings.Join(serveFlags(s.path, b.geoNote), " "))
	targets := []target{{"teapot", teapotURL + s.path, want.status}, {"bare", bareURL + s.path, want.status}}
	if s.lookup != "" && b.geo != nil {
		lookupURL, stop, err := startBare(ctx, b, s, base, want, append([]string{"-lookup", s.lookup}, b.geo...)...)
		if err != nil {
			return r, nil, err
		}
		defer stop()
		targets = append(targets, target{"bare+lookup", lookupURL + s.path, want.status})
		fmt.Printf("  bare+lookup: bare that also looks %s up in the same databases on every request, as teapot does\n", s.lookup)
	}
	fmt.Printf("  wrk %s, rounds: %d per server, alternating\n", strings.Join(o.wrkArgs(nil), " "), o.rounds)

	r.before = loadavg()
	loads, err := rounds(ctx, o, targets, s.headers)
	if err != nil {
		return r, nil, err
	}
	r.after = loadavg()
	r.teapot, r.bare = loads[0], loads[1]
	r.ratio = median(ratios(r.teapot, r.bare))
	if len(loads) > 2 {
		r.lookup = loads[2]
		r.lookupRatio = median(ratios(r.teapot, r.lookup))
	}
	r.rssA = rssKB(tp)
	if err := servedOnly(ctx, teapotURL, want.status); err != nil {
		return r, nil, err
	}
	fmt.Printf("  median teapot/bare %.2f; load average %s before, %s after\n", r.ratio, r.before, r.after)
	if r.lookup != nil {
		fmt.Printf("  median teapot/bare+lookup %.2f\n", r.lookupRatio)
	}
	fmt.Printf("  teapot: VmRSS %d kB after start, %d kB after the rounds; %s\n", r.rssStart, r.rssA, logNote(tp))

	var prs []peerResult
	if o.peers && s.peer != "" {
		pr := runPeer(ctx, o, b, s, want, target{"teapot", teapotURL + s.path, want.status}, target{"bare", bareURL + s.path, want.status})
		prs = append(prs, pr)
	}
	return r, prs, nil
}

// startBare starts bench/bare serving teapot's answer (saved at base),
// with extra flags, and checks that it sends the same: its URL, and how
// to stop it.
func startBare(ctx context.Context, b *binaries, s spec, base string, want *response, extra ...string) (string, func(), error) {
	port, err := freePort()
	if err != nil {
		return "", nil, err
	}
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	name := "bare" + strings.ReplaceAll(s.path, "/", "_")
	if len(extra) > 0 {
		name += "_lookup"
	}
	args := append([]string{"-addr", url[len("http://"):], "-body", base + ".body", "-headers", base + ".headers"}, extra...)
	bare, err := start(tmp, name, b.bare, args...)
	if err != nil {
		return "", nil, err
	}
	if err := waitHTTP(ctx, bare, url+s.path, want.status); err != nil {
		bare.stop()
		return "", nil, err
	}
	got, err := fetch(ctx, url+s.path, s.headers)
	if err == nil {
		if d := diff(want, got); d != "" {
			err = fmt.Errorf("%s does not send teapot's response: %s", name, d)
		}
	}
	if err != nil {
		bare.stop()
		return "", nil, err
	}
	return url, bare.stop, nil
}

// check is what the path's answer from teapot must be.
func (s spec) check(r *response) error {
	if s.status != 0 && r.status != s.status {
		return fmt.Errorf("answered %d, not %d", r.status, s.status)
	}
	if s.encoding != "" && r.header.Get("Content-Encoding") != s.encoding {
		return fmt.Errorf("sent Content-Encoding %q, not %q", r.header.Get("Content-Encoding"), s.encoding)
	}
	for _, c := range s.contains {
		if !strings.Contains(string(r.body), c) {
			return fmt.Errorf("answer lacks %s:\n%s", c, r.body)
		}
	}
	return nil
}

func encodingNote(r *response) string {
	if e := r.header.Get("Content-Encoding"); e != "" {
		return "Content-Encoding: " + e + ", "
	}
	return ""
}

// round2 is x as printed, to two decimals: what a target is checked on.
func round2(x float64) float64 { return math.Round(x*100) / 100 }

// verdict is one target, met or missed.
type verdict struct {
	ok   bool
	what string
}

// summary prints the table of every path, the peers and the targets.
func summary(o *options, rs []result, ps []peerResult, footprint []verdict) error {
	var vs []verdict
	fmt.Printf("\n== summary: wrk %s on 127.0.0.1, rounds: %d per server, alternating; %d cores, %s\n",
		strings.Join(o.wrkArgs(nil), " "), o.rounds, runtime.NumCPU(), runtime.Version())
	w := tabwriter.NewWriter(os.Stdout, 2, 0, 2, ' ', 0)
	fmt.Fprintln(w, "  path\tteapot/bare\tteapot req/s per round\tbare req/s per round\tload avg before\tload avg after")
	var lookups []result
	for _, r := range rs {
		fmt.Fprintf(w, "  %s\t%.2f\t%s\t%s\t%s\t%s\n", r.path, r.ratio, perRound(r.teapot), perRound(r.bare), r.before, r.after)
		if r.lookup != nil {
			lookups = append(lookups, r)
		}
		if r.target > 0 {
			vs = append(vs, verdict{round2(r.ratio) >= r.target, fmt.Sprintf("%s: teapot/bare %.2f (target >= %.1f)", r.path, r.ratio, r.target)})
		}
	}
	w.Flush()
	if len(lookups) > 0 {
		fmt.Println("\n== with the lookups in the yardstick (bare+lookup: bare that makes the same geo lookups)")
		w = tabwriter.NewWriter(os.Stdout, 2, 0, 2, ' ', 0)
		fmt.Fprintln(w, "  path\tteapot/bare+lookup\tbare+lookup req/s per round")
		for _, r := range lookups {
			fmt.Fprintf(w, "  %s\t%.2f\t%s\n", r.path, r.lookupRatio, perRound(r.lookup))
		}
		w.Flush()
	}
	if len(ps) > 0 {
		fmt.Println("\n== peers (context, not the rule)")
		w = tabwriter.NewWriter(os.Stdout, 2, 0, 2, ' ', 0)
		fmt.Fprintln(w, "  path\tpeer\tteapot/peer\tbare/peer\tpeer req/s per round")
		for _, p := range ps {
			if p.skipped != "" {
				fmt.Fprintf(w, "  %s\t%s\t-\t-\tskipped: %s\n", p.path, p.peer, p.skipped)
				continue
			}
			fmt.Fprintf(w, "  %s\t%s\t%.2f\t%.2f\t%s\n", p.path, p.peer, p.teapotRatio, p.bareRatio, perRound(p.loads))
			if p.target > 0 {
				vs = append(vs, verdict{round2(p.teapotRatio) >= p.target, fmt.Sprintf("%s: teapot/%s %.2f (target >= %.1f)", p.path, p.peer, p.teapotRatio, p.target)})
			}
		}
		w.Flush()
	}
	vs = append(vs, footprint...)
	if len(vs) == 0 {
		return nil
	}
	fmt.Println("\n== targets")
	missed := false
	for _, v := range vs {
		mark := "PASS"
		if !v.ok {
			mark, missed = "FAIL", true
		}
		fmt.Printf("  %s  %s\n", mark, v.what)
	}
	if missed && o.strict {
		return errTarget
	}
	return nil
}
