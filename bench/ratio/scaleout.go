package main

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
)

// scaleOut loads nginx in front of one teapot and in front of two, in
// alternating rounds, for /409 and /status/200: what a second instance
// buys on this machine. Both teapots keep their limits in memory with the
// limiter at an unreachable rate, access log on, as in the rest of the
// run.
func scaleOut(ctx context.Context, o *options, b *binaries) error {
	nginx := nginxPath()
	if nginx == "" {
		return fmt.Errorf("-scaleout needs nginx (apt-get install nginx-light, or rerun with -install)")
	}
	var backends []string
	for i := range 2 {
		p, url, err := b.startTeapot(ctx, fmt.Sprintf("scaleout%d", i), serveFlags("/status/", nil)...)
		if err != nil {
			return err
		}
		defer p.stop()
		backends = append(backends, strings.TrimPrefix(url, "http://"))
	}
	ports := [2]int{}
	for i := range ports {
		var err error
		if ports[i], err = freePort(); err != nil {
			return err
		}
	}
	server := func(port int, upstream string) string {
		return fmt.Sprintf(`	server {
		listen 127.0.0.1:%d;
		location / {
			proxy_pass http://%s;
			proxy_http_version 1.1;
			proxy_set_header Connection "";
			proxy_set_header Host $host;
			proxy_set_header X-Forwarded-For $remote_addr;
		}
	}
`, port, upstream)
	}
	ng, err := runNginx(nginx, "nginx-scaleout", fmt.Sprintf(`	keepalive_requests 1000000;
	upstream one { server %[1]s; keepalive 64; }
	upstream two { server %[1]s; server %[2]s; keepalive 64; }
%[3]s%[4]s`, backends[0], backends[1], server(ports[0], "one"), server(ports[1], "two")))
	if err != nil {
		return err
	}
	defer ng.stop()
	front := [2]string{fmt.Sprintf("http://127.0.0.1:%d", ports[0]), fmt.Sprintf("http://127.0.0.1:%d", ports[1])}
	for _, f := range front {
		if err := waitHTTP(ctx, ng, f+"/healthz", 200); err != nil {
			return err
		}
	}
	fmt.Printf("\n== scale-out: nginx (%d workers) in front of one teapot and of two, wrk %s, rounds alternating\n",
		runtime.NumCPU(), strings.Join(o.wrkArgs(nil), " "))
	for _, path := range []string{"/409", "/status/200"} {
		before := loadavg()
		var rps [2][]float64
		var ratios []float64
		for round := range o.rounds {
			for i, f := range front {
				l, err := runWrk(ctx, o, f+path, []string{"Accept: text/html", "Accept-Encoding: gzip"}, 200)
				if err != nil {
					return err
				}
				rps[i] = append(rps[i], l.rps)
			}
			ratios = append(ratios, rps[1][round]/rps[0][round])
		}
		r := slices.Clone(ratios)
		slices.Sort(r)
		fmt.Printf("  %-12s one: %s req/s; two: %s req/s; two/one median %.2f; load average %s before, %s after\n",
			path, fmtRates(rps[0]), fmtRates(rps[1]), r[len(r)/2], before, loadavg())
	}
	return nil
}

func fmtRates(v []float64) string {
	var s []string
	for _, x := range v {
		s = append(s, fmt.Sprintf("%.0f", x))
	}
	return strings.Join(s, " ")
}
