package e2e

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"io/fs"
	"maps"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// exportLiveURL is the --live-url of the second export: a teapot that the
// copy's server pages link to, which the test never asks.
const exportLiveURL = "https://live.teapot.example"

// notFoundTitle marks the not-found page, which no link may lead to.
const notFoundTitle = "<title>Page not found"

// TestExport exports the site with the built binary twice: for the root
// of a host, and for /teapot/ with --live-url. It checks each folder as a
// browser reads it from disk (every relative link names a file, and every
// page is reachable from index.html), then serves each with nginx (the
// README's configuration: try_files $uri $uri.html $uri/ =404, with
// not-found.html as the 404 page) and with python3 -m http.server (no
// configuration at all), and follows every link (href, src and form
// action) of every exported page: each must answer 200 with the file's
// bytes, never the not-found page. On nginx, the served addresses
// (/409, /404, /guides) find their pages too. Needs Debian's nginx
// (TEAPOT_REQUIRE_NGINX=1 makes a missing one fatal) and python3.
func TestExport(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary and exports the site twice")
	}
	bin := buildTeapot(t)
	root := t.TempDir()
	plain := filepath.Join(root, "plain")
	hosted := filepath.Join(root, "hosted") // served as the root, the export in its teapot/
	sub := filepath.Join(hosted, "teapot")
	var wg sync.WaitGroup
	for _, args := range [][]string{{plain}, {"--base-path", "/teapot", "--live-url", exportLiveURL, sub}} {
		wg.Go(func() {
			cmd := exec.Command(bin, append([]string{"export"}, args...)...)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("teapot export %s: %v\n%s", strings.Join(args, " "), err, out)
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	t.Run("disk", func(t *testing.T) {
		t.Parallel()
		checkDisk(t, plain, "", true)
		checkDisk(t, sub, "/teapot", false)
	})
	t.Run("nginx", func(t *testing.T) {
		t.Parallel()
		p1, p2 := freePort(t), freePort(t)
		startNginx(t, fmt.Sprintf(`	server {
		listen 127.0.0.1:%[1]d;
		root %[3]s;
		location / { try_files $uri $uri.html $uri/ =404; gzip_static on; }
		error_page 404 /not-found.html;
	}
	server {
		listen 127.0.0.1:%[2]d;
		root %[4]s;
		location /teapot/ { try_files $uri $uri.html $uri/ =404; gzip_static on; }
		error_page 404 /teapot/not-found.html;
	}`, p1, p2, plain, hosted))
		rootURL, subURL := fmt.Sprintf("http://127.0.0.1:%d", p1), fmt.Sprintf("http://127.0.0.1:%d/teapot", p2)
		waitUp(t, rootURL+"/index.html")
		waitUp(t, subURL+"/index.html")
		crawl(t, rootURL, plain)
		crawl(t, subURL, sub)
		for _, base := range []string{rootURL, subURL} {
			servedAddresses(t, base)
		}
	})
	t.Run("python", func(t *testing.T) {
		t.Parallel()
		python, err := exec.LookPath("python3")
		if err != nil {
			t.Skip("python3 is not installed")
		}
		for _, site := range []struct{ dir, prefix, export string }{{plain, "", plain}, {hosted, "/teapot", sub}} {
			port := freePort(t)
			start(t, exec.Command(python, "-m", "http.server", fmt.Sprint(port), "--bind", "127.0.0.1", "--directory", site.dir))
			base := fmt.Sprintf("http://127.0.0.1:%d%s", port, site.prefix)
			waitUp(t, base+"/index.html")
			crawl(t, base, site.export)
		}
	})
}

// lookNginx finds nginx, or skips (fails with TEAPOT_REQUIRE_NGINX=1).
func lookNginx(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("nginx"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/nginx"); err == nil {
		return "/usr/sbin/nginx"
	}
	if os.Getenv("TEAPOT_REQUIRE_NGINX") == "1" {
		t.Fatal("nginx is not installed (apt-get install nginx-light); TEAPOT_REQUIRE_NGINX=1 forbids skipping")
	}
	t.Skip("nginx is not installed (apt-get install nginx-light)")
	return ""
}

// start starts a server process, killed when the test ends.
func start(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	cmd.Stderr = io.Discard // python logs every request there
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
}

// pageLink matches the attributes that hold an address in an exported page.
var pageLink = regexp.MustCompile(`\s(?:href|src|action|data-json)="([^"]*)"`)

func pageLinks(page []byte) []string {
	var out []string
	for _, m := range pageLink.FindAllSubmatch(page, -1) {
		out = append(out, html.UnescapeString(string(m[1])))
	}
	return out
}

// htmlFiles are the exported pages by slash-separated name.
func htmlFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)], err = os.ReadFile(p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if out["index.html"] == nil || out["409.html"] == nil {
		t.Fatalf("%s: no index.html or 409.html in the export", dir)
	}
	return out
}

// checkDisk reads the export as a browser reads it from a folder: every
// link of a page (but the not-found page's, which are from base, the
// base path, since a web server shows it at any address) is relative or
// to another origin, and every relative one names a file. With
// reachable, every page but the not-found one is reached from index.html.
func checkDisk(t *testing.T, dir, base string, reachable bool) {
	t.Helper()
	pages := htmlFiles(t, dir)
	next := map[string][]string{}
	for name, page := range pages {
		for _, l := range pageLinks(page) {
			u, err := url.Parse(l)
			switch {
			case err != nil:
				t.Errorf("%s: bad link %q", name, l)
				continue
			case u.Scheme != "" || u.Host != "" || u.Path == "":
				continue // another origin, or a fragment of this page
			case name == "not-found.html":
				if !strings.HasPrefix(u.Path, base+"/") {
					t.Errorf("not-found.html: link %q is not from the base path %s/", l, base)
					continue
				}
				u.Path = strings.TrimPrefix(u.Path, base+"/")
			case strings.HasPrefix(u.Path, "/"):
				t.Errorf("%s: link %q is from the root: it does not resolve from disk or under another path", name, l)
				continue
			default:
				u.Path = path.Join(path.Dir(name), u.Path)
			}
			if fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(u.Path))); err != nil || fi.IsDir() {
				t.Errorf("%s: link %q names no file (%s)", name, l, u.Path)
				continue
			}
			next[name] = append(next[name], u.Path)
		}
	}
	if !reachable {
		return
	}
	seen := map[string]bool{"index.html": true}
	for queue := []string{"index.html"}; len(queue) > 0; queue = queue[1:] {
		for _, to := range next[queue[0]] {
			if !seen[to] {
				seen[to] = true
				queue = append(queue, to)
			}
		}
	}
	for name := range pages {
		if !seen[name] && name != "not-found.html" {
			t.Errorf("%s: not reachable from index.html", name)
		}
	}
}

// noRedirect answers with what the server sent: a link must name the
// file, not an address the server redirects.
var noRedirect = &http.Client{Timeout: 10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func get(c *http.Client, u string) (int, []byte, error) {
	resp, err := c.Get(u)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, body, err
}

// crawl fetches every page of the export in dir from the server at base,
// each with the file's bytes, and then every address its links lead to
// on that server: each must answer 200, with the file's bytes when it
// names one, and never with the not-found page. Links to exportLiveURL
// must be there only in the export made with it.
func crawl(t *testing.T, base, dir string) {
	t.Helper()
	pages := htmlFiles(t, dir)
	targets := map[string]string{} // address -> a page that links to it
	live := 0
	for name, page := range pages {
		pageURL := base + "/" + name
		status, body, err := get(noRedirect, pageURL)
		if err != nil || status != 200 || !bytes.Equal(body, page) {
			t.Errorf("%s: %d %v, want 200 with the file's bytes", pageURL, status, err)
			continue
		}
		from, _ := url.Parse(pageURL)
		for _, l := range pageLinks(page) {
			u, err := from.Parse(l)
			if err != nil {
				t.Errorf("%s: bad link %q", name, l)
				continue
			}
			u.Fragment = ""
			switch {
			case strings.HasPrefix(u.String(), exportLiveURL+"/"):
				live++
			case u.Host == from.Host:
				targets[u.String()] = name
			}
		}
	}
	if wantLive := strings.Contains(string(pages["index.html"]), exportLiveURL); (live > 0) != wantLive {
		t.Errorf("%s: %d links to %s", base, live, exportLiveURL)
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	work := make(chan string)
	for range 8 {
		wg.Go(func() {
			for u := range work {
				status, body, err := get(noRedirect, u)
				var want []byte // the file the address names, if it names one
				if rel, ok := strings.CutPrefix(strings.SplitN(u, "?", 2)[0], base+"/"); ok {
					file := filepath.Join(dir, filepath.FromSlash(rel))
					if fi, err := os.Stat(file); err == nil && fi.Mode().IsRegular() {
						want, _ = os.ReadFile(file)
					}
				}
				bad := err != nil || status != 200 || bytes.Contains(body, []byte(notFoundTitle)) && !strings.HasSuffix(u, "/not-found.html") ||
					want != nil && !bytes.Equal(body, want)
				if bad {
					mu.Lock()
					t.Errorf("%s, linked from %s: %d %v, want 200 with the file", u, targets[u], status, err)
					mu.Unlock()
				}
			}
		})
	}
	for _, u := range slices.Sorted(maps.Keys(targets)) {
		work <- u
	}
	close(work)
	wg.Wait()
	if len(targets) < 300 {
		t.Errorf("%s: only %d addresses linked; the crawl is not seeing the site", base, len(targets))
	}
}

// servedAddresses asks nginx for the addresses the server has, which
// external links use: each finds its page (following redirects, as
// /guides goes to /guides/), and the links of what it answers resolve.
// An address the site does not have gets the not-found page with 404,
// and its links resolve however deep the address is.
func servedAddresses(t *testing.T, base string) {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second}
	for _, tc := range []struct {
		path, want string
		status     int
	}{
		{"/", "<h1>HTTP status codes", 200},
		{"/409", "<title>409 Conflict", 200},
		{"/404", "<title>404 Not Found", 200},
		{"/4xx", "<title>4xx ", 200},
		{"/guides", "<title>Guides", 200},
		{"/guides/stale-etag", "<title>", 200},
		{"/409.json", `"code": 409`, 200},
		{"/nowhere", notFoundTitle, 404},
		{"/guides/nowhere/deeper", notFoundTitle, 404},
	} {
		resp, err := c.Get(base + tc.path)
		if err != nil {
			t.Errorf("%s: %v", tc.path, err)
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || !bytes.Contains(body, []byte(tc.want)) {
			t.Errorf("%s%s: %d, want %d with %q:\n%.300s", base, tc.path, resp.StatusCode, tc.status, tc.want, body)
			continue
		}
		if tc.status == 404 && bytes.Contains(body, []byte("<title>404 Not Found")) {
			t.Errorf("%s: the 404 code page instead of the not-found page", tc.path)
		}
		for _, l := range pageLinks(body) {
			u, err := resp.Request.URL.Parse(l)
			if err != nil || u.Host != resp.Request.URL.Host || u.Path == resp.Request.URL.Path {
				continue
			}
			if status, page, err := get(noRedirect, u.String()); err != nil || status != 200 || bytes.Contains(page, []byte(notFoundTitle)) {
				t.Errorf("%s (at %s): link %q gives %d %v", tc.path, resp.Request.URL, l, status, err)
			}
		}
	}
}
