package e2e

import (
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/teapothq/teapot/internal/exam"
	"github.com/teapothq/teapot/internal/exam/runner"
)

// examClient is one client of the published table: how to run it, and the
// verdicts its documentation predicts.
type examClient struct {
	id, name string
	command  string // what the table shows: a command template, or the code
	docs     string // the documentation the verdicts are read from, for the table
	want     examVerdicts
	// prepare finds the client (skipping or failing through needClient
	// when it is missing) and returns its Send and its version.
	prepare func(t *testing.T) (runner.Send, string)
}

// examVerdicts are a client's verdicts in the exam's order:
// retry-after-seconds, retry-after-date, rate-limited, backoff,
// post-not-replayed, redirect-307, redirect-308, redirect-303,
// redirect-301-302, redirect-loop, revalidate, fresh-cache,
// cross-origin-auth.
type examVerdicts [13]exam.Verdict

const (
	vPass = exam.Pass
	vFail = exam.Fail
	vWarn = exam.Warn
	vInfo = exam.Info
)

// Verdicts many clients share.
var (
	// noRetryFollows: no retry of responses (the retry checks warn),
	// a POST never repeated, 307 and 308 followed with method and body,
	// 303 followed with GET, POST changed to GET on 301 and 302 (info),
	// loops stopped, no cache (info), credentials not forwarded to
	// another origin.
	noRetryFollows = examVerdicts{vWarn, vWarn, vWarn, vWarn, vPass, vPass, vPass, vPass, vInfo, vPass, vInfo, vInfo, vPass}
	// curlRetry: curl --retry without -L: the retry checks pass, the POST
	// is repeated (fail), no redirect followed (info), no cache.
	curlRetry = examVerdicts{vPass, vPass, vPass, vPass, vFail, vInfo, vInfo, vInfo, vInfo, vInfo, vInfo, vInfo, vInfo}
)

// The check's body, when it has one, goes as a form, as the scripts send
// it too.
const formType = "application/x-www-form-urlencoded"

// examClients are the clients of the published table, in its order. Each
// comment names the version the expectations were written for and the
// documentation they come from; the version actually run is asked from
// the client and written in the table.
func examClients() []examClient {
	// curl 7.88.1, its man page (curl.1 of that version):
	//   - without --retry it repeats nothing: the retry checks warn.
	//   - --retry retries "transient" errors: a timeout, or HTTP 408,
	//     429, 500, 502, 503 or 504; it waits 1 s, then twice as long
	//     each time, and obeys Retry-After instead when there is one
	//     (since 7.66.0). Nothing limits it to idempotent methods, so a
	//     POST answered 503 is sent again: post-not-replayed fails.
	//   - --retry-all-errors retries "any error", but an HTTP response
	//     is an error only with -f ("By default curl will not error on
	//     an HTTP response code that indicates an HTTP error"): without
	//     -f it changes nothing here.
	//   - without -L it follows no redirect (info). With -L it follows
	//     them, up to --max-redirs (50 by default), and changes POST to
	//     GET on 301, 302 and 303 by itself, but the man page warns that
	//     -X sets the method of every request it makes, so -X POST keeps
	//     POST after a 303 and a 301 while dropping the body: those two
	//     checks fail. It sends credentials only to the host it was
	//     given, unless --location-trusted.
	curlCmd := func(flags ...string) (string, func(t *testing.T) (runner.Send, string)) {
		argv := append(append([]string{"curl", "-sS"}, flags...), "-X", "{method}", "-d", "{body}", "{url}")
		return strings.Join(argv, " "), func(t *testing.T) (runner.Send, string) {
			path, err := exec.LookPath("curl")
			if err != nil {
				needClient(t, "curl is not installed")
			}
			version, _, _ := strings.Cut(output(t, path, "--version"), " (")
			return commandSend(append([]string{path}, argv[1:]...)...), version
		}
	}
	const man = "curl's man page (curl.1 of 7.88.1)"
	plainDocs := man + ": without --retry curl sends each request once, and without -L (--location) it follows no redirect."
	retryDocs := man + ", --retry: it retries a timeout and HTTP 408, 429, 500, 502, 503 and 504, waiting 1 s and then " +
		"twice as long each time, or what Retry-After asks for (since 7.66.0); nothing limits it to idempotent methods, " +
		"so a POST answered 503 goes again. Without -L it follows no redirect."
	allDocs := man + ", --retry-all-errors: it retries on any error, but without -f (--fail) an HTTP response is no " +
		"error, so it retries as --retry alone does: 408, 429, 500, 502, 503 and 504, obeying Retry-After, a POST too."
	locDocs := man + ", -L: it follows up to 50 redirects (--max-redirs) and changes POST to GET after 301, 302 and 303, " +
		"but the method -X names is used for every request, so with -X POST the 303 and the 301 are followed with POST " +
		"and no body; credentials go only to the host first given (unless --location-trusted). Without --retry it " +
		"sends each request once."
	plainCmd, plainPrep := curlCmd()
	retryCmd, retryPrep := curlCmd("--retry", "3")
	allCmd, allPrep := curlCmd("--retry", "3", "--retry-all-errors")
	locCmd, locPrep := curlCmd("-L")

	return []examClient{
		{id: "curl", name: "curl", command: plainCmd, docs: plainDocs, prepare: plainPrep,
			want: examVerdicts{vWarn, vWarn, vWarn, vWarn, vPass, vInfo, vInfo, vInfo, vInfo, vInfo, vInfo, vInfo, vInfo}},
		{id: "curl-retry", name: "curl --retry 3", command: retryCmd, docs: retryDocs, prepare: retryPrep, want: curlRetry},
		{id: "curl-retry-all-errors", name: "curl --retry 3 --retry-all-errors", command: allCmd, docs: allDocs,
			prepare: allPrep, want: curlRetry},
		{id: "curl-location", name: "curl -L", command: locCmd, docs: locDocs, prepare: locPrep,
			want: examVerdicts{vWarn, vWarn, vWarn, vWarn, vPass, vPass, vPass, vFail, vFail, vPass, vInfo, vInfo, vPass}},
		goNetHTTP(),
		goRetryableHTTP(),
		// requests 2.28.1 (Debian's python3-requests), its documentation
		// (Quickstart, Redirection and History) and sessions.py: a plain
		// Session retries no response (HTTPAdapter's max_retries is
		// Retry(0)); it follows redirects for every method, turning 302
		// and 303 into GET and a POST's 301 too (rebuild_method), keeps
		// the body only on 307 and 308, raises TooManyRedirects after 30
		// (DEFAULT_REDIRECT_LIMIT), and drops Authorization when the host
		// changes (should_strip_auth). It has no cache.
		pythonClient("python-requests", "Python requests", "requests",
			"session = requests.Session()\nsession.request(method, url, data=body)",
			"requests 2.28.1: its documentation (Redirection and History) and sessions.py: no retry of responses "+
				"(HTTPAdapter's max_retries is 0), redirects followed for every method, 302 and 303 turned into GET and "+
				"a POST's 301 too, the body kept on 307 and 308, at most 30 redirects, Authorization dropped when the "+
				"host changes; no cache.",
			noRetryFollows),
		// The same with urllib3 1.26.12's Retry mounted (its
		// documentation of urllib3.util.Retry and retry.py): a status in
		// status_forcelist is retried only for allowed_methods, whose
		// default (DEFAULT_ALLOWED_METHODS) leaves POST out, so the POST is
		// not repeated; with respect_retry_after_header it sleeps what
		// Retry-After says for 413, 429 and 503, seconds or a date;
		// otherwise backoff_factor * 2 ** (consecutive errors - 1), nothing
		// before the first retry: 0, 1 and 2 s for backoff, which pass.
		pythonClient("python-requests-retry", "Python requests + urllib3 Retry", "requests-retry",
			"retry = Retry(total=3, backoff_factor=0.5, status_forcelist=[429, 503], respect_retry_after_header=True)\n"+
				"session = requests.Session()\nsession.mount(\"http://\", HTTPAdapter(max_retries=retry))\n"+
				"session.request(method, url, data=body)",
			"urllib3 1.26.12's Retry documentation: a status in status_forcelist is retried only for allowed_methods, "+
				"whose default leaves POST out; Retry-After is obeyed for 413, 429 and 503; otherwise it sleeps "+
				"backoff_factor * 2 ** (retries - 1), none before the first retry (0, 1 and 2 s here). Redirects as "+
				"plain requests 2.28.1.",
			examVerdicts{vPass, vPass, vPass, vPass, vPass, vPass, vPass, vPass, vInfo, vPass, vInfo, vInfo, vPass}),
		// httpx 0.23.3 (Debian's python3-httpx), its documentation
		// (Clients, Redirection and History; Transports: retries are for
		// connection failures only, and off by default) and _client.py:
		// with follow_redirects=True it turns 303 and 302 into GET and a
		// POST's 301 too (_redirect_method), keeps the body otherwise,
		// stops after 20 redirects (DEFAULT_MAX_REDIRECTS) and drops
		// Authorization for another origin (_redirect_headers). No cache.
		pythonClient("python-httpx", "Python httpx", "httpx",
			"with httpx.Client(follow_redirects=True) as client:\n    client.request(method, url, content=body)",
			"httpx 0.23.3: its documentation (Clients, Redirection and History; Transports: retries are for "+
				"connection failures only, none by default) and _client.py: 303 and 302 turned into GET and a POST's "+
				"301 too, the body kept otherwise, at most 20 redirects, Authorization dropped for another origin; "+
				"no cache.",
			noRetryFollows),
		nodeFetch(),
	}
}

// goNetHTTP is Go's net/http default client. Go 1.26, the net/http
// package documentation (Client, Client.Do, CheckRedirect) and
// client.go: no retries and no cache; it follows 307 and 308 with the
// method and, as http.NewRequest sets GetBody for a strings.Reader, the
// body; POST becomes GET without body on 301, 302 and 303; the default
// CheckRedirect stops after 10 requests; Authorization from a URL's
// userinfo is not sent to another host.
func goNetHTTP() examClient {
	return examClient{id: "go-net-http", name: "Go net/http", want: noRetryFollows,
		command: "req, _ := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))\nhttp.DefaultClient.Do(req)",
		docs: "Go's net/http documentation (Client.Do, CheckRedirect) and client.go: no retries and no cache; 307 and 308 " +
			"followed with the method and the body (NewRequest sets GetBody), POST turned into GET on 301, 302 and 303, " +
			"at most 10 requests, credentials from the URL not sent to another host.",
		prepare: func(t *testing.T) (runner.Send, string) {
			return goSend(func(ctx context.Context, method, url, body string) error {
				var rd io.Reader
				if body != "" {
					rd = strings.NewReader(body)
				}
				req, err := http.NewRequestWithContext(ctx, method, url, rd)
				if err != nil {
					return err
				}
				if body != "" {
					req.Header.Set("Content-Type", formType)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					return err
				}
				return resp.Body.Close()
			}), runtime.Version()
		},
	}
}

// goRetryableHTTP is github.com/hashicorp/go-retryablehttp's default
// client, v0.7.8: its README and client.go (NewClient,
// DefaultRetryPolicy, DefaultBackoff). It retries up to RetryMax (4)
// times on connection errors, on 429 and on every 5xx but 501, whatever
// the method: it "rewinds" the body to send a POST again (fail). Before
// each retry it waits what a 429's or 503's Retry-After says, seconds or
// an HTTP-date, and otherwise RetryWaitMin (1 s) doubled on each attempt
// up to RetryWaitMax (30 s): 1, 2 and 4 s here. Redirects are those of
// the net/http client inside (cleanhttp's pooled one, with the default
// CheckRedirect), and SetBody sets GetBody, so 307 and 308 are followed
// with the body. Its Logger is turned off; nothing else is changed.
func goRetryableHTTP() examClient {
	return examClient{id: "go-retryablehttp", name: "go-retryablehttp",
		want:    examVerdicts{vPass, vPass, vPass, vPass, vFail, vPass, vPass, vPass, vInfo, vPass, vInfo, vInfo, vPass},
		command: "client := retryablehttp.NewClient()\nreq, _ := retryablehttp.NewRequestWithContext(ctx, method, url, body)\nclient.Do(req)",
		docs: "go-retryablehttp v0.7.8, its README and client.go (DefaultRetryPolicy, DefaultBackoff): up to 4 retries on " +
			"429 and on 5xx but 501, for every method (it rewinds the body); it waits what Retry-After says on 429 and " +
			"503, seconds or a date, else 1 s doubled each time (1, 2, 4 s); redirects as net/http's client.",
		prepare: func(t *testing.T) (runner.Send, string) {
			client := retryablehttp.NewClient()
			client.Logger = nil
			return goSend(func(ctx context.Context, method, url, body string) error {
				var raw any // none: a []byte(nil) would do too, but says less
				if body != "" {
					raw = []byte(body) // a body it can rewind; it takes no plain string
				}
				req, err := retryablehttp.NewRequestWithContext(ctx, method, url, raw)
				if err != nil {
					return err
				}
				if body != "" {
					req.Header.Set("Content-Type", formType)
				}
				resp, err := client.Do(req)
				if err != nil {
					return err
				}
				return resp.Body.Close()
			}), "go-retryablehttp " + moduleVersion("github.com/hashicorp/go-retryablehttp") + ", " + runtime.Version()
		},
	}
}

// goSend adapts a function that sends one request to runner.Send.
func goSend(do func(ctx context.Context, method, url, body string) error) runner.Send {
	return func(ctx context.Context, c exam.CheckInfo, url string) error { return do(ctx, c.Method, url, c.Body) }
}

// moduleVersion is the version of a module this test is built with: from
// the build information, which test binaries may lack, else from go.mod.
func moduleVersion(path string) string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == path {
				return d.Version
			}
		}
	}
	if mod, err := os.ReadFile("go.mod"); err == nil {
		for _, l := range strings.Split(string(mod), "\n") {
			if f := strings.Fields(l); len(f) >= 2 && f[0] == path {
				return f[1]
			}
		}
	}
	return "(version unknown)"
}

// debianPython is Debian's Python, whose python3-requests and
// python3-httpx packages the table is made with; the python3 first on
// PATH may be another one, without them.
const debianPython = "/usr/bin/python3"

// pythonClient runs testdata/exam_client.py with Debian's Python: mode
// is the script's CLIENT (requests, requests-retry or httpx).
func pythonClient(id, name, mode, code, docs string, want examVerdicts) examClient {
	return examClient{id: id, name: name, command: code, docs: docs, want: want,
		prepare: func(t *testing.T) (runner.Send, string) {
			if _, err := os.Stat(debianPython); err != nil {
				needClient(t, "%s is missing: install Debian's python3-requests and python3-httpx", debianPython)
			}
			script, err := filepath.Abs("testdata/exam_client.py")
			if err != nil {
				t.Fatal(err)
			}
			module := "httpx"
			if mode != "httpx" {
				module = "requests"
			}
			if err := exec.Command(debianPython, "-c", "import "+module).Run(); err != nil {
				needClient(t, "%s cannot import %s (apt-get install python3-requests python3-httpx): %v", debianPython, module, err)
			}
			return commandSend(debianPython, script, mode, "{method}", "{body}", "{url}"),
				output(t, debianPython, script, "version", mode)
		},
	}
}

// nodeFetch is Node's built-in fetch, which undici implements: Node
// v20.20.2 with undici 6.24.1. It follows the Fetch Standard (§4.4
// HTTP-redirect fetch): no retries and no HTTP cache; redirects are
// followed by default (redirect: "follow"), at most 20; POST becomes GET
// without body on 301 and 302, and any method but GET and HEAD on 303;
// 307 and 308 keep method and body; Authorization is removed when a
// redirect leaves the origin. A URL with credentials is refused by the
// Request constructor, so the script sends them as Authorization itself.
func nodeFetch() examClient {
	return examClient{id: "node-fetch", name: "Node fetch", want: noRetryFollows,
		command: "const response = await fetch(url, { method, body, headers })",
		docs: "The Fetch Standard (HTTP-redirect fetch), which Node's fetch (undici) implements: no retries and no HTTP " +
			"cache; at most 20 redirects; POST turned into GET on 301, 302 and 303; method and body kept on 307 and 308; " +
			"Authorization removed when a redirect leaves the origin.",
		prepare: func(t *testing.T) (runner.Send, string) {
			node, err := exec.LookPath("node")
			if err != nil {
				needClient(t, "node is not installed")
			}
			script, err := filepath.Abs("testdata/exam_client.mjs")
			if err != nil {
				t.Fatal(err)
			}
			return commandSend(node, script, "{method}", "{body}", "{url}"), output(t, node, script, "version")
		},
	}
}
