package exam_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/teapothq/teapot/internal/exam"
	"github.com/teapothq/teapot/internal/lab/store"
	"github.com/teapothq/teapot/internal/lab/store/pgtest"
	"github.com/teapothq/teapot/internal/web"
)

// examOn serves an exam on st with no caps that a benchmark would meet.
func examOn(tb testing.TB, st exam.Store) string {
	tb.Helper()
	e := exam.New(exam.Options{Store: st, RunsPerHour: 1 << 20, MaxRuns: 1 << 20, MaxRequests: 1 << 30})
	mux := web.NewMux()
	e.Register(mux)
	ts := httptest.NewServer(mux.Finish())
	tb.Cleanup(ts.Close)
	return ts.URL
}

// BenchmarkJournal measures requests journaled a second through
// /exam/{id}/{check} over loopback HTTP: each parallel client has a run of
// its own and asks fresh-cache (a 200), as curl would, so that every
// request is one journal transaction.
func BenchmarkJournal(b *testing.B) {
	for _, tc := range []struct {
		name string
		open func(b *testing.B) exam.Store
	}{
		{"sqlite", func(b *testing.B) exam.Store {
			s, err := store.OpenSQLite(filepath.Join(b.TempDir(), "lab.db"))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { s.Close() })
			return s
		}},
		{"postgres", func(b *testing.B) exam.Store {
			s, err := store.OpenPostgres(b.Context(), pgtest.URL(b))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { s.Close() })
			return s
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			base := examOn(b, tc.open(b))
			tr := &http.Transport{MaxIdleConnsPerHost: 64}
			b.Cleanup(tr.CloseIdleConnections)
			c := &http.Client{Transport: tr}
			b.SetParallelism(4) // 4 clients a core
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				run := start(b, base)
				u := base + run.Report + "/fresh-cache"
				for pb.Next() {
					req, _ := http.NewRequest("GET", u, nil)
					req.Header.Set("User-Agent", "curl/7.88.1")
					req.Header.Set("Accept", "*/*")
					resp, err := c.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						b.Errorf("status %d", resp.StatusCode)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "journaled/s")
		})
	}
}

// TestJournalGrowth measures what 1,000 journaled requests add to the
// SQLite file: a curl-like request's, and a hostile one's with every
// recorded field at its longest, which must stay within what the app
// sizes the file's cap by (store.ExamSizeFor with exam.RecordBytes).
func TestJournalGrowth(t *testing.T) {
	t.Parallel()
	long := strings.Repeat(`"<`, 100)
	for _, tc := range []struct {
		name, method, body string
		header             []string
	}{
		{"curl-like GET", "GET", "", []string{"User-Agent", "curl/7.88.1", "Accept", "*/*"}},
		{"curl-like POST", "POST", "exam=post-not-replayed", []string{"User-Agent", "curl/7.88.1", "Accept", "*/*",
			"Content-Type", "application/x-www-form-urlencoded"}},
		{"hostile", "PUT", "body", []string{"User-Agent", long, "If-None-Match", long, "If-Modified-Since", long, "If-Match", long,
			"Idempotency-Key", long, "Cache-Control", long, "Content-Type", long, "Authorization", long, "Cookie", long}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "lab.db")
			size := func() int64 {
				fi, err := os.Stat(path)
				if err != nil {
					t.Fatal(err)
				}
				return fi.Size()
			}
			open := func() *store.SQLite {
				s, err := store.OpenSQLite(path)
				if err != nil {
					t.Fatal(err)
				}
				return s
			}
			s := open()
			base := examOn(t, s)
			run := start(t, base)
			s.Close() // a checkpoint: the file holds everything, the WAL is gone
			before := size()
			s = open()
			base = examOn(t, s)
			const n = 1000
			for range n {
				if a := send(t, tc.method, base+run.Report+"/fresh-cache", tc.body, tc.header...); a.Status != 200 {
					t.Fatalf("%d %s", a.Status, a.Body)
				}
			}
			s.Close()
			grown := size() - before
			t.Logf("%s: %d journaled requests grew the SQLite file by %d bytes (%d a request)", tc.name, n, grown, grown/n)
			if bound := store.ExamSizeFor(1, n, exam.RecordBytes); grown > bound {
				t.Errorf("grew %d bytes, over the %d the file's cap allows for them", grown, bound)
			}
		})
	}
}
