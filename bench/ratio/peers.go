package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
)

// peerResult is a path loaded against its peer: teapot, bare and the
// peer, alternating, after the rule's rounds.
type peerResult struct {
	path, peer  string
	skipped     string // why the peer was not measured
	loads       []load // the peer's
	teapotRatio float64
	bareRatio   float64
	target      float64 // lowest acceptable median teapot/peer (0: none)
}

const httpbinModule = "github.com/mccutchen/go-httpbin/v2"

// runPeer loads the path's peer beside teapot and bare; a peer that
// cannot be built, started or checked is skipped, saying why.
func runPeer(ctx context.Context, o *options, b *binaries, s spec, want *response, tp, bare target) peerResult {
	pr := peerResult{path: s.path, peer: s.peer}
	var (
		p   *proc
		url string
		err error
	)
	switch s.peer {
	case "nginx":
		p, url, err = startNginx(ctx, b, s, want)
	case "go-httpbin":
		pr.target = 1.3
		p, url, err = startHTTPBin(ctx, b, s, want)
	}
	if err == nil {
		defer p.stop()
		var loads [][]load
		fmt.Printf("  peer %s: the same load, rounds: %d per server, alternating teapot, bare and %s\n", s.peer, o.rounds, s.peer)
		if loads, err = rounds(ctx, o, []target{tp, bare, {s.peer, url + s.path, want.status}}, s.headers); err == nil {
			pr.loads = loads[2]
			pr.teapotRatio = median(ratios(loads[0], loads[2]))
			pr.bareRatio = median(ratios(loads[1], loads[2]))
			if s.peer == "go-httpbin" {
				err = httpbinServed(p, want.status)
			}
		}
	}
	if err != nil {
		pr.skipped = firstLine(err)
		fmt.Printf("  peer %s skipped: %v\n", s.peer, err)
		return pr
	}
	fmt.Printf("  median teapot/%s %.2f, bare/%s %.2f\n", s.peer, pr.teapotRatio, s.peer, pr.bareRatio)
	return pr
}

// export writes teapot export into tmp/site once.
func (b *binaries) export(ctx context.Context) (string, error) {
	site := filepath.Join(tmp, "site")
	if _, err := os.Stat(site); err == nil {
		return site, nil
	}
	if _, err := run(ctx, tmp, childEnv(), b.teapot, "export", site); err != nil {
		return "", err
	}
	return site, nil
}

// startNginx serves teapot export with nginx: precompressed files
// (gzip_static), no access log, one worker per core, keep-alive not
// limited to nginx's default 1000 requests; its own configuration, pid
// file, logs and temp paths in tmp, in the foreground.
func startNginx(ctx context.Context, b *binaries, s spec, want *response) (*proc, string, error) {
	nginx := nginxPath()
	if nginx == "" {
		return nil, "", fmt.Errorf("nginx is not installed (apt-get install nginx-light, or rerun with -install)")
	}
	site, err := b.export(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("teapot export: %v", err)
	}
	if _, err := os.Stat(filepath.Join(site, s.path+".html.gz")); err != nil {
		return nil, "", fmt.Errorf("teapot export wrote no %s.html.gz", s.path)
	}
	port, err := freePort()
	if err != nil {
		return nil, "", err
	}
	p, err := runNginx(nginx, "nginx", fmt.Sprintf(`	types { text/html html; text/css css; text/javascript js; application/json json; text/plain txt; image/svg+xml svg; application/xml xml; }
	default_type application/octet-stream;
	charset utf-8;
	charset_types text/html text/css text/javascript application/json text/plain image/svg+xml application/xml;
	sendfile on;
	tcp_nopush on;
	keepalive_requests 1000000;
	keepalive_timeout 60s;
	open_file_cache max=1000 inactive=60s;
	server {
		listen 127.0.0.1:%d;
		root %s;
		gzip_static on;
		location / { try_files $uri $uri.html =404; }
	}
`, port, site))
	if err != nil {
		return nil, "", err
	}
	url := "http://127.0.0.1:" + strconv.Itoa(port)
	if err := waitHTTP(ctx, p, url+s.path, 200); err != nil {
		p.stop()
		return nil, "", err
	}
	// The same page: both gzip, the same once decompressed, and the same
	// as the exported .html.
	got, err := fetch(ctx, url+s.path, s.headers)
	if err == nil && (got.status != want.status || got.header.Get("Content-Encoding") != "gzip") {
		err = fmt.Errorf("nginx answered %d with Content-Encoding %q, not %d with gzip", got.status, got.header.Get("Content-Encoding"), want.status)
	}
	var page, ours, exported []byte
	if err == nil {
		page, err = gunzip(got.body)
	}
	if err == nil {
		ours, err = gunzip(want.body)
	}
	if err == nil {
		exported, err = os.ReadFile(filepath.Join(site, s.path+".html"))
	}
	if err == nil && (!bytes.Equal(page, ours) || !bytes.Equal(ours, exported)) {
		err = fmt.Errorf("nginx's %s, teapot's and the exported %s.html are not the same page", s.path, s.path)
	}
	if err != nil {
		p.stop()
		return nil, "", err
	}
	fmt.Printf("  peer nginx: %s.html.gz from teapot export, %d bytes gzip, the same page as teapot's once decompressed\n", s.path, len(got.body))
	return p, url, nil
}

// runNginx starts nginx with its pid, logs and temporary files in a
// folder of tmp named name, one worker a core, and http inside its http
// block (with the access log off).
func runNginx(nginx, name, http string) (*proc, error) {
	dir := filepath.Join(tmp, name)
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o755); err != nil {
		return nil, err
	}
	user := ""
	if os.Geteuid() == 0 {
		user = "user root root;" // the workers must read the 0700 temp folder
	}
	conf := fmt.Sprintf(`%s
daemon off;
master_process on;
worker_processes %d;
pid %[3]s/nginx.pid;
error_log %[3]s/error.log warn;
events { worker_connections 4096; }
http {
	access_log off;
	client_body_temp_path %[3]s/tmp/body;
	proxy_temp_path %[3]s/tmp/proxy;
	fastcgi_temp_path %[3]s/tmp/fastcgi;
	uwsgi_temp_path %[3]s/tmp/uwsgi;
	scgi_temp_path %[3]s/tmp/scgi;
%[4]s}
`, user, runtime.NumCPU(), dir, http)
	if err := os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(conf), 0o644); err != nil {
		return nil, err
	}
	return start(tmp, name, nginx, "-p", dir, "-e", filepath.Join(dir, "error.log"), "-c", filepath.Join(dir, "nginx.conf"))
}

func gunzip(b []byte) ([]byte, error) {
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

// installHTTPBin installs go-httpbin into tmp/bin once: the version of
// BENCH_HTTPBIN_VERSION (v2.26.0), or the newest v2 the module proxy
// offers if that one is refused.
func (b *binaries) installHTTPBin(ctx context.Context) (string, error) {
	if b.httpbin != "" {
		b.httpbinVersion = "(-httpbin " + b.httpbin + ")"
		return b.httpbin, nil
	}
	bin := filepath.Join(tmp, "bin", "go-httpbin")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if b.httpbinErr != nil {
		return "", b.httpbinErr
	}
	version := os.Getenv("BENCH_HTTPBIN_VERSION")
	if version == "" {
		version = "v2.26.0"
	}
	env := append(os.Environ(), "GOBIN="+filepath.Join(tmp, "bin"))
	_, err := run(ctx, tmp, env, "go", "install", httpbinModule+"/cmd/go-httpbin@"+version)
	if err != nil {
		latest, lerr := run(ctx, tmp, env, "go", "list", "-m", "-f", "{{.Version}}", httpbinModule+"@latest")
		if lerr != nil {
			b.httpbinErr = fmt.Errorf("go-httpbin cannot be installed with go install from the Go module proxy: %s", lastLine(lerr))
			return "", b.httpbinErr
		}
		v := strings.TrimSpace(string(latest))
		fmt.Printf("  go-httpbin %s was refused (%s); installing %s, the newest v2 on the proxy\n", version, lastLine(err), v)
		if _, err := run(ctx, tmp, env, "go", "install", httpbinModule+"/cmd/go-httpbin@"+v); err != nil {
			b.httpbinErr = fmt.Errorf("go-httpbin %s cannot be installed: %s", v, lastLine(err))
			return "", b.httpbinErr
		}
		version = v
	}
	b.httpbinVersion = version
	return bin, nil
}

// startHTTPBin starts go-httpbin with its defaults (INFO logs, text, to
// a file) and checks that it answers the path's code.
func startHTTPBin(ctx context.Context, b *binaries, s spec, want *response) (*proc, string, error) {
	bin, err := b.installHTTPBin(ctx)
	if err != nil {
		return nil, "", err
	}
	port, err := freePort()
	if err != nil {
		return nil, "", err
	}
	p, err := start(tmp, "go-httpbin"+strings.ReplaceAll(s.path, "/", "_"), bin, "-host", "127.0.0.1", "-port", strconv.Itoa(port))
	if err != nil {
		return nil, "", err
	}
	url := "http://127.0.0.1:" + strconv.Itoa(port)
	if err := waitHTTP(ctx, p, url+s.path, want.status); err != nil {
		p.stop()
		return nil, "", err
	}
	got, err := fetch(ctx, url+s.path, s.headers)
	if err == nil && got.status != want.status {
		err = fmt.Errorf("go-httpbin answered %d for %s, not %d", got.status, s.path, want.status)
	}
	if err != nil {
		p.stop()
		return nil, "", err
	}
	fmt.Printf("  peer go-httpbin %s: %d, %q, %d bytes of header + %d of body (teapot: %d + %d)\n", b.httpbinVersion,
		got.status, got.header.Get("Content-Type"), len(got.headerBlock()), len(got.body), len(want.headerBlock()), len(want.body))
	return p, url, nil
}

var httpbinLogRE = regexp.MustCompile(` status=([0-9]+) .*uri=/status/| uri=/status/\S* .*status=([0-9]+) `)

// httpbinServed checks from go-httpbin's log that it answered /status
// with nothing but status.
func httpbinServed(p *proc, status int) error {
	b, err := os.ReadFile(p.log)
	if err != nil {
		return err
	}
	counts := map[string]int{}
	for _, m := range httpbinLogRE.FindAllStringSubmatch(string(b), -1) {
		counts[m[1]+m[2]]++
	}
	for code, n := range counts {
		if code != strconv.Itoa(status) {
			return fmt.Errorf("go-httpbin answered %d requests on /status with %s, not %d", n, code, status)
		}
	}
	return nil
}
