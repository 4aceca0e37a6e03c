package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// Targets of -footprint.
const (
	targetStartupMS = 150   // median from exec to the first 200 on /healthz
	targetRSSKB     = 40960 // VmRSS then, and once the pages rendered in the background are: 40 MiB
	targetBrBytes   = 20000 // /409 with brotli
	startups        = 5     // starts measured
)

var startupRE = regexp.MustCompile(`(?m)^startup_median_ms=([0-9.]+)\nstartup_rss_median_kb=([0-9]+)\nstartup_rss_settled_median_kb=([0-9]+)$`)

// startup runs bench/startup: the median time from exec to the first
// 200 on /healthz, and the median VmRSS then, or 2 s later (once teapot
// has rendered the codes' pages in the background), whichever is more.
func startup(ctx context.Context, b *binaries, flags ...string) (ms float64, kb int, runs string, err error) {
	args := append([]string{"-n", strconv.Itoa(startups), b.teapot, "--lab-memory", "--reverse-dns-timeout", "0"}, flags...)
	out, err := run(ctx, tmp, childEnv(), b.startup, args...)
	if err != nil {
		return 0, 0, "", err
	}
	m := startupRE.FindStringSubmatch(string(out))
	if m == nil {
		return 0, 0, "", fmt.Errorf("bench/startup printed no medians:\n%s", out)
	}
	ms, _ = strconv.ParseFloat(m[1], 64)
	kb, _ = strconv.Atoi(m[2])
	settled, _ := strconv.Atoi(m[3])
	kb = max(kb, settled)
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "run ") {
			runs += "    " + l + "\n"
		}
	}
	return ms, kb, runs, nil
}

// footprint measures startup, memory and /409's sizes, and memory with
// real geo databases when there are some.
func footprint(ctx context.Context, o *options, b *binaries) ([]verdict, error) {
	fmt.Printf("\n== footprint: %d starts of teapot serve --lab-memory --reverse-dns-timeout 0 (bench/startup)\n", startups)
	ms, kb, runs, err := startup(ctx, b)
	if err != nil {
		return nil, err
	}
	fmt.Print(runs)
	fmt.Printf("  median: %.1f ms to the first 200 on /healthz; VmRSS then or 2 s later, the larger: %d kB\n", ms, kb)
	vs := []verdict{
		{ms < targetStartupMS, fmt.Sprintf("startup: median %.1f ms to the first 200 on /healthz (target < %d ms)", ms, targetStartupMS)},
		{kb < targetRSSKB, fmt.Sprintf("memory: VmRSS %d kB after start (target < %d kB = 40 MiB)", kb, targetRSSKB)},
	}

	tp, url, err := b.startTeapot(ctx, "teapot_sizes", "--lab-memory", "--reverse-dns-timeout", "0")
	if err != nil {
		return nil, err
	}
	defer tp.stop()
	size := map[string]int{}
	for _, enc := range []string{"br", "gzip", ""} {
		h := []string{"Accept: " + browserAccept, "User-Agent: " + browserUA}
		if enc != "" {
			h = append(h, "Accept-Encoding: "+enc)
		}
		r, err := fetch(ctx, url+"/409", h)
		if err != nil {
			return nil, err
		}
		if r.status != 200 || r.header.Get("Content-Encoding") != enc {
			return nil, fmt.Errorf("/409 with Accept-Encoding %q: %d, Content-Encoding %q", enc, r.status, r.header.Get("Content-Encoding"))
		}
		size[enc] = len(r.body)
	}
	fmt.Printf("  /409: %d bytes with brotli, %d with gzip, %d uncompressed\n", size["br"], size["gzip"], size[""])
	vs = append(vs, verdict{size["br"] < targetBrBytes, fmt.Sprintf("size: /409 is %d bytes with brotli (target < %d)", size["br"], targetBrBytes)})
	tp.stop()

	return vs, realDatabases(ctx, o, b, ms, kb)
}

// realDatabases: startup and memory with the databases of make geodata
// (or -geo-city and -geo-asn), beside the same without; skipped, saying
// so, when there are none.
func realDatabases(ctx context.Context, o *options, b *binaries, plainMS float64, plainKB int) error {
	city, asn := o.geoCity, o.geoASN
	data := filepath.Join(b.root, "data")
	if city == "" {
		for _, f := range []string{"dbip-city", "geolite2-city"} {
			v4, v6 := filepath.Join(data, f+"-ipv4.mmdb"), filepath.Join(data, f+"-ipv6.mmdb")
			if exists(v4) && exists(v6) {
				city = v4 + "," + v6
				break
			}
		}
	}
	if asn == "" && exists(filepath.Join(data, "asn.mmdb")) {
		asn = filepath.Join(data, "asn.mmdb")
	}
	fmt.Println("  real geo databases:")
	if city == "" || asn == "" {
		fmt.Printf("    skipped: none in %s (run make geodata, or pass -geo-city and -geo-asn)\n", data)
		return nil
	}
	for _, f := range append(strings.Split(city, ","), asn) {
		st, err := os.Stat(f)
		if err != nil {
			return err
		}
		fmt.Printf("    %-40s %7.1f MB\n", filepath.Base(f), float64(st.Size())/1e6)
	}
	geo := []string{"--geo-city", city, "--geo-asn", asn}
	ms, kb, _, err := startup(ctx, b, geo...)
	if err != nil {
		return err
	}
	fmt.Printf("    startup, median of %d: %.1f ms with them, %.1f ms without; VmRSS then %d kB with, %d kB without\n", startups, ms, plainMS, kb, plainKB)

	// One server asked for random IPv4 addresses: the pages of the files
	// it touches count as RssFile (page cache, given back under pressure),
	// the heap as RssAnon.
	tp, url, err := b.startTeapot(ctx, "teapot_realgeo", append([]string{"--access-log=false", "--lab-memory", "--reverse-dns-timeout", "0"}, geo...)...)
	if err != nil {
		return err
	}
	defer tp.stop()
	split := func() string {
		m := procStatus(tp.cmd.Process.Pid, "VmRSS", "RssAnon", "RssFile")
		return fmt.Sprintf("VmRSS %d kB = RssAnon %d kB (heap, stacks) + RssFile %d kB (binary, mapped databases)", m[0], m[1], m[2])
	}
	fmt.Printf("    right after start: %s\n", split())
	r, err := fetch(ctx, url+"/ip/8.8.8.8.json", nil)
	if err != nil || !strings.Contains(string(r.body), `"asn": 15169`) {
		return fmt.Errorf("with the real databases, /ip/8.8.8.8.json has no AS15169 (%v)", err)
	}
	script := filepath.Join(tmp, "random-ip.lua")
	lua := `math.randomseed(7)
request = function()
	return wrk.format("GET", string.format("/ip/%d.%d.%d.%d.json", math.random(1, 223), math.random(0, 255), math.random(0, 255), math.random(1, 254)))
end
`
	if err := os.WriteFile(script, []byte(lua), 0o644); err != nil {
		return err
	}
	out, err := run(ctx, tmp, os.Environ(), o.wrk, append(o.wrkArgs([]string{}), "-s", script, url)...)
	if err != nil {
		return err
	}
	rps := ""
	if m := rpsRE.FindStringSubmatch(string(out)); m != nil {
		rps = m[1]
	}
	fmt.Printf("    after %s of random addresses (%s req/s): %s\n", o.duration, rps, split())
	fmt.Println("    the databases are memory-mapped: never read into the heap, only the pages lookups touch are resident")
	return nil
}

func exists(name string) bool {
	_, err := os.Stat(name)
	return err == nil
}
