package lab

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/teapothq/teapot/internal/server"
	"github.com/teapothq/teapot/internal/web"
)

// TestLabPage checks the conflict lab's page under a base path: served at
// {base}/lab rather than taken for a code, its scripts and API address
// built from the base, the #limits section problem types point to, the
// limits it was given, and no inline script or style for the CSP to
// refuse.
func TestLabPage(t *testing.T) {
	t.Parallel()
	shell, err := web.New(web.Options{BasePath: "/teapot", Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	l := New(Options{MaxArticles: 50, MaxBody: 64 << 10, TTL: 24 * time.Hour})
	if err := l.AddPage(shell); err != nil {
		t.Fatal(err)
	}
	h := server.New(server.Config{BasePath: "/teapot"}, slog.New(slog.DiscardHandler), l.Register).Handler()

	for _, tc := range []struct {
		name, path, accept string
		status             int
		want, not          []string
	}{
		{"page", "/teapot/lab", "text/html", 200,
			[]string{`id="limits"`, `data-base="/teapot"`, "/teapot/lab/articles", "lab-merge.", "lab-http.", "lab.", `id="lab" data-base="/teapot" hidden`,
				"<noscript>", "Lab-Sandbox", "50 articles", "64 KiB", "24 hours", `id="merge-b"`, `id="pane-a"`},
			[]string{" style=", "<script>", "onclick="}},
		{"footer link", "/teapot/lab", "text/html", 200, []string{`href="/teapot/ip"`}, nil},
		{"json is not offered", "/teapot/lab", "application/json", 404, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, tc.path, nil)
			r.Header.Set("Accept", tc.accept)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			body := w.Body.String()
			if w.Code != tc.status {
				t.Fatalf("GET %s (Accept %s): status %d, want %d", tc.path, tc.accept, w.Code, tc.status)
			}
			for _, want := range tc.want {
				if !strings.Contains(body, want) {
					t.Errorf("GET %s lacks %q", tc.path, want)
				}
			}
			for _, not := range tc.not {
				if strings.Contains(body, not) {
					t.Errorf("GET %s contains %q", tc.path, not)
				}
			}
		})
	}

}

// TestLabLimitsText checks how the limits read: in whole units where they
// are whole, and nothing rather than a zero.
func TestLabLimitsText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   Options
		want [3]string
	}{
		{Options{}, [3]string{"", "", ""}},
		{Options{MaxArticles: 1, MaxBody: 1 << 20, TTL: time.Hour}, [3]string{"1 article", "1 MiB", "1 hour"}},
		{Options{MaxArticles: 100, MaxBody: 1500, TTL: 90 * time.Minute}, [3]string{"100 articles", "1500 bytes", "90 minutes"}},
		{Options{MaxArticles: 20, MaxBody: 256 << 10, TTL: 72 * time.Hour}, [3]string{"20 articles", "256 KiB", "3 days"}},
		{Options{MaxArticles: 20, MaxBody: 256 << 10, TTL: 90 * time.Second}, [3]string{"20 articles", "256 KiB", "1m30s"}},
	} {
		v := labView(tc.in)
		if got := [3]string{v.LabMaxArticles, v.LabMaxBody, v.LabTTL}; got != tc.want {
			t.Errorf("%+v reads %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestLabBoundsText checks how the lab's bounds in all read on the page,
// which the problems of type /lab#limits point to.
func TestLabBoundsText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   Options
		want [4]string
	}{
		{Options{}, [4]string{"", "", "", ""}},
		{Options{TTL: 24 * time.Hour, NewSandboxesPerHour: 30, MaxSandboxes: 10_000, MaxBytes: 128 << 20},
			[4]string{"1 hour", "30", "10000 sandboxes", "128 MiB"}},
		{Options{TTL: 30 * time.Minute, MaxBytes: 1_000_000}, [4]string{"30 minutes", "", "", "1000000 bytes"}},
	} {
		v := labView(tc.in)
		if got := [4]string{v.LabIdleTTL, v.LabNewSandboxes, v.LabMaxSandboxes, v.LabMaxBytes}; got != tc.want {
			t.Errorf("%+v reads %q, want %q", tc.in, got, tc.want)
		}
	}
}
