package lab

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/teapothq/teapot/internal/lab/store"
)

// The bounds of the flood tests: small, so that a few thousand requests
// meet them all.
const (
	floodSandboxes = 300
	floodBytes     = 1 << 20
	floodWorkers   = 8
)

// TestFloodSQLite floods a lab on a SQLite file, capped as the app caps it,
// and checks that sandboxes, stored bytes and the file stay within their
// bounds.
func TestFloodSQLite(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "lab.db")
	size := store.SQLiteSizeFor(floodBytes, floodSandboxes)
	st, err := store.OpenSQLiteMax(path, size)
	if err != nil {
		t.Fatal(err)
	}
	u := flood(t, st, 0)
	if err := st.Close(); err != nil { // checkpoints the WAL into the file
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() > size {
		t.Errorf("lab.db is %d bytes after the flood, over its cap of %d", fi.Size(), size)
	}
	t.Logf("lab.db: %d bytes for %d bytes stored (cap %d)", fi.Size(), u.Bytes, size)
}

// TestPostgresFlood is the flood on PostgreSQL. Concurrent writes read the
// stored bytes as committed, so together they may pass the limit by what
// they add at once: floodWorkers articles at most.
func TestPostgresFlood(t *testing.T) {
	t.Parallel()
	flood(t, openPostgres(t), floodWorkers*store.Size(store.Fields{Slug: "big", Title: "T", Body: strings.Repeat("b", 8<<10)}))
}

// flood sends, from floodWorkers goroutines:
//
//   - 1000 reads of new sandboxes from 1000 addresses, which make none;
//   - 500 new sandboxes from one IPv4 address and 500 from one IPv6 /64,
//     of which the rate limit lets 30 each through;
//   - 1500 new sandboxes from as many addresses, past the lab's limit on
//     sandboxes;
//   - an 8 KiB article into each sandbox made, past the limit on bytes.
//
// Every answer must be one of the bounds' (201, 429, 503, 507), never a
// 500, and the store must end within the bounds, bytes within slack.
func flood(t *testing.T, st store.Store, slack int64) store.Usage {
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	h := handler(Options{Store: st, MaxSandboxes: floodSandboxes, MaxBytes: floodBytes})

	var mu sync.Mutex
	statuses := map[int]int{}
	var made []string
	send := func(n int, req func(i int) (sandbox string, code int)) {
		var wg sync.WaitGroup
		next := make(chan int)
		for range floodWorkers {
			wg.Go(func() {
				for i := range next {
					sb, code := req(i)
					mu.Lock()
					statuses[code]++
					if code == http.StatusCreated && sb != "" {
						made = append(made, sb)
					}
					mu.Unlock()
				}
			})
		}
		for i := range n {
			next <- i
		}
		close(next)
		wg.Wait()
	}
	ipv4 := func(i int) string { return fmt.Sprintf("10.%d.%d.%d:40000", i>>16&255, i>>8&255, i&255) }
	small := strings.Repeat("s", 200)
	send(1000, func(i int) (string, int) {
		return "", call(h, "GET", "/lab/articles", "", ipv4(i)).Code
	})
	if u := usage(t, st); u.Sandboxes != 0 {
		t.Fatalf("1000 reads made %d sandboxes, want none", u.Sandboxes)
	}
	send(1000, func(i int) (string, int) {
		addr := "203.0.113.9:5000"
		if i%2 == 1 {
			addr = fmt.Sprintf("[2001:db8:aa:bb::%x]:5000", i)
		}
		sb := newToken()
		return sb, createIn(h, sb, addr, small).Code
	})
	if statuses[201] != 2*DefaultNewSandboxesPerHour {
		t.Errorf("one IPv4 address and one IPv6 /64 made %d sandboxes, want %d each", statuses[201], DefaultNewSandboxesPerHour)
	}
	send(1500, func(i int) (string, int) {
		sb := newToken()
		return sb, createIn(h, sb, ipv4(100_000+i), small).Code
	})
	big := strings.Repeat("b", 8<<10)
	send(len(made), func(i int) (string, int) {
		b := `{"slug":"big","title":"T","body":"` + big + `"}`
		return "", call(h, "POST", "/lab/articles", b, "192.0.2.1:1", "Lab-Sandbox", made[i]).Code
	})

	u := usage(t, st)
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	t.Logf("answers %v; store %+v; heap %d KiB before, %d KiB after", statuses, u, before.HeapAlloc>>10, after.HeapAlloc>>10)
	for code := range statuses {
		switch code {
		case 200, 201, 429, 503, 507:
		default:
			t.Errorf("%d answers were %d, want only 200, 201, 429, 503 or 507", statuses[code], code)
		}
	}
	if statuses[429] == 0 || statuses[503] == 0 || statuses[507] == 0 {
		t.Errorf("answers %v: want the rate limit (429), the sandboxes' (503) and the bytes' (507) each met", statuses)
	}
	if u.Sandboxes > floodSandboxes || u.Bytes > floodBytes+slack {
		t.Errorf("after the flood the store holds %+v, over the limits of %d sandboxes and %d bytes", u, floodSandboxes, floodBytes)
	}
	return u
}

func usage(t *testing.T, st store.Store) store.Usage {
	t.Helper()
	u, err := st.Usage(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return u
}
