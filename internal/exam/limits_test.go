package exam_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/teapothq/teapot/internal/app"
	"github.com/teapothq/teapot/internal/exam"
	"github.com/teapothq/teapot/internal/lab/store"
	"github.com/teapothq/teapot/internal/web"
)

// TestLimits: each bound answers with a problem that names it: requests a
// run journals (429, and nothing more recorded), runs an address starts
// an hour (429 with Retry-After), runs kept in all (503).
func TestLimits(t *testing.T) {
	t.Parallel()
	t.Run("requests", func(t *testing.T) {
		t.Parallel()
		base := serve(t, func(c *app.Config) { c.ExamMaxRequests = 5 })
		run := start(t, base)
		u := base + infoOf(t, run, "redirect-loop").URL
		for i := range 5 {
			if a := send(t, "GET", u, ""); a.Status != 302 {
				t.Fatalf("request %d of 5: %d", i+1, a.Status)
			}
		}
		for range 3 {
			isProblem(t, "request 6 of a run of 5", send(t, "GET", u, ""), 429, 5)
		}
		if rep := report(t, base, run); rep.Requests != 5 || len(reportOf(t, rep, "redirect-loop").Timeline) != 5 {
			t.Errorf("journaled %d requests, want 5", rep.Requests)
		}
	})
	t.Run("runs per hour", func(t *testing.T) {
		t.Parallel()
		base := serve(t, func(c *app.Config) { c.ExamRunsPerHour = 2 })
		start(t, base)
		start(t, base)
		a := send(t, "POST", base+"/exam", "", "Accept", "application/json")
		isProblem(t, "a third run in the hour", a, 429, 2)
		if s, _ := strconv.Atoi(a.Header.Get("Retry-After")); s < 1 || s > 1800 {
			t.Errorf("Retry-After %q, want the seconds until one more run", a.Header.Get("Retry-After"))
		}
	})
	t.Run("runs in all", func(t *testing.T) {
		t.Parallel()
		base := serve(t, func(c *app.Config) { c.ExamMaxRuns = 1 })
		start(t, base)
		isProblem(t, "a second run of at most 1", send(t, "POST", base+"/exam", "", "Accept", "application/json"), 503, 1)
	})
}

// TestIPv6Prefix: the addresses of one IPv6 /64 share one budget of runs;
// another /64 has its own.
func TestIPv6Prefix(t *testing.T) {
	t.Parallel()
	cfg := app.Defaults()
	cfg.LabMemory, cfg.AccessLog, cfg.ReverseDNSTimeout, cfg.ExamRunsPerHour = true, false, 0, 2
	a, err := app.New(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	h := a.Handler()
	post := func(addr string) int {
		r := httptest.NewRequest("POST", "/exam", nil)
		r.RemoteAddr = addr
		r.Header.Set("Accept", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	for i, tc := range []struct {
		addr string
		want int
	}{
		{"[2001:db8::1]:1000", 201}, {"[2001:db8::2]:1000", 201}, {"[2001:db8::ffff:3]:1000", 429},
		{"[2001:db8:0:1::1]:1000", 201}, {"192.0.2.1:1000", 201},
	} {
		if got := post(tc.addr); got != tc.want {
			t.Errorf("run %d from %s: %d, want %d", i+1, tc.addr, got, tc.want)
		}
	}
}

// sweeps is a store that says when it was swept.
type sweeps struct {
	*store.SQLite
	swept chan int
}

func (s sweeps) SweepExamRuns(ctx context.Context, now time.Time) (int, error) {
	n, err := s.SQLite.SweepExamRuns(ctx, now)
	select {
	case s.swept <- n:
	default: // the test has its answer
	}
	return n, err
}

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// TestExpiry: a run is gone (404) once its TTL has passed, and the sweep
// removes it with its journal.
func TestExpiry(t *testing.T) {
	t.Parallel()
	db, err := store.OpenSQLite(":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st := sweeps{db, make(chan int, 1)}
	clk := &clock{t: time.Now()}
	e := exam.New(exam.Options{Store: st, TTL: 10 * time.Minute, Now: clk.now})
	mux := web.NewMux()
	e.Register(mux)
	ts := httptest.NewServer(mux.Finish())
	defer ts.Close()
	run := start(t, ts.URL)
	u := ts.URL + infoOf(t, run, "backoff").URL
	if a := send(t, "GET", u, ""); a.Status != 503 {
		t.Fatalf("a fresh run: %d", a.Status)
	}
	clk.add(10 * time.Minute)
	isProblem(t, "a check of an expired run", send(t, "GET", u, ""), 404, 0)
	isProblem(t, "an expired run's report", send(t, "GET", ts.URL+run.Report, "", "Accept", "application/json"), 404, 0)

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go e.Sweep(ctx, time.Millisecond)
	if n := <-st.swept; n != 1 {
		t.Errorf("the sweep removed %d runs, want 1", n)
	}
	if entries, _ := db.ExamEntries(t.Context(), run.ID); len(entries) != 0 {
		t.Errorf("%d journal entries left after the sweep", len(entries))
	}
}
