package app

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

// TestExamConfig: the exam's settings are validated, each error naming
// its flag, and the defaults pass.
func TestExamConfig(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		flag string
		set  func(c *Config)
	}{
		{"", func(c *Config) {}},
		{"", func(c *Config) { c.ExamAltOrigin = "https://alt.teapot.example/" }},
		{"--exam-ttl", func(c *Config) { c.ExamTTL = time.Second }},
		{"--exam-ttl", func(c *Config) { c.ExamTTL = 25 * time.Hour }},
		{"--exam-runs-per-hour", func(c *Config) { c.ExamRunsPerHour = 0 }},
		{"--exam-max-runs", func(c *Config) { c.ExamMaxRuns = 0 }},
		{"--exam-max-runs", func(c *Config) { c.ExamMaxRuns = 100_001 }},
		{"--exam-max-requests", func(c *Config) { c.ExamMaxRequests = 0 }},
		{"--exam-max-requests", func(c *Config) { c.ExamMaxRequests = 10_001 }},
		{"--exam-max-body", func(c *Config) { c.ExamMaxBody = 100 }},
		{"--exam-max-body", func(c *Config) { c.ExamMaxBody = 2 << 20 }},
		{"--exam-tolerance", func(c *Config) { c.ExamTolerance = 0 }},
		{"--exam-tolerance", func(c *Config) { c.ExamTolerance = 2 * time.Second }},
		{"--exam-alt-origin", func(c *Config) { c.ExamAltOrigin = "alt.teapot.example" }},
		{"--exam-alt-origin", func(c *Config) { c.ExamAltOrigin = "https://alt.teapot.example/teapot" }},
		{"--exam-alt-origin", func(c *Config) { c.ExamAltOrigin = "https://user:pw@alt.teapot.example" }},
		{"--exam-alt-origin", func(c *Config) { c.ExamAltOrigin = "javascript:alert(1)" }},
		{"--exam-alt-origin", func(c *Config) { c.ExamAltOrigin = "https://a;b" }},
		{"--exam-alt-origin", func(c *Config) {
			c.PublicURL, c.ExamAltOrigin = "https://teapot.example", "https://teapot.example"
		}},
	} {
		c := Defaults()
		tc.set(&c)
		err := c.Validate()
		if tc.flag == "" && err != nil {
			t.Errorf("valid settings: %v", err)
		}
		if tc.flag != "" && (err == nil || !strings.Contains(err.Error(), tc.flag)) {
			t.Errorf("a bad %s: %v, want an error naming it", tc.flag, err)
		}
	}
}

// TestExamWiring: the flags reach the exam, and its sweep runs with the
// app.
func TestExamWiring(t *testing.T) {
	t.Parallel()
	cfg := Defaults()
	cfg.LabMemory, cfg.AccessLog, cfg.ReverseDNSTimeout = true, false, 0
	cfg.ExamRunsPerHour, cfg.ExamTTL, cfg.ExamAltOrigin = 1, 90*time.Minute, "http://127.0.0.2:8080"
	a, err := New(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	post := func() (int, string) {
		r := httptest.NewRequest("POST", "/exam", nil)
		r.Header.Set("Accept", "application/json")
		w := httptest.NewRecorder()
		a.Handler().ServeHTTP(w, r)
		return w.Code, w.Body.String()
	}
	code, body := post()
	if code != 201 || !strings.Contains(body, `"credentials": "exam:not-a-secret"`) || !strings.Contains(body, "http://127.0.0.2:8080/exam/") {
		t.Errorf("first run: %d\n%s\nwant the cross-origin check pointed at --exam-alt-origin", code, body)
	}
	if code, body := post(); code != 429 || !strings.Contains(body, `"limit": 1`) {
		t.Errorf("second run with --exam-runs-per-hour 1: %d %s", code, body)
	}
	if cfg.examSweep() != 10*time.Minute {
		t.Errorf("sweep every %v", cfg.examSweep())
	}
}

// TestExamRunsShared: with --redis-url, two instances give a client one
// budget of new runs, not one each.
func TestExamRunsShared(t *testing.T) {
	t.Parallel()
	url := os.Getenv("TEAPOT_REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	if c, err := net.DialTimeout("tcp", strings.TrimSuffix(strings.TrimPrefix(url, "redis://"), "/0"), time.Second); err != nil {
		if os.Getenv("TEAPOT_REQUIRE_REDIS") == "1" {
			t.Fatalf("Redis at %s: %v (TEAPOT_REQUIRE_REDIS=1)", url, err)
		}
		t.Skipf("no Redis at %s (%v); set TEAPOT_REDIS_URL", url, err)
	} else {
		c.Close()
	}
	cfg := Defaults()
	cfg.LabMemory, cfg.AccessLog, cfg.ReverseDNSTimeout = true, false, 0
	cfg.ExamRunsPerHour, cfg.RedisURL = 2, url
	var handlers []http.Handler
	for range 2 {
		a, err := New(cfg, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		handlers = append(handlers, a.Handler())
	}
	// A client of its own: Redis keeps counts between test runs.
	addr := fmt.Sprintf("[2001:db8:%x:%x::1]:1", rand.IntN(1<<16), rand.IntN(1<<16))
	for i, want := range []int{201, 201, 429} {
		r := httptest.NewRequest("POST", "/exam", nil)
		r.RemoteAddr = addr
		r.Header.Set("Accept", "application/json")
		w := httptest.NewRecorder()
		handlers[i%2].ServeHTTP(w, r)
		if w.Code != want {
			t.Errorf("run %d, on instance %d: %d, want %d", i+1, i%2+1, w.Code, want)
		}
	}
}
