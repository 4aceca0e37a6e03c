package server

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// buckets are the upper bounds, in seconds, of the latency histogram.
var buckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// metrics counts requests and their latencies by route and status, and
// writes them in the Prometheus text exposition format. It is a few atomic
// adds per request: no client library, no locks on the hot path once a
// route and status have been seen.
type metrics struct {
	series sync.Map // seriesKey -> *series
	start  time.Time

	connsOpen    atomic.Int64  // connections open on the main listener
	connsRefused atomic.Uint64 // connections refused over --max-conns
}

type seriesKey struct {
	route  string
	status int
}

type series struct {
	count   atomic.Uint64
	sumNano atomic.Uint64
	buckets []atomic.Uint64 // not cumulative; summed when written
}

func newMetrics() *metrics { return &metrics{start: time.Now()} }

func (m *metrics) observe(route string, status int, d time.Duration) {
	key := seriesKey{route, status}
	v, ok := m.series.Load(key)
	if !ok {
		v, _ = m.series.LoadOrStore(key, &series{buckets: make([]atomic.Uint64, len(buckets))})
	}
	s := v.(*series)
	s.count.Add(1)
	s.sumNano.Add(uint64(d))
	sec := d.Seconds()
	for i, le := range buckets {
		if sec <= le {
			s.buckets[i].Add(1)
			break
		}
	}
}

// ServeHTTP writes the metrics.
func (m *metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	type row struct {
		seriesKey
		*series
	}
	var rows []row
	m.series.Range(func(k, v any) bool {
		rows = append(rows, row{k.(seriesKey), v.(*series)})
		return true
	})
	slices.SortFunc(rows, func(a, b row) int {
		return cmp.Or(strings.Compare(a.route, b.route), cmp.Compare(a.status, b.status))
	})
	var b strings.Builder
	b.WriteString("# HELP teapot_http_requests_total HTTP requests served, by route pattern and status.\n")
	b.WriteString("# TYPE teapot_http_requests_total counter\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "teapot_http_requests_total{route=%s,code=\"%d\"} %d\n", quote(r.route), r.status, r.count.Load())
	}
	b.WriteString("# HELP teapot_http_request_duration_seconds Time to serve HTTP requests, by route pattern and status.\n")
	b.WriteString("# TYPE teapot_http_request_duration_seconds histogram\n")
	for _, r := range rows {
		labels := fmt.Sprintf("route=%s,code=\"%d\"", quote(r.route), r.status)
		var cum uint64
		for i, le := range buckets {
			cum += r.buckets[i].Load()
			fmt.Fprintf(&b, "teapot_http_request_duration_seconds_bucket{%s,le=\"%s\"} %d\n", labels, strconv.FormatFloat(le, 'g', -1, 64), cum)
		}
		count := r.count.Load()
		fmt.Fprintf(&b, "teapot_http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %d\n", labels, count)
		fmt.Fprintf(&b, "teapot_http_request_duration_seconds_sum{%s} %g\n", labels, float64(r.sumNano.Load())/1e9)
		fmt.Fprintf(&b, "teapot_http_request_duration_seconds_count{%s} %d\n", labels, count)
	}
	b.WriteString("# HELP teapot_connections_open Connections open on the main listener, upgraded ones included (counted when --max-conns is set).\n# TYPE teapot_connections_open gauge\n")
	fmt.Fprintf(&b, "teapot_connections_open %d\n", m.connsOpen.Load())
	b.WriteString("# HELP teapot_connections_refused_total Connections refused because --max-conns were open.\n# TYPE teapot_connections_refused_total counter\n")
	fmt.Fprintf(&b, "teapot_connections_refused_total %d\n", m.connsRefused.Load())
	b.WriteString("# HELP teapot_uptime_seconds Seconds since the server started.\n# TYPE teapot_uptime_seconds gauge\n")
	fmt.Fprintf(&b, "teapot_uptime_seconds %g\n", time.Since(m.start).Seconds())
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Write([]byte(b.String()))
}

// quote escapes a label value as the exposition format requires.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}
