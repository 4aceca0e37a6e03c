//go:build unix

package store_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/teapothq/teapot/internal/lab/store"
	"github.com/teapothq/teapot/internal/lab/store/pgtest"
)

// benchClients is how many clients update at once, as in the lab's load
// target.
const benchClients = 32

// BenchmarkUpdate measures resolved updates per second: an update counts
// once it succeeds, however many stale attempts it took. conflicting: all
// clients read-modify-write one article; distinct: each its own.
func BenchmarkUpdate(b *testing.B) {
	for _, store := range []struct {
		name string
		open func(b *testing.B) store.Store
	}{
		{"sqlite", func(b *testing.B) store.Store {
			return openSQLite(b, filepath.Join(b.TempDir(), "lab.db"))
		}},
		{"postgres", func(b *testing.B) store.Store {
			return openPostgres(b, pgtest.URL(b))
		}},
	} {
		b.Run(store.name, func(b *testing.B) {
			for _, mode := range []string{"conflicting", "distinct"} {
				b.Run(mode, func(b *testing.B) {
					benchmarkUpdate(b, store.open(b), mode == "conflicting")
				})
			}
		})
	}
}

func benchmarkUpdate(b *testing.B, s store.Store, conflicting bool) {
	// Cancellable, like an HTTP request's: drivers watch such a context.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	targets := make([]store.Article, benchClients)
	for i := range targets {
		if i > 0 && conflicting {
			targets[i] = targets[0]
			continue
		}
		a, err := s.Create(ctx, "bench", store.Fields{Slug: fmt.Sprint(i), Body: "body"}, articles(benchClients))
		if err != nil {
			b.Fatal(err)
		}
		targets[i] = a
	}
	var done, attempts atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuTime(b)
	for c := range benchClients {
		wg.Go(func() {
			cur := targets[c]
			for done.Add(1) <= int64(b.N) {
				for {
					attempts.Add(1)
					f := store.Fields{Slug: cur.Slug, Title: fmt.Sprint(c), Body: cur.Body}
					next, err := s.Update(ctx, "bench", cur.ID, cur.Version, f, 0)
					var stale *store.StaleError
					if errors.As(err, &stale) {
						cur = stale.Current
						continue
					}
					if err != nil {
						b.Error(err)
						return
					}
					cur = next
					break
				}
			}
		})
	}
	wg.Wait()
	elapsed, cpu := time.Since(start), cpuTime(b)-cpu0
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "updates/s")
	b.ReportMetric(float64(attempts.Load())/float64(b.N), "attempts/update")
	// On a busy machine wall time says little: this process's CPU time
	// (user and system; for PostgreSQL the server's is not in it) does.
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/update")
}

// cpuTime is the CPU time this process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
