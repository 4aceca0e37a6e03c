package app

import (
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// TestLabBoundsConfig: the lab's bounds are validated, each error naming
// its flag, and the defaults pass.
func TestLabBoundsConfig(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		flag string
		set  func(c *Config)
	}{
		{"", func(c *Config) {}},
		{"--lab-max-sandboxes", func(c *Config) { c.LabMaxSandboxes = 0 }},
		{"--lab-max-sandboxes", func(c *Config) { c.LabMaxSandboxes = 1_000_001 }},
		{"--lab-max-bytes", func(c *Config) { c.LabMaxBytes = 1<<20 - 1 }},
		{"--lab-max-bytes", func(c *Config) { c.LabMaxBytes = 64<<30 + 1 }},
		{"--lab-sandboxes-per-hour", func(c *Config) { c.LabSandboxesPerHour = 0 }},
		{"--lab-sandboxes-per-hour", func(c *Config) { c.LabSandboxesPerHour = 100_001 }},
	} {
		c := Defaults()
		tc.set(&c)
		err := c.Validate()
		if tc.flag == "" && err != nil {
			t.Errorf("the defaults: %v", err)
		}
		if tc.flag != "" && (err == nil || !strings.Contains(err.Error(), tc.flag)) {
			t.Errorf("a bad %s: %v, want an error naming it", tc.flag, err)
		}
	}
}

// TestLabBoundsWiring: the flags reach the lab: the cookie is Secure behind
// an https public URL, and each bound answers with its own limit.
func TestLabBoundsWiring(t *testing.T) {
	t.Parallel()
	cfg := Defaults()
	cfg.LabMemory, cfg.AccessLog, cfg.ReverseDNSTimeout = true, false, 0
	cfg.PublicURL = "https://teapot.example"
	cfg.LabSandboxesPerHour, cfg.LabMaxSandboxes, cfg.LabMaxBytes, cfg.LabMaxBody = 2, 3, 1<<20, 256<<10
	a, err := New(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	h := a.Handler()
	post := func(addr, sandbox, body string) (int, int64) {
		req := httptest.NewRequest("POST", "/lab/articles", strings.NewReader(`{"slug":"s`+strconv.Itoa(len(body))+`","title":"T","body":"`+body+`"}`))
		req.RemoteAddr = addr
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Lab-Sandbox", sandbox)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		var p struct{ Limit int64 }
		json.Unmarshal(w.Body.Bytes(), &p)
		return w.Code, p.Limit
	}

	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/lab/articles", nil))
	if c := w.Result().Cookies(); len(c) != 1 || !c[0].Secure {
		t.Errorf("behind https://teapot.example, cookies %v, want one, Secure", c)
	}
	if code, _ := post("192.0.2.1:1", "sandbox-one-0123456789", ""); code != 201 {
		t.Fatalf("first sandbox: %d", code)
	}
	post("192.0.2.1:1", "sandbox-two-0123456789", "")
	if code, limit := post("192.0.2.1:1", "sandbox-three-01234567", ""); code != 429 || limit != 2 {
		t.Errorf("a third new sandbox from one address: %d, limit %d; want 429, 2 (--lab-sandboxes-per-hour)", code, limit)
	}
	post("192.0.2.2:1", "sandbox-three-01234567", "")
	if code, limit := post("192.0.2.3:1", "sandbox-four-012345678", ""); code != 503 || limit != 3 {
		t.Errorf("a fourth sandbox: %d, limit %d; want 503, 3 (--lab-max-sandboxes)", code, limit)
	}
	big := strings.Repeat("x", 250_000)
	for i := range 5 {
		code, limit := post("192.0.2.1:1", "sandbox-one-0123456789", big[i:])
		if code == 507 && limit == 1<<20 {
			return
		}
		if code != 201 {
			t.Fatalf("article %d of 250 KB: %d, limit %d; want 201, then 507 with --lab-max-bytes", i+1, code, limit)
		}
	}
	t.Error("5 articles of 250 KB fit under --lab-max-bytes 1 MiB")
}
