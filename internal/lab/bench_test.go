package lab

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/teapothq/teapot/internal/lab/store"
)

// BenchmarkUpdates measures resolved updates a second over real HTTP: 32
// clients doing read-modify-write with If-Match, retrying with the
// problem's current article on 412, either all on one article
// (conflicting) or each on its own (distinct). b.N is the number of
// acknowledged updates; conflicts/op is how many 412s each cost, and
// attempts/s counts every PUT answered, 200 or 412.
func BenchmarkUpdates(b *testing.B) {
	stores := []struct {
		name string
		open opener
	}{
		{"sqlite", func(t testing.TB) store.Store { return openSQLitePath(t, filepath.Join(t.TempDir(), "lab.db")) }},
		{"postgres", openPostgres},
	}
	for _, st := range stores {
		for _, mode := range []string{"conflicting", "distinct"} {
			b.Run(st.name+"/"+mode, func(b *testing.B) {
				benchUpdates(b, serve(b, Options{Store: st.open(b)}), mode == "conflicting")
			})
		}
	}
}

const benchClients = 32

func benchUpdates(b *testing.B, base string, conflicting bool) {
	tr := &http.Transport{MaxIdleConnsPerHost: benchClients}
	b.Cleanup(tr.CloseIdleConnections)
	c := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	sb := newToken()
	do := func(method, url, body, ifMatch string) (int, []byte) {
		req, _ := http.NewRequest(method, base+url, strings.NewReader(body))
		req.Header.Set("Lab-Sandbox", sb)
		req.Header.Set("Content-Type", "application/json")
		if ifMatch != "" {
			req.Header.Set("If-Match", ifMatch)
		}
		res, err := c.Do(req)
		if err != nil {
			b.Error(err)
			return 0, nil
		}
		defer res.Body.Close()
		data, _ := io.ReadAll(res.Body)
		return res.StatusCode, data
	}
	locs := make([]string, benchClients)
	for i := range locs {
		if conflicting && i > 0 {
			locs[i] = locs[0]
			continue
		}
		status, data := do("POST", "/lab/articles", fmt.Sprintf(`{"slug":"a%d","title":"T","body":""}`, i), "")
		if status != 201 {
			b.Fatalf("create: %d %s", status, data)
		}
		var a struct{ ID int64 }
		json.Unmarshal(data, &a)
		locs[i] = fmt.Sprintf("/lab/articles/%d", a.ID)
	}
	var left, conflicts atomic.Int64
	left.Store(int64(b.N))
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for i := range benchClients {
		wg.Go(func() {
			loc := locs[i]
			var cur struct {
				Version int64
				Body    string
			}
			status, data := do("GET", loc, "", "")
			if status != 200 {
				b.Errorf("GET: %d", status)
				return
			}
			json.Unmarshal(data, &cur)
			for left.Add(-1) >= 0 {
				for {
					body := fmt.Sprintf(`{"slug":"%s","title":"T","body":"client %d wrote %d"}`, slugOf(loc, locs, conflicting), i, cur.Version)
					status, data := do("PUT", loc, body, etag(cur.Version))
					if status == http.StatusOK {
						json.Unmarshal(data, &cur)
						break
					}
					if status != http.StatusPreconditionFailed {
						b.Errorf("PUT: %d %s", status, data)
						return
					}
					conflicts.Add(1)
					var p struct {
						Current struct {
							Version int64
							Body    string
						}
					}
					json.Unmarshal(data, &p)
					cur.Version, cur.Body = p.Current.Version, p.Current.Body
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "updates/s")
	b.ReportMetric(float64(conflicts.Load())/float64(b.N), "conflicts/op")
	b.ReportMetric(float64(int64(b.N)+conflicts.Load())/elapsed.Seconds(), "attempts/s")
}

// slugOf keeps each article's slug as it was created.
func slugOf(loc string, locs []string, conflicting bool) string {
	if conflicting {
		return "a0"
	}
	for i, l := range locs {
		if l == loc {
			return fmt.Sprintf("a%d", i)
		}
	}
	return ""
}
