package e2e

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/teapothq/teapot/internal/app/apptest"
	"github.com/teapothq/teapot/internal/exam"
	"github.com/teapothq/teapot/internal/exam/runner"
)

var updateExamClients = flag.Bool("update-exam-clients", false,
	"rewrite internal/exam/clients.json from the clients' runs (also TEAPOT_UPDATE_EXAM_CLIENTS=1; make exam-clients)")

// clientsFile is the published table, from the e2e folder.
const clientsFile = "../internal/exam/clients.json"

// TestExamClients takes the client exam with real clients (curl, Go's
// net/http and go-retryablehttp, Python's requests and httpx, Node's
// fetch) and checks that each earns, check by check, the verdict its
// documentation predicts (examClients says which documentation). Then it
// compares the verdicts with the published table, internal/exam/clients.json,
// so that a client whose behaviour changed with an upgrade is noticed; with
// -update-exam-clients (or TEAPOT_UPDATE_EXAM_CLIENTS=1) it writes the table
// instead, and only when every client ran and earned its verdicts.
//
// A client that is not installed is skipped with a message, unless
// TEAPOT_REQUIRE_CLIENTS=1 (as in CI) makes that a failure.
func TestExamClients(t *testing.T) {
	t.Parallel()
	update := *updateExamClients || os.Getenv("TEAPOT_UPDATE_EXAM_CLIENTS") == "1"
	published, err := exam.PublishedClients()
	if err != nil && !update {
		t.Fatalf("the published table: %v", err)
	}
	base := apptest.ServeExam(t)
	clients := examClients()
	var mu sync.Mutex
	got := map[string]exam.Client{}
	t.Run("client", func(t *testing.T) {
		for _, c := range clients {
			t.Run(c.id, func(t *testing.T) {
				t.Parallel()
				res := c.take(t, base)
				mu.Lock()
				got[c.id] = res
				mu.Unlock()
				if !update {
					comparePublished(t, published, res)
				}
			})
		}
	})
	if !update {
		for _, pc := range published.Clients {
			if !hasClient(clients, pc.ID) {
				t.Errorf("the published table has client %s, which this test no longer takes: regenerate it (make exam-clients)", pc.ID)
			}
		}
		return
	}
	if t.Failed() || len(got) != len(clients) {
		t.Fatalf("%s not written: %d of %d clients ran, and each must earn the verdicts its documentation predicts", clientsFile, len(got), len(clients))
	}
	table := exam.ClientTable{Generated: time.Now().UTC().Format(time.DateOnly), Platform: platform(),
		ToleranceMS: float64(exam.DefaultTolerance.Milliseconds())}
	for _, c := range clients {
		table.Clients = append(table.Clients, got[c.id])
	}
	if err := table.Validate(); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(table); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(clientsFile, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s: %d clients, %d bytes", clientsFile, len(table.Clients), b.Len())
}

// take runs the exam with the client and checks its verdicts against
// what its documentation predicts.
func (c examClient) take(t *testing.T, base string) exam.Client {
	send, version := c.prepare(t)
	t.Logf("%s: %s", c.name, version)
	var log bytes.Buffer // the runner writes it one line at a time
	res, err := runner.Run(t.Context(), runner.Options{Server: base, Send: send, Jobs: len(exam.Checks()),
		Wait: time.Minute, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	out := exam.Client{ID: c.id, Name: c.name, Version: version, Command: c.command, Docs: c.docs}
	var rows []string
	for i, cr := range res.Report.Checks {
		out.Results = append(out.Results, exam.NewClientResult(cr))
		rows = append(rows, fmt.Sprintf("%-7s %-20s %s", cr.Verdict, cr.Name, cr.Reason))
		if cr.Verdict != c.want[i] {
			t.Errorf("%s: %s, want %s: %s", cr.Name, cr.Verdict, c.want[i], cr.Reason)
		}
	}
	if t.Failed() {
		t.Logf("what the client did:\n%s\nits commands:\n%s", res.Text, log.String())
	} else {
		t.Logf("%s:\n%s", c.name, strings.Join(rows, "\n"))
	}
	return out
}

// comparePublished: the client earns the verdicts the published table
// gives it. Timings and versions may differ; a verdict may not.
func comparePublished(t *testing.T, published *exam.ClientTable, got exam.Client) {
	pc := published.Client(got.ID)
	if pc == nil {
		t.Errorf("%s is not in the published table: regenerate it (make exam-clients)", got.ID)
		return
	}
	if pc.Version != got.Version {
		t.Logf("the published table has %s; this is %s", pc.Version, got.Version)
	}
	for _, r := range got.Results {
		if p := pc.Result(r.Check); p == nil || p.Verdict != r.Verdict {
			was := "none"
			if p != nil {
				was = string(p.Verdict)
			}
			t.Errorf("%s: %s now, the published table says %s (%s): if the client changed, check its documentation, then regenerate the table (make exam-clients)",
				r.Check, r.Verdict, was, got.Version)
		}
	}
}

func hasClient(clients []examClient, id string) bool {
	for _, c := range clients {
		if c.id == id {
			return true
		}
	}
	return false
}

// needClient stops a client's test when what it needs is missing:
// skipped with the reason, or failed when TEAPOT_REQUIRE_CLIENTS=1.
func needClient(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("TEAPOT_REQUIRE_CLIENTS") == "1" {
		t.Fatalf("TEAPOT_REQUIRE_CLIENTS=1: "+format, args...)
	}
	t.Skipf(format+" (TEAPOT_REQUIRE_CLIENTS=1 makes this a failure)", args...)
}

// commandSend is a runner.Send that runs argv with the check's method,
// body and URL put in for {method}, {body} and {url}, as `teapot exam
// run` does, and without the proxy settings of the environment: the exam
// is on loopback, and no request may go elsewhere.
func commandSend(argv ...string) runner.Send {
	return runner.CommandEnv(argv, noProxy(os.Environ()))
}

// noProxy drops the proxy variables from env.
func noProxy(env []string) []string {
	var out []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasSuffix(strings.ToLower(name), "_proxy") {
			out = append(out, kv)
		}
	}
	return out
}

// output runs a command for its first line of output, such as a version.
func output(t *testing.T, argv ...string) string {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = noProxy(os.Environ())
	out, err := cmd.Output()
	if err != nil {
		needClient(t, "%s: %v", strings.Join(argv, " "), err)
	}
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	return line
}

// platform names the system the table was made on: "Debian GNU/Linux 12
// (bookworm), linux/amd64".
func platform() string {
	name := runtime.GOOS
	if b, err := os.ReadFile("/etc/os-release"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "PRETTY_NAME="); ok {
				name = strings.Trim(v, `"`)
			}
		}
	}
	return name + ", " + runtime.GOOS + "/" + runtime.GOARCH
}
