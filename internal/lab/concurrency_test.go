package lab

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/teapothq/teapot/internal/lab/store/pgtest"
)

func TestNoLostUpdatesSQLite(t *testing.T) {
	testNoLostUpdates(t, []string{serve(t, Options{Store: openSQLite(t)})})
}

// Two lab instances share one PostgreSQL database, as behind a load
// balancer; the clients use both.
func TestPostgresNoLostUpdates(t *testing.T) {
	url := pgtest.URL(t)
	testNoLostUpdates(t, []string{
		serve(t, Options{Store: openPostgresURL(t, url)}),
		serve(t, Options{Store: openPostgresURL(t, url)}),
	})
}

// The register the linearizability checker replays: an article's version
// and body.
type register struct {
	version int64
	body    string
}

// labOp is one HTTP operation on the article: a read (GET), or a
// conditional write (PUT with If-Match) of body expecting version.
type labOp struct {
	write  bool
	expect int64
	body   string
}

// labResult is what the server answered: ok, and the article after a
// write or as read (on a 412, the current article the problem carries).
type labResult struct {
	ok    bool
	state register
}

var registerModel = porcupine.Model{
	Init: func() any { return register{version: 1} },
	Step: func(st, in, out any) (bool, any) {
		s, op, res := st.(register), in.(labOp), out.(labResult)
		if !op.write {
			return res.state == s, s
		}
		if op.expect == s.version {
			next := register{s.version + 1, op.body}
			return res.ok && res.state == next, next
		}
		return !res.ok && res.state == s, s
	},
	DescribeOperation: func(in, out any) string {
		op, res := in.(labOp), out.(labResult)
		if !op.write {
			return fmt.Sprintf("read -> v%d", res.state.version)
		}
		return fmt.Sprintf("write if v%d -> %v v%d", op.expect, res.ok, res.state.version)
	},
}

// testNoLostUpdates runs clients that each append their own lines to one
// article by read-modify-write with If-Match, retrying on 412 with the
// current article from the problem. Every acknowledged update must be in
// the final article exactly once, and the history of reads and writes
// must be linearizable.
func testNoLostUpdates(t *testing.T, servers []string) {
	const clients, updates = 8, 12
	sandbox := newToken()
	first := &client{t: t, base: servers[0], sandbox: sandbox}
	loc := first.create("shared", "Shared", "")

	start := time.Now()
	var (
		mu      sync.Mutex
		history []porcupine.Operation
		acked   []string
	)
	record := func(id int, call time.Duration, op labOp, res labResult) {
		mu.Lock()
		history = append(history, porcupine.Operation{ClientId: id, Input: op, Call: int64(call),
			Output: res, Return: int64(time.Since(start))})
		mu.Unlock()
	}
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for id := range clients {
		wg.Go(func() {
			c := &client{t: t, base: servers[id%len(servers)], sandbox: sandbox}
			call := time.Since(start)
			r := c.do("GET", loc, "")
			if r.status != 200 {
				errs <- fmt.Errorf("client %d: GET %d %s", id, r.status, r.body)
				return
			}
			cur := decodeRegister(t, r.body)
			record(id, call, labOp{}, labResult{true, cur})
			for k := range updates {
				line := fmt.Sprintf("client %d update %d\n", id, k)
				for attempt := 0; ; attempt++ {
					if attempt == 1000 {
						errs <- fmt.Errorf("client %d: no success in 1000 attempts", id)
						return
					}
					op := labOp{write: true, expect: cur.version, body: cur.body + line}
					b, _ := json.Marshal(map[string]string{"slug": "shared", "title": "Shared", "body": op.body})
					call := time.Since(start)
					r := c.do("PUT", loc, string(b), "If-Match", etag(cur.version))
					switch r.status {
					case http.StatusOK:
						cur = decodeRegister(t, r.body)
						record(id, call, op, labResult{true, cur})
						mu.Lock()
						acked = append(acked, line)
						mu.Unlock()
					case http.StatusPreconditionFailed:
						var p struct{ Current json.RawMessage }
						json.Unmarshal([]byte(r.body), &p)
						cur = decodeRegister(t, string(p.Current))
						record(id, call, op, labResult{false, cur})
						continue
					default:
						errs <- fmt.Errorf("client %d: PUT %d %s", id, r.status, r.body)
						return
					}
					break
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	final := decodeRegister(t, first.do("GET", loc, "").body)
	if want := int64(1 + clients*updates); final.version != want {
		t.Errorf("final version %d, want %d (one per acknowledged update)", final.version, want)
	}
	got := strings.SplitAfter(final.body, "\n")
	got = got[:len(got)-1]
	slices.Sort(got)
	slices.Sort(acked)
	if !slices.Equal(got, acked) {
		t.Errorf("the final article holds %d lines, %d updates were acknowledged; they differ", len(got), len(acked))
	}
	res := porcupine.CheckOperationsTimeout(registerModel, history, time.Minute)
	if res != porcupine.Ok {
		t.Errorf("the history of %d operations is %s, not linearizable", len(history), res)
	}
	t.Logf("%d clients, %d acknowledged updates, %d operations in the history (%d conflicts), linearizable: %s",
		clients, len(acked), len(history), len(history)-len(acked)-clients, res)
}

func decodeRegister(t *testing.T, body string) register {
	var a struct {
		Version int64
		Body    string
	}
	if err := json.Unmarshal([]byte(body), &a); err != nil || a.Version == 0 {
		t.Errorf("not an article: %v\n%s", err, body)
	}
	return register{a.Version, a.Body}
}
