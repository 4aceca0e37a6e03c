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
	"github.com/teapothq/teapot/internal/lab/labtest"
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
	record := func(id int, call time.Duration, op labtest.Op, res labtest.Result) {
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
			record(id, call, labtest.Op{}, labtest.Result{OK: true, State: cur})
			for k := range updates {
				line := fmt.Sprintf("client %d update %d\n", id, k)
				for attempt := 0; ; attempt++ {
					if attempt == 1000 {
						errs <- fmt.Errorf("client %d: no success in 1000 attempts", id)
						return
					}
					op := labtest.Op{Write: true, Expect: cur.Version, Body: cur.Body + line}
					b, _ := json.Marshal(map[string]string{"slug": "shared", "title": "Shared", "body": op.Body})
					call := time.Since(start)
					r := c.do("PUT", loc, string(b), "If-Match", etag(cur.Version))
					switch r.status {
					case http.StatusOK:
						cur = decodeRegister(t, r.body)
						record(id, call, op, labtest.Result{OK: true, State: cur})
						mu.Lock()
						acked = append(acked, line)
						mu.Unlock()
					case http.StatusPreconditionFailed:
						var p struct{ Current json.RawMessage }
						json.Unmarshal([]byte(r.body), &p)
						cur = decodeRegister(t, string(p.Current))
						record(id, call, op, labtest.Result{OK: false, State: cur})
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
	if want := int64(1 + clients*updates); final.Version != want {
		t.Errorf("final version %d, want %d (one per acknowledged update)", final.Version, want)
	}
	got := strings.SplitAfter(final.Body, "\n")
	got = got[:len(got)-1]
	slices.Sort(got)
	slices.Sort(acked)
	if !slices.Equal(got, acked) {
		t.Errorf("the final article holds %d lines, %d updates were acknowledged; they differ", len(got), len(acked))
	}
	res := porcupine.CheckOperationsTimeout(labtest.Model, history, time.Minute)
	if res != porcupine.Ok {
		t.Errorf("the history of %d operations is %s, not linearizable", len(history), res)
	}
	t.Logf("%d clients, %d acknowledged updates, %d operations in the history (%d conflicts), linearizable: %s",
		clients, len(acked), len(history), len(history)-len(acked)-clients, res)
}

func decodeRegister(t *testing.T, body string) labtest.Register {
	var a struct {
		Version int64
		Body    string
	}
	if err := json.Unmarshal([]byte(body), &a); err != nil || a.Version == 0 {
		t.Errorf("not an article: %v\n%s", err, body)
	}
	return labtest.Register{Version: a.Version, Body: a.Body}
}
